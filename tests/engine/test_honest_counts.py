"""#13.7: the pre-flight states what its connection cost as the server saw it: every HTTP
request (the logon's legs, Create and Delete included), the logons, the shells."""

from __future__ import annotations

import re

from tests.support.answers import contoso
from tests.support.cli import run_cli
from tests.support.sim import PW_ENV, target_toml, write_answers
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget


def test_preflight_counts_requests_logons_and_shells_as_the_server_saw_them(
    tmp_path, monkeypatch
):
    with WindowsMachine("healthy", answers=contoso()) as m, SimTarget(machine=m) as t:
        monkeypatch.setenv(PW_ENV, t.endpoint.password)
        path = write_answers(tmp_path, target_toml(t, https=False))
        r = run_cli("preflight", str(path))
        code, out, err = r.returncode, r.stdout, r.stderr
        c = t.counters
        assert code == 0, err
        m_ = re.search(r"(\d+) HTTP requests, (\d+) logon\(s\), (\d+) shell\(s\)", out)
        assert m_, out
        assert int(m_.group(1)) == c.http_requests > sum(c.requests.values())
        assert int(m_.group(2)) == c.ntlm_handshakes == 1
        assert int(m_.group(3)) == c.requests["Create"] == 1
