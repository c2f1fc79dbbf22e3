"""The SQS suite and the core S3 suites again, against a ``--strict`` server.

The same tests in both modes: strict mode verifies every signature and authorizes every call,
and must change nothing for an account's root doing its own work. The tests marked
``open_mode_only`` (hand-built unsigned requests, another account's resources without a
policy) are skipped there. The whole S3 and SQS suites pass the same way:
``OVERCAST_TEST_MODE=strict python3 -m pytest tests/services/s3 tests/services/sqs``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = [
    "tests/services/sqs",
    "tests/services/s3/test_s3_objects.py",
    "tests/services/s3/test_s3_versioning.py",
    "tests/services/s3/test_s3_listing.py",
    "tests/services/s3/test_s3_multipart.py",
    "tests/services/s3/test_s3_copy.py",
    "tests/services/s3/test_s3_delete_objects.py",
    "tests/services/s3/test_s3_transfer.py",
]


@pytest.mark.skipif(os.environ.get("OVERCAST_TEST_MODE") == "strict", reason="this run is strict already")
def test_service_suites_pass_in_strict_mode():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES],
        cwd=ROOT, env={**os.environ, "OVERCAST_TEST_MODE": "strict"}, capture_output=True, text=True, timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout.splitlines()[-1]
