"""`mimsetup import`: an existing silent-install command line becomes an answer file. Nothing is
lost: properties without a field go to [msi.extra_properties], passwords to a secrets file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, get_args

from tui.model.answers import SCHEMA_VERSION, planned, section_types
from tui.model.cmdline import ImportProblem, extract_command, parse_arguments, split_msiexec
from tui.model.components import Components
from tui.model.secrets import named_like_secret

__all__ = ["ImportProblem", "Imported", "extract_command", "from_command_line",
           "parse_arguments", "split_msiexec"]


@dataclass
class Imported:
    data: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict)  # MSI property -> password
    notes: list[str] = field(default_factory=list)

    def refer_to(self, secrets_file: str) -> None:
        """Point every password reference at the secrets file, once its name is known."""
        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("file") == "" and "key" in node:
                    node["file"] = secrets_file
                    return
                for value in node.values():
                    walk(value)

        walk(self.data)

def _wants_int(annotation: Any) -> bool:
    """Whether a field holds a number (a port), not text that may be all digits (a thumbprint,
    whose annotation merely mentions rules.thumbprint)."""
    return annotation is int or any(_wants_int(a) for a in get_args(annotation))


def _field_index() -> dict[str, tuple[str, str]]:
    out = {}
    for section, model in section_types().items():
        for meta in model.fields():
            for prop in meta.msi:
                out[prop] = (section, meta.name)
    return out


def _secret_properties() -> set[str]:
    """Every MSI property of a password field, whether its component is selected or not."""
    return {prop for model in section_types().values() for meta in model.fields()
            if meta.secret for prop in meta.msi}


def from_command_line(text: str) -> Imported:
    options, props = parse_arguments(extract_command(text))
    if not props and "package" not in options:
        raise ImportProblem("no msiexec command line was found")
    types = section_types()
    index = _field_index()
    result = Imported({"schema_version": SCHEMA_VERSION})
    data = result.data
    if "ADDLOCAL" in props:
        data["components"] = _components(props.pop("ADDLOCAL"), props.pop("REMOVE", ""))
    components = Components.model_validate(data.get("components", {}))
    consumed: set[str] = set()
    for prop, (section, name) in index.items():
        if prop not in props or prop in consumed:
            continue
        if not planned(section, components):
            continue  # e.g. REGISTRATION_* without RegistrationPortal: kept as an extra property
        model = types[section]
        meta = next(m for m in model.fields() if m.name == name)
        custom = getattr(model, "msi_import", None)
        value: Any = custom(name, props) if custom else NotImplemented
        if value is NotImplemented:
            value = props[prop]
        if meta.secret:
            result.secrets[prop] = props[prop]
            value = {"file": "", "key": prop}  # the file name is known when it is written
        elif isinstance(meta.default, bool) and value in ("0", "1"):
            value = value == "1"
        elif isinstance(value, str) and value.isdigit() and _wants_int(
            model.model_fields[name].annotation
        ):
            value = int(value)
        data.setdefault(section, {})[name] = value
        consumed.update(meta.msi)
    if "certificate" in data and "thumbprint" in data["certificate"]:
        data["certificate"]["mode"] = "existing"
    if "package" in options:
        data.setdefault("install", {})["msi_path"] = options["package"]
    for opt, value in options.items():
        if opt.startswith("l") and opt != "package":
            data.setdefault("install", {})["log_path"] = value
    from tui.model.msi import FIXED_PROPERTIES

    fixed = dict(FIXED_PROPERTIES)
    for section, model in types.items():
        if section in data and planned(section, components):  # the plan passes them again
            fixed.update(dict(getattr(model, "fixed_properties", ())))
    extra = {
        k: v for k, v in props.items()
        if k not in consumed and not (k in fixed and fixed[k] == v)
    }
    _account_notes(props, components, result)
    # A password is a secret whatever the selection (an unselected portal's), and so is a
    # property whose name says password: to the secrets file, referenced, passed as a secret.
    known = _secret_properties()
    hidden = {k: extra.pop(k) for k in list(extra) if k in known or named_like_secret(k)}
    if extra:
        data.setdefault("msi", {})["extra_properties"] = extra
    if hidden:
        result.secrets.update(hidden)
        data.setdefault("msi", {})["secret_properties"] = {
            k: {"file": "", "key": k} for k in hidden
        }
    for prop in sorted(set(props) & set(fixed)):
        if fixed[prop] != props[prop]:
            result.notes.append(f"{prop}={props[prop]} kept in [msi.extra_properties]")
    left, added = _left_to_package(data, props)
    if left:
        data.setdefault("msi", {})["package_defaults"] = left
    result.notes += [f"{a} added: the package's own default" for a in added]
    return result


def _account_notes(props: dict[str, str], components: Components, result: Imported) -> None:
    """A portal's account given whole (X_ACCOUNT) and in parts that disagree: the plan passes
    the parts of the whole. The values are not repeated: FIM-in-a-Box put a password in
    RESET_ACCOUNT_NAME."""
    from tui.model.rules import split_account

    for prefix, selected in (("REGISTRATION", components.registration_portal),
                             ("RESET", components.reset_portal)):
        whole = props.get(f"{prefix}_ACCOUNT")
        if not selected or not whole:
            continue
        domain, name = split_account(whole)
        for part, want in ((f"{prefix}_ACCOUNT_NAME", name), (f"{prefix}_ACCOUNT_DOMAIN", domain)):
            if part in props and props[part].lower() != want.lower():
                result.notes.append(
                    f"{part} differs from {prefix}_ACCOUNT: the plan passes the part of "
                    f"{prefix}_ACCOUNT instead (a password there would be logged)")


def _left_to_package(data: dict[str, Any], props: dict[str, str]) -> tuple[list[str], list[str]]:
    """Properties the plan would add that the original line did not set: those that are not
    the package's own default are left to it ([msi] package_defaults); the others are named.
    Passwords and mimsetup's fixed REBOOT are not counted. Nothing when the file has errors."""
    import copy

    from tui.model.msi import PACKAGE_DEFAULTS, build_plan
    from tui.model.validation import validate_data

    trial = copy.deepcopy(data)
    Imported(trial).refer_to("imported.secrets.toml")
    trial.setdefault("install", {})["msi_path"] = "C:\\placeholder.msi"  # not a property
    loaded = validate_data(trial)
    if not loaded.ok:
        return [], []
    left, added = [], []
    for p in build_plan(loaded.answers).properties:
        if p.name in props or p.secret is not None or not p.source or p.name == "ADDLOCAL":
            continue
        if p.source.startswith("msi."):
            continue
        if PACKAGE_DEFAULTS.get(p.name) == p.value:
            added.append(f"{p.name}={p.value}")
        else:
            left.append(p.name)
    return left, added


def _components(addlocal: str, remove: str) -> dict[str, bool]:
    features = {f.strip() for f in addlocal.split(",") if f.strip()}
    removed = {f.strip() for f in remove.split(",") if f.strip()}
    everything = "ALL" in {f.upper() for f in features}
    return {
        m.name: (everything or m.feature in features) and m.feature not in removed
        for m in Components.fields()
        if m.feature
    }
