"""Crash durability of what the versions concerns acknowledged: published versions (and their
code), aliases with their weights, function and layer version policies, reserved concurrency
and layers survive a ``kill -9`` and a restart; version and layer numbers go on counting."""

from __future__ import annotations

import json
import shutil

import pytest
from lambda_helpers import create_python_function, zip_of
from serverproc import ServerProcess

from aws_clients import make_client

CODE = "def handler(event, context):\n    return {'v': %d}\n"


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_versions_aliases_policies_survive_kill_9(own_server, tmp_path):
    lam = make_client(own_server.endpoint, "lambda")
    create_python_function(lam, "durable", CODE % 1)
    lam.publish_version(FunctionName="durable")
    lam.update_function_code(FunctionName="durable", ZipFile=zip_of({"lambda_function.py": CODE % 2}))
    lam.get_waiter("function_updated_v2").wait(FunctionName="durable", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    lam.publish_version(FunctionName="durable")
    alias = lam.create_alias(FunctionName="durable", Name="live", FunctionVersion="1",
                             RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    lam.add_permission(FunctionName="durable", StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com")
    lam.put_function_concurrency(FunctionName="durable", ReservedConcurrentExecutions=7)
    layer = lam.publish_layer_version(LayerName="kept-layer", Content={"ZipFile": zip_of({"a.txt": "a"})})
    lam.add_layer_version_permission(LayerName="kept-layer", VersionNumber=1, StatementId="all",
                                     Action="lambda:GetLayerVersion", Principal="*")
    policy = lam.get_policy(FunctionName="durable")

    own_server.kill()
    shutil.rmtree(tmp_path / "data" / "lambda-code", ignore_errors=True)  # a cache, re-extracted on demand
    own_server.start()
    lam = make_client(own_server.endpoint, "lambda")

    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="durable")["Versions"]] == [
        "$LATEST", "1", "2"]
    # each version still runs its own code
    assert json.loads(lam.invoke(FunctionName="durable", Qualifier="1")["Payload"].read()) == {"v": 1}
    assert json.loads(lam.invoke(FunctionName="durable", Qualifier="2")["Payload"].read()) == {"v": 2}
    got = lam.get_alias(FunctionName="durable", Name="live")
    assert got["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    assert got["RevisionId"] == alias["RevisionId"]
    after = lam.get_policy(FunctionName="durable")
    assert (after["Policy"], after["RevisionId"]) == (policy["Policy"], policy["RevisionId"])
    assert lam.get_function_concurrency(FunctionName="durable")["ReservedConcurrentExecutions"] == 7
    assert lam.get_layer_version(LayerName="kept-layer", VersionNumber=1)["Content"]["CodeSha256"] == \
        layer["Content"]["CodeSha256"]
    assert json.loads(lam.get_layer_version_policy(LayerName="kept-layer", VersionNumber=1)["Policy"])[
        "Statement"][0]["Sid"] == "all"
    # numbers go on from where they were
    lam.update_function_configuration(FunctionName="durable", Timeout=5)
    lam.get_waiter("function_updated_v2").wait(FunctionName="durable", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    assert lam.publish_version(FunctionName="durable")["Version"] == "3"
    assert lam.publish_layer_version(LayerName="kept-layer", Content={"ZipFile": zip_of({"b.txt": "b"})})[
        "Version"] == 2
