"""Fleet files wherever an answer file goes (#16.13): every command that takes an answer file
takes a fleet file (each host, or the one --host-name names), and no command calls a file
invalid that `validate` calls valid."""

from __future__ import annotations

import json

from tests.support.answers import SENTINEL
from tests.support.cli import mimsetup
from tests.support.paths import ANSWERS
from tests.support.sim import fleet_file, two_targets
from tui.engine.sim.install_script import installer_of

FLEET = str(ANSWERS / "fleet-contoso.toml")
CONTRADICTIONS = ("unknown key 'kind'", "not a valid answer file", "Traceback", "internal error")


def _clean(r) -> str:
    out = r.stdout + r.stderr
    assert not any(c in out for c in CONTRADICTIONS), out[-2000:]
    assert SENTINEL not in out
    return out


def test_every_command_takes_a_fleet_file(tmp_path):
    with two_targets() as sims:
        path = fleet_file(tmp_path, sims)
        pw = {"SIM_ADMIN_PW": sims[0][0].endpoint.password}
        assert mimsetup(["validate", path], tmp_path).returncode == 0
        # plan: every host's command line, or one host's
        r = mimsetup(["plan", path], tmp_path)
        assert r.returncode == 0 and "# mim01" in _clean(r) and "# mim02" in r.stdout
        assert "EXISTINGDATABASE=1" in r.stdout.split("# mim02")[1]
        r = mimsetup(["plan", path, "--host-name", "mim02", "--format", "json"], tmp_path)
        assert json.loads(_clean(r) and r.stdout)["properties"]["EXISTINGDATABASE"] == "1"
        # preflight: every host in turn, each with its heading; or the one named
        r = mimsetup(["preflight", path, "--yes"], tmp_path, **pw)
        out = _clean(r)
        assert r.returncode == 0, out[-2000:]
        assert "== host mim01" in out and "== host mim02" in out
        r = mimsetup(["preflight", path, "--yes", "--json"], tmp_path, **pw)
        hosts = json.loads(_clean(r) and r.stdout)["hosts"]
        assert r.returncode == 0 and list(hosts) == ["mim01", "mim02"]
        assert all(h["target"].startswith(n + " (") for n, h in hosts.items())
        r = mimsetup(["preflight", path, "--yes", "--host-name", "mim02", "--json"], tmp_path,
                     **pw)
        assert r.returncode == 0 and json.loads(_clean(r) and r.stdout)["target"].startswith(
            "mim02 (")
        # check: one host (nothing installed yet: items fail, but the file is taken)
        r = mimsetup(["check", path, "--yes", "--host-name", "mim01"], tmp_path, **pw)
        assert r.returncode in (0, 1) and "FIMService" in _clean(r)
        # the exports
        r = mimsetup(["export", "powershell", path, "--host-name", "mim02"], tmp_path)
        assert r.returncode == 0 and "EXISTINGDATABASE" in _clean(r)
        r = mimsetup(["export", "ansible", path, "-o", str(tmp_path / "ans")], tmp_path)
        assert r.returncode == 0, _clean(r)
        # apply: one host of the fleet, as an answer file would be
        r = mimsetup(["apply", path, "--yes", "--host-name", "mim02"], tmp_path, timeout=180,
                     **pw)
        out = _clean(r)
        assert r.returncode == 0 and "installed successfully" in out, out[-2000:]
        (run,) = installer_of(sims[1][1]).runs
        assert run.properties["EXISTINGDATABASE"] == "1" and not installer_of(sims[0][1]).runs


def test_host_name_mistakes_are_usage_problems(tmp_path):
    r = mimsetup(["plan", FLEET, "--host-name", "nosuch"], tmp_path)
    assert r.returncode == 2 and "its hosts: mim01, mim02, sspr01" in _clean(r)
    r = mimsetup(["preflight", str(ANSWERS / "contoso.toml"), "--host-name", "mim01"], tmp_path)
    assert r.returncode == 2 and "is an answer file" in _clean(r)
    r = mimsetup(["preflight", FLEET, "--host", "corpidm"], tmp_path)
    assert r.returncode == 2 and "--host cannot apply to every host" in _clean(r)


def test_an_invalid_fleet_file_is_invalid_for_every_command(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 1\nkind = "fleet"\nbase = "nosuch.toml"\n'
                   '[hosts.a.target]\nhost = "a"\n')
    assert mimsetup(["validate", str(bad)], tmp_path).returncode == 1
    for args in (["plan"], ["preflight", "--yes"], ["demo", "--headless"],
                 ["check", "--yes"]):
        r = mimsetup([args[0], str(bad), *args[1:]], tmp_path)
        out = r.stdout + r.stderr
        assert r.returncode in (1, 2) and "nosuch.toml" in out, (args, out)
        assert "unknown key 'kind'" not in out and "Traceback" not in out


def test_demo_runs_a_fleet_one_simulated_server_per_host(tmp_path):
    r = mimsetup(["demo", "--headless", FLEET], tmp_path, MIMSETUP_DEMO_SPEED="1000",
                 timeout=240)
    out = _clean(r)
    assert r.returncode == 0, out[-3000:]
    assert out.count("is a simulated Windows server at") == 3
    assert "Order: mim01 then mim02, sspr01" in out
    # mim01 (it creates the database) finishes before the others start
    assert out.index("[mim01] == ") < out.index("[mim02] ") and \
        out.index("[mim01] == ") < out.index("[sspr01] ")
    assert "3 of 3 host(s) installed" in out
    for host in ("mim01", "mim02", "sspr01"):  # each host's result once, not twice
        assert out.count(f"[{host}] == MIM Service and Portal installed successfully.") == 1


def test_each_field_to_be_asked_is_asked_not_one_answer_for_all(tmp_path):
    """Every `{ prompt = true }` compared equal, so a fleet asked once and gave that one answer
    to the logon, the service account and the pools alike: each field is its own question
    (asked once for every host that shares it)."""
    r = mimsetup(["apply", FLEET, "--yes"], tmp_path)
    err = _clean(r)
    assert r.returncode == 2
    for field in ("target.password", "service_account.password",
                  "registration_portal.password", "reset_portal.password"):
        assert err.count(f"({field})") == 1, err
