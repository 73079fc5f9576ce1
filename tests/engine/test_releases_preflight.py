"""The pre-flight knows the package by its name and release, not one ProductCode (#14.1), and
checks what the release requires (#14.2), against the simulated target's media of several
releases (scenarios sp2-media, sp3-media, sp2-installed)."""

from __future__ import annotations

import pytest

from tests.support.answers import contoso
from tests.support.sim import checks_of, run_direct, with_password
from tui.engine.preflight import preflight_params
from tui.engine.sim import packages
from tui.engine.sim.machine import WindowsMachine


def _checks(scenario, answers=None, change=None):
    a = answers or contoso()
    with WindowsMachine(scenario, answers=a) as m:
        if change:
            change(m.state)
        out, err, code = run_direct(m, "preflight", with_password(preflight_params(a)))
    assert (code, err) == (0, "")
    return checks_of(out)


def test_a_release_with_another_product_code_is_mim():
    checks = _checks("sp2-media")
    product = checks["msi-product"]
    assert product["status"] == "pass", product
    assert packages.SP2["ProductCode"] in product["message"]
    assert "MIM 2016 SP2" in product["message"] and "4.6.673.0" in product["message"]
    assert "0782FB14" not in str(preflight_params(contoso()))  # no one code decides


def test_an_installed_release_is_found_whatever_its_product_code():
    installed = _checks("sp2-installed")["mim-installed"]
    assert installed["status"] == "fail"
    assert "4.6.673.0" in installed["message"]


def test_sp3_needs_sharepoint_subscription_edition_for_its_portal():
    checks = _checks("sp3-media")
    assert checks["release-windows"]["status"] == "pass"  # Windows Server 2019
    sp = checks["release-sharepoint"]
    assert sp["status"] == "fail" and "SharePoint Subscription Edition" in sp["message"]
    no_portal = contoso()
    no_portal.components.portal = False
    assert _checks("sp3-media", no_portal)["release-sharepoint"]["status"] == "skip"


def test_sp3_only_on_windows_server_2019_or_2022():
    checks = _checks("sp3-media", change=lambda s: setattr(s, "os_build", 14393))
    windows = checks["release-windows"]
    assert windows["status"] == "fail"
    assert "Windows Server 2019 or Windows Server 2022" in windows["message"]


@pytest.mark.parametrize(("installed", "status"), [("4.6.607.0", "fail"), ("4.6.673.0", "pass")])
def test_upgrade_to_sp3_only_from_4_6_673(installed, status):
    def older(s):
        s.add_product("{11111111-2222-3333-4444-555555555555}", packages.NAME, installed, "",
                      packages.UPGRADE_CODE)

    upgrade = _checks("sp3-media", change=older)["release-upgrade"]
    assert upgrade["status"] == status, upgrade
    if status == "fail":
        assert "4.6.673.0" in upgrade["message"] and "4.6.607.0" in upgrade["message"]


def test_gmsa_needs_sp2_and_exchange_online_sp1():
    a = contoso()
    a.service_account.managed, a.service_account.name = True, "MIMService$"

    def sp1(s):
        for f in s.root.rglob("*.msi"):
            if packages.UPGRADE_CODE in f.read_text(encoding="utf-8", errors="replace"):
                f.write_text(f.read_text(encoding="utf-8").replace(
                    '"4.6.607.0"', '"4.4.1459.0"'), encoding="utf-8")

    features = _checks("healthy", a, sp1)["release-features"]
    assert features["status"] == "fail" and "MIM 2016 SP2 (4.6.34.0)" in features["message"]
    b = contoso()
    b.mail.exchange_online = True
    features = _checks("healthy", b, sp1)["release-features"]
    assert features["status"] == "pass"  # SP1 has Exchange Online


def test_media_of_another_release_installs_under_its_own_code(tmp_path, monkeypatch):
    # The simulated msiexec installs any release's package (Windows Installer knows a product by
    # the package's own ProductCode), and the next pre-flight finds it installed.
    from tests.support.sim import rig
    from tui.engine import preflight as pf
    from tui.engine.install import install

    monkeypatch.setenv("MIMSETUP_STATE_DIR", str(tmp_path / "state"))
    with rig("sp2-media") as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "success", result
        products = r.machine.state.products
        assert packages.SP2["ProductCode"] in products and pf.PRODUCT_CODE not in products
        assert products[packages.SP2["ProductCode"]].version == "4.6.673.0"
