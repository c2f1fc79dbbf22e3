"""Fixtures: a real Overcast server on a free port, and boto3 / AWS CLI clients for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from aws_clients import CREDENTIALS, REGION, STRICT, make_client  # noqa: E402,F401
from serverproc import ServerProcess  # noqa: E402


# Modules that take minutes on their own: collected first, so a worker starts them at once
# instead of leaving them for the end of the run (the suite runs on two workers).
LONG_MODULES = ("tests/test_strict_mode_suites.py",)


def pytest_collection_modifyitems(config, items):
    """Long modules go first; in a strict-mode run, the tests that only make sense in open mode
    are skipped."""
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_MODULES))  # stable: order kept otherwise
    if not STRICT:
        return
    skip = pytest.mark.skip(reason="open mode only (OVERCAST_TEST_MODE=strict)")
    for item in items:
        if item.get_closest_marker("open_mode_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One Overcast process for the whole session (state is reset before each test).

    ``OVERCAST_TEST_MODE=strict`` runs it with ``--strict`` (signatures verified, every call
    authorized): the suites then show that strict mode changes nothing for an account's root."""
    extra = ("--strict",) if STRICT else ()
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-data")), *extra).start()
    yield proc
    proc.stop()


@pytest.fixture(autouse=True)
def _reset_state(request):
    """Every test that uses the server starts from an empty cloud."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").post("/_overcast/reset")
    yield


@pytest.fixture(scope="session")
def endpoint(server) -> str:
    return server.endpoint


@pytest.fixture
def aws_client(endpoint):
    """``aws_client("sqs")`` -> a boto3 client for Overcast."""

    def factory(service: str, **kwargs):
        return make_client(endpoint, service, **kwargs)

    return factory


@pytest.fixture
def aws_cli(endpoint, tmp_path):
    """``aws_cli("sts", "get-caller-identity")`` -> parsed JSON output (raises on failure)."""

    def run(*args: str, check: bool = True, env: dict | None = None):
        full_env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
            **(env or {}),
        }
        full_env.pop("AWS_PROFILE", None)
        proc = subprocess.run(
            ["aws", "--endpoint-url", endpoint, "--output", "json", *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
        if not check:
            return proc
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    return run
