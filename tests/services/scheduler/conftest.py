"""Every Scheduler test that uses the session server has the execution role its schedules
name: trusted by scheduler.amazonaws.com and allowed what the targets need, so the suites
behave the same in open and strict mode (strict mode assumes the role for each call)."""

from __future__ import annotations

import pytest
from scheduler_helpers import make_role


@pytest.fixture(autouse=True)
def _execution_role(request):
    if "server" in request.fixturenames:
        make_role(request.getfixturevalue("aws_client")("iam"))
    yield
