"""A function's layers as the runtime receives them, in process: ``layer_root`` merges them in
order (a later layer's file wins, as in AWS's /opt), ``layer_environment`` points the runtime's
search paths at it, and ``layer_references`` checks a function's Layers as AWS does."""

from __future__ import annotations

import asyncio
import sys

import pytest
from lambda_helpers import PYTHON_RUNTIME, zip_of

from overcast.cloud import Cloud
from overcast.config import Settings
from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.storage.scope import Scope

ACCOUNT = "123456789012"
SCOPE = Scope(ACCOUNT, "us-east-1")
HANDLER = zip_of({"lambda_function.py": "def handler(event, context):\n    return 1\n"})


async def _with_layers(tmp_path, check):
    cloud = Cloud(Settings(data_dir=str(tmp_path)))
    await cloud.start()
    try:
        provider = await cloud.services.started("lambda")
        calls = RequestContext(account=ACCOUNT, region="us-east-1", service="lambda", registry=cloud.services,
                               host="localhost").services
        first = await calls.call("lambda", "PublishLayerVersion", {"LayerName": "base", "Content": {"ZipFile": zip_of(
            {"python/shared.py": "WHO = 'base'\n", "bin/tool": "#!/bin/sh\n", "python/only_base.py": ""})}})
        second = await calls.call("lambda", "PublishLayerVersion", {"LayerName": "override", "Content": {
            "ZipFile": zip_of({"python/shared.py": "WHO = 'override'\n"})}})
        await calls.call("lambda", "CreateFunction", {
            "FunctionName": "layered", "Runtime": PYTHON_RUNTIME, "Handler": "lambda_function.handler",
            "Role": f"arn:aws:iam::{ACCOUNT}:role/r", "Code": {"ZipFile": HANDLER},
            "Layers": [first["LayerVersionArn"], second["LayerVersionArn"]]})
        await check(provider, first, second)
    finally:
        await cloud.stop()


def test_layers_merge_in_order_and_reach_the_search_paths(tmp_path):
    async def check(provider, first, second):
        fv = provider.resolve_function(SCOPE, "layered")
        root = provider.layer_root(fv)
        assert (root / "python" / "shared.py").read_text() == "WHO = 'override'\n"
        assert (root / "python" / "only_base.py").exists() and (root / "bin" / "tool").exists()
        assert provider.layer_root(fv) == root  # built once per combination
        env = provider.layer_environment(fv, {"PATH": "/usr/bin", "PYTHONPATH": "/mine"})
        assert env["PATH"] == f"{root / 'bin'}:/usr/bin"
        assert env["PYTHONPATH"].split(":") == [str(root / "python"),
                                                str(root / "python" / "lib" / PYTHON_RUNTIME / "site-packages"),
                                                "/mine"]
        assert env["LD_LIBRARY_PATH"] == str(root / "lib") and "NODE_PATH" not in env
        # a deleted layer version still serves the function that uses it
        used = provider.layer_dirs(fv)
        assert len(used) == 2
        provider.db.execute("UPDATE layer_versions SET deleted = 1")
        assert provider.layer_dirs(fv) == used
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import shared; print(shared.WHO)", env={"PYTHONPATH": env["PYTHONPATH"]},
            stdout=asyncio.subprocess.PIPE)
        assert (await proc.communicate())[0] == b"override\n"

    asyncio.run(_with_layers(tmp_path, check))


def test_layer_references_are_checked(tmp_path):
    async def check(provider, first, second):
        arn = first["LayerVersionArn"]
        assert provider.layer_references(SCOPE, [arn]) == [{"Arn": arn, "CodeSize": first["Content"]["CodeSize"]}]
        cases = {
            (arn,) * 6: "Cannot reference more than 5 layers.",
            (arn[:-1] + "9",): f"Layer version {arn[:-1]}9 does not exist.",
            (arn.replace("us-east-1", "eu-west-1"),): "Layers are not in the same region as the function. Layers "
                                                      "are expected to be in region us-east-1.",
        }
        for arns, message in cases.items():
            with pytest.raises(AwsError) as caught:
                provider.layer_references(SCOPE, list(arns))
            assert (caught.value.code, caught.value.message) == ("InvalidParameterValueException", message)
        await provider_publish_again(provider)
        with pytest.raises(AwsError) as caught:
            provider.layer_references(SCOPE, [arn, arn[:-1] + "2"])
        assert caught.value.message.startswith("Two different versions of the same layer are not allowed")

    async def provider_publish_again(provider):
        calls = RequestContext(account=ACCOUNT, region="us-east-1", service="lambda",
                               registry=provider.cloud.services, host="localhost").services
        await calls.call("lambda", "PublishLayerVersion", {"LayerName": "base", "Content": {
            "ZipFile": zip_of({"a": "b"})}})

    asyncio.run(_with_layers(tmp_path, check))
