"""Messages that help (#16.6): an e-mail address's problem says what is wrong and the address it
was probably meant to be; a portal port the next page forbids is never suggested."""

from __future__ import annotations

import pytest

from tests.support.answers import contoso_data
from tui.model.rules import email
from tui.model.validation import validate_data


@pytest.mark.parametrize(("typed", "said"), [
    ("MIMService.contoso.local", "write it like MIMService@contoso.local"),
    ("MIMService@contoso", "the domain 'contoso' has no dot"),
    ("contoso", "write it like MIMService@contoso.local"),
    ("contoso.local", "write it like MIMService@contoso.local"),
    ("MIM Service@contoso.local", "no spaces"),
    ("@contoso.local", "before the @"),
    ("a@b@contoso.local", "more than one @"),
])
def test_email_problems_say_why_and_what(typed, said):
    with pytest.raises(ValueError) as exc:
        email(typed)
    assert said in str(exc.value)
    assert ".local.local" not in str(exc.value)


def test_a_forbidden_portal_port_is_not_suggested_in_the_url():
    data = contoso_data()
    data["registration_portal"]["port"] = 5725
    found = validate_data(data).problems
    assert any(p.path == "registration_portal.port" and p.is_error for p in found)
    assert not any(":5725" in p.fix or ":5726" in p.fix for p in found), [p.format() for p in found]
