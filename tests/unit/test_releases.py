"""The releases table (tui/model/releases.json): one table, its facts as the reference gives them,
and the wizard's help made from it."""

from __future__ import annotations

from tui.model import releases
from tui.model.service import Mail, ServiceAccount
from tui.model.target import Install


def _help(model, name):
    return next(m.help for m in model.fields() if m.name == name)


def test_each_build_belongs_to_its_release():
    assert [r["id"] for r in releases.releases()] == ["fim2010r2", "rtm", "sp1", "sp2", "sp3"]
    assert releases.release_of("4.1.2273.0")["id"] == "fim2010r2"
    assert releases.release_of("4.5.412.0")["id"] == "sp1"  # SP1's rollups are 4.5.x
    for build in releases.release_of("4.6.34.0")["builds"]:
        assert releases.release_of(build)["id"] == "sp2"
    assert releases.release_of("4.7.1.0")["id"] == "sp3"
    assert releases.release_of("5.0.0.0") is None
    assert releases.release_of("not a version") is None


def test_what_each_release_requires():
    assert releases.first_with("gmsa")["id"] == "sp2"
    assert releases.first_with("exchange_online")["id"] == "sp1"
    sp3 = releases.releases()[-1]
    assert set(sp3["windows_server"]) == {"2019", "2022"}
    assert sp3["portal_sharepoint"]["title"] == "SharePoint Subscription Edition"
    # in-place upgrade to SP3 only from SP2's last rollup
    assert sp3["upgrade_from"] == "4.6.673.0"
    assert "4.6.673.0" in releases.release_of("4.6.34.0")["builds"]
    assert all(r["source"] in releases.table()["sources"] for r in releases.releases())


def test_the_wizard_says_it_where_it_asks():
    assert releases.since("gmsa") in _help(ServiceAccount, "managed")
    assert "MIM 2016 SP2 (4.6.34.0)" in _help(ServiceAccount, "managed")
    assert releases.since("exchange_online") in _help(Mail, "exchange_online")
    assert "Windows Server 2019 or Windows Server 2022" in _help(Install, "msi_path")
    assert "4.6.673.0" in _help(Install, "msi_path")
