"""The form layer, without Textual: what the wizard shows and how it judges partial answers.

- `spec`: a field's kind, choices and default and a section's fields as the form draws them
  (`FieldSpec`, `SectionSpec`), kept in a cache so that the first frame needs no pydantic; the
  defaults of a new file, which pages are skipped, a page's state. Imports nothing heavy.
- `build`: those specs read from the model's declarations (imports the model).
- `state`: the model's judgement of the form's data: what is saved (`effective_data`), every
  problem at its field, the Review page's values, the msiexec plan.
"""
