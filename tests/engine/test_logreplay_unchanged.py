"""The simulated msiexec's log is the same as before the simulated target got its own log reader
(sim/logformat.py, replacing the client's classifier): digests of every outcome's lines and times,
as is and grown and moved across midnight, and of the files written in English and German, taken
from the code before that change. A different digest means the log the client is tested against
changed: if that is meant, say why in the commit and take the new digest."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime

import pytest

from tui.engine.sim.logreplay import LogReplayer, build_script

BEFORE = {
    "0-x1-asis": "7ba8a55099d94f962ec733d1581ec6bd9b4bc1b5259ef1729b476de1f41572d3",
    "0-x1-rebased": "f6f251b36c1d697d4bddaac04dca2073e847bc879e9a910e7801f53f517f7195",
    "0-x3-asis": "20a9aff2fb413dc7c7f3ac48f731238ff7a9afa4f1af02ac2f593b6a1577d68b",
    "0-x3-rebased": "7730f0499eaf15ec12aa1cc97ebee0155404983848ae25436c058db1f50f1f7e",
    "3010-x1-asis": "eff3024ac2252e5a56d0a331a48492c42a411d7f49b23511915149414bc378ff",
    "3010-x1-rebased": "f9535a4a677ef21e1e72040adc48635845c90dd386e406e673ffcc8530161228",
    "3010-x3-asis": "dd4765838def67dd8c0cf81eb9cbf6dc7d669007074144563282286fbf11eaa8",
    "3010-x3-rebased": "3fd8467b691ef1d2f9488959cf4a6edc8a85dc84cbe4fedc8c18aaca66af0c90",
    "1603-x1-asis": "a499381fbd3a0e3ff3f0dff5de9ea35994ba356e0ecc90b7691d7d56d4ddc712",
    "1603-x1-rebased": "01dc05100ae591c8ea8f3d322e93467b962cc053086bca4b12b9f37f0aeb45c6",
    "1603-x3-asis": "f1d8e3902c0416745f69799f35236bc773d1134e26b0802899c63e1a5a661df7",
    "1603-x3-rebased": "6002ebe2a654aff12733f9e5cd739ea11caee92c8d30b35c2b40bbb4cb0adc5a",
}
FILES = {
    "0-en": "1b680f20b0b8c84eee84f5f137ddf8a82ace7b09a48b9f27e0565d26438580fd",
    "0-de": "3d3e41d9ccd6926764b7a39292c8cf67a001f3dbc7fd970d8e544e518f888320",
    "1603-en": "e8313f9b5f62eb7abf34814b238174656383b3f4255838e5f441e9e787a5757e",
    "1603-de": "7169cf1bb42c8f00648dc218a1d7641a50333d2cbb78eef2a9d0968298993cf8",
}
NEAR_MIDNIGHT = datetime(2026, 11, 30, 23, 58, 1, 250000)  # the log runs into the next day


@pytest.mark.parametrize("key", sorted(BEFORE))
def test_replayed_lines_and_times_are_unchanged(key: str) -> None:
    outcome, scale, how = key.split("-")
    script = build_script(int(outcome), scale=int(scale[1:]),
                          rebase=NEAR_MIDNIGHT if how == "rebased" else None)
    h = hashlib.sha256()
    for line in script:
        h.update(f"{line.at!r}\t{line.text}\n".encode())
    assert h.hexdigest() == BEFORE[key]


@pytest.mark.parametrize("key", sorted(FILES))
def test_replayed_file_bytes_are_unchanged(key: str, tmp_path) -> None:
    outcome, language = key.split("-")
    path = tmp_path / "install.log"
    LogReplayer(path, int(outcome), speed=math.inf, language=language,
                rebase=datetime(2026, 1, 5, 7, 1, 2)).run()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == FILES[key]
