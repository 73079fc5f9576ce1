"""A password kept in clear is noticed in both spellings the model accepts: a bare string and
`{ value = "…" }` (the second was missed: no warning header, no question before saving)."""

from __future__ import annotations

import pytest

from tests.support.answers import contoso_data
from tui.model.tomlio import SECRETS_HEADER, dump_data, has_literal_secrets
from tui.model.validation import validate_data


@pytest.mark.parametrize("literal", ["S3cret!", {"value": "S3cret!"}])
def test_a_literal_password_field_is_found(literal):
    data = contoso_data()
    data["service_account"]["password"] = literal
    assert validate_data(data, "t.toml").answers is not None  # the model accepts it
    assert has_literal_secrets(data)
    assert dump_data(data).startswith(SECRETS_HEADER)


@pytest.mark.parametrize("literal", ["S3cret!", {"value": "S3cret!"}])
def test_a_literal_secret_property_is_found(literal):
    data = contoso_data()
    data.setdefault("msi", {})["secret_properties"] = {"SOME_PASSWORD": literal}
    assert validate_data(data, "t.toml").answers is not None
    assert has_literal_secrets(data)


def test_references_are_not_literals():
    data = contoso_data()
    data["service_account"]["password"] = {"env": "MIM_SVC_PW"}
    data.setdefault("msi", {})["secret_properties"] = {"SOME_PASSWORD": {"prompt": True}}
    assert not has_literal_secrets(data)
