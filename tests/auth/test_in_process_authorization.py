"""In-process calls made with the caller's permissions (``ctx.services.call(..., authorize=True)``):
in strict mode the callee's operation is authorized for the caller's principal first, as AWS
does when a service uses another on the caller's behalf (S3's SSE-KMS asking KMS for a data key);
without ``authorize`` the call is the service's own and is not authorized."""

from __future__ import annotations

import asyncio
import json

from overcast.auth.authorization.authorizer import Authorizer
from overcast.cloud import Cloud
from overcast.config import Settings
from overcast.context import RequestContext
from overcast.errors import AwsError

ACCOUNT = "000000000000"


def _ctx(cloud, credential, service="s3"):
    return RequestContext(account=ACCOUNT, region="us-east-1", service=service, operation="PutObject",
                          protocol="rest-xml", credential=credential, registry=cloud.services)


async def _scenario(data_dir):
    cloud = Cloud(Settings.from_env({}, data_dir=data_dir, strict=True))
    await cloud.start()
    cloud.services.authorizer = Authorizer(cloud.services, cloud.clock, cloud.authorization_messages)
    try:
        root = cloud.credentials.lookup(ACCOUNT)
        as_root = _ctx(cloud, root, "iam")
        iam = as_root.services
        key_id = (await iam.call("kms", "CreateKey", {}))["KeyMetadata"]["KeyId"]
        await iam.call("iam", "CreateUser", {"UserName": "writer"})
        access = (await iam.call("iam", "CreateAccessKey", {"UserName": "writer"}))["AccessKey"]
        user = cloud.credentials.lookup(access["AccessKeyId"])
        on_behalf = _ctx(cloud, user).services
        outcomes = {}
        try:
            await on_behalf.call("kms", "GenerateDataKey", {"KeyId": key_id, "KeySpec": "AES_256"}, authorize=True)
            outcomes["without policy"] = "allowed"
        except AwsError as error:
            outcomes["without policy"] = (error.code, error.message)
        # the service's own call (no ``authorize``) is not the user's to be refused
        own = await on_behalf.call("kms", "GenerateDataKey", {"KeyId": key_id, "KeySpec": "AES_256"})
        outcomes["own call"] = "allowed" if own.get("CiphertextBlob") else "no key"
        await iam.call("iam", "PutUserPolicy", {"UserName": "writer", "PolicyName": "kms", "PolicyDocument": json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": "*"}]})})
        answer = await on_behalf.call("kms", "GenerateDataKey", {"KeyId": key_id, "KeySpec": "AES_256"},
                                      authorize=True)
        outcomes["with policy"] = "allowed" if answer.get("CiphertextBlob") else "no key"
        return outcomes
    finally:
        await cloud.stop()


def test_calls_on_the_callers_behalf_are_authorized_for_the_caller(tmp_path):
    outcomes = asyncio.run(_scenario(str(tmp_path)))
    code, message = outcomes["without policy"]
    assert code == "AccessDeniedException"
    assert message.startswith("User: arn:aws:iam::000000000000:user/writer is not authorized to perform: "
                              "kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:000000000000:key/")
    assert outcomes["own call"] == "allowed"
    assert outcomes["with policy"] == "allowed"
