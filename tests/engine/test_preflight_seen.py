"""The pre-flight reports only what it saw, on the simulated target playing Windows as documented
(windows-behaviour.md): reasons and statuses, never wording."""

from __future__ import annotations

from tests.support.answers import contoso
from tests.support.sim import ADMIN, checks_of, run_direct, with_password
from tui.engine.preflight import preflight_params
from tui.engine.sim.machine import WindowsMachine


def _farm(change) -> dict:
    a = contoso()
    with WindowsMachine("healthy", answers=a) as m:
        change(m.state)
        checks = checks_of(run_direct(m, "preflight", with_password(preflight_params(a)))[0])
    return checks["sharepoint-farm"]


def test_reading_the_farm_is_not_administering_it():
    # Get-SPFarm needs shell access to the configuration database; the installer needs a farm
    # administrator (SPFarm.CurrentUserIsAdministrator).
    def shell_only(s):
        s.sharepoint_farm_admins.clear()
        s.sharepoint_shell_users.add(ADMIN.lower())
    farm = _farm(shell_only)
    assert (farm["status"], farm["reason"]) == ("fail", "not-farm-admin")
    assert _farm(lambda s: None)["status"] == "pass"


def test_only_mims_own_solution_packs_are_leftovers():
    farm = _farm(lambda s: s.sharepoint_solutions.extend(["FilmLibrary.wsp", "contoso.wsp"]))
    assert (farm["status"], farm["reason"]) == ("pass", "ok")
    farm = _farm(lambda s: s.sharepoint_solutions.append("microsoftilmportalcommondlls.wsp"))
    assert (farm["reason"], farm["values"]["solutions"]) == (
        "solution-exists", "microsoftilmportalcommondlls.wsp")


def test_a_gmsa_whose_computer_groups_cannot_be_read_is_unread_not_refused():
    # tokenGroups always holds the primary group: none given means not read (hardened AD)
    a = contoso()
    a.service_account.managed = True
    a.service_account.name = "MIMService$"
    with WindowsMachine("healthy", answers=a) as m:
        m.state.token_groups_readable = False
        checks = checks_of(run_direct(m, "preflight", with_password(preflight_params(a)))[0])
    gmsa = checks["gmsa-password"]
    assert (gmsa["status"], gmsa["reason"]) == ("warn", "unread")
