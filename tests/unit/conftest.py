"""Fixtures of the answer-file unit tests (helpers are in tests/support/)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.answers import contoso_data


@pytest.fixture
def data() -> dict[str, Any]:
    return contoso_data()
