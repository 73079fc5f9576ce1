"""A package or log on a network share cannot work from the install's WinRM logon (the double
hop, #15.7): the model refuses them, naming the field and the fix, in both validators."""

from __future__ import annotations

import pytest

from tests.support.answers import contoso_data
from tui.model import validation

SHARE = "\\\\fileserver\\mim\\Service and Portal\\Service and Portal.msi"


@pytest.mark.parametrize("validator", [validation.pydantic, validation.quick],
                         ids=["pydantic", "compiled"])
@pytest.mark.parametrize("field, value", [
    ("msi_path", SHARE),
    ("log_path", "\\\\fileserver\\logs\\mim.log"),
])
def test_a_share_is_refused_with_a_remedy(validator, field, value):
    data = contoso_data()
    data["install"][field] = value
    loaded = validator().validate_data(data)
    (problem,) = [p for p in loaded.problems if p.path == f"install.{field}"]
    assert problem.is_error
    assert "network share" in problem.message and "double hop" in problem.message
    assert "copy it to the target first" in problem.message + problem.fix
    assert "C:\\Install\\" in problem.message + problem.fix


def test_a_path_on_the_targets_disk_is_fine():
    data = contoso_data()
    data["install"]["msi_path"] = "D:\\Media\\MIM\\Service and Portal.msi"
    data["install"]["log_path"] = "D:\\Logs\\mim.log"
    assert not [p for p in validation.pydantic().validate_data(data).problems if p.is_error]
