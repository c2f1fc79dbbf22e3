"""Crash durability of functions: what CreateFunction, UpdateFunctionCode and
UpdateFunctionConfiguration acknowledged survives a ``kill -9`` and a restart — the
configuration, the tags and the exact package (Code.Location still downloads it, byte for
byte) — and a deleted function stays deleted."""

from __future__ import annotations

import shutil
import urllib.request

import pytest
from lambda_helpers import create_python_function, error_of, zip_of
from serverproc import ServerProcess

from aws_clients import make_client

CODE = "def handler(event, context):\n    return {'ok': True}\n"


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def _download(lam, name: str) -> bytes:
    with urllib.request.urlopen(lam.get_function(FunctionName=name)["Code"]["Location"], timeout=10) as response:
        return response.read()


def test_functions_survive_kill_9(own_server, tmp_path):
    lam = make_client(own_server.endpoint, "lambda")
    create_python_function(lam, "kept", CODE, Tags={"team": "a"})
    second = zip_of({"lambda_function.py": CODE + "# second\n"})
    updated = lam.update_function_code(FunctionName="kept", ZipFile=second)
    configured = lam.update_function_configuration(FunctionName="kept", Timeout=42,
                                                   Environment={"Variables": {"KV": "v"}})
    create_python_function(lam, "dropped", CODE)
    lam.delete_function(FunctionName="dropped")

    # the replaced and the deleted packages are gone from the blob store: only "kept"'s code is left
    stored = [p for p in (tmp_path / "data" / "blobs" / "lambda").rglob("*") if p.is_file()
              and ".partial" not in p.parts]
    assert [p.read_bytes() for p in stored] == [second]

    own_server.kill()
    # the extracted packages are a cache: a restart re-extracts what it needs from the blob store
    shutil.rmtree(tmp_path / "data" / "lambda-code", ignore_errors=True)
    own_server.start()
    lam = make_client(own_server.endpoint, "lambda")

    config = lam.get_function_configuration(FunctionName="kept")
    assert (config["Timeout"], config["Environment"], config["CodeSha256"], config["CodeSize"]) == (
        42, {"Variables": {"KV": "v"}}, updated["CodeSha256"], len(second))
    assert config["RevisionId"] == configured["RevisionId"] and config["State"] == "Active"
    assert lam.list_tags(Resource=config["FunctionArn"])["Tags"] == {"team": "a"}
    assert _download(lam, "kept") == second
    assert lam.invoke(FunctionName="kept")["Payload"].read() == b'{"ok": true}'  # runs the re-extracted code
    assert error_of(lam.get_function, FunctionName="dropped", status=404)[0] == "ResourceNotFoundException"
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["kept"]
