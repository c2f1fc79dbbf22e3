"""KMS aliases through a real server: create, update, delete, list with pages, AWS's naming
rules and errors, the reserved alias/aws/ prefix, and AWS managed keys created on first use."""

from __future__ import annotations

import json

import pytest
from kms_helpers import error_of

ARN = "arn:aws:kms:us-east-1:000000000000"


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def customer_aliases(kms, **kwargs) -> list[dict]:
    """ListAliases without the predefined alias/aws/... entries AWS lists too."""
    return [a for a in kms.list_aliases(**kwargs)["Aliases"] if not a["AliasName"].startswith("alias/aws/")]


def test_create_list_and_delete(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    [alias] = customer_aliases(kms)
    assert alias["AliasName"] == "alias/app" and alias["AliasArn"] == f"{ARN}:alias/app"
    assert alias["TargetKeyId"] == key_id
    assert alias["CreationDate"] == alias["LastUpdatedDate"]
    kms.delete_alias(AliasName="alias/app")
    assert customer_aliases(kms) == []
    assert error_of(kms.delete_alias, AliasName="alias/app") == (
        "NotFoundException", f"Alias {ARN}:alias/app is not found.", 400)


def test_target_by_arn_and_list_by_key(kms):
    one = kms.create_key()["KeyMetadata"]
    two = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/one", TargetKeyId=one["Arn"])
    kms.create_alias(AliasName="alias/two", TargetKeyId=two["KeyId"])
    listed = kms.list_aliases(KeyId=one["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in listed] == ["alias/one"]


def test_names_must_start_with_alias_prefix(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, message, _ = error_of(kms.create_alias, AliasName="app", TargetKeyId=key_id)
    assert code == "ValidationException" and message.startswith('Alias must start with the prefix "alias/".')
    assert error_of(kms.create_alias, AliasName="alias/a b", TargetKeyId=key_id)[0] == "ValidationException"


def test_reserved_prefix(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert error_of(kms.create_alias, AliasName="alias/aws/mine", TargetKeyId=key_id)[0] == "NotAuthorizedException"


def test_duplicate_alias(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/dup", TargetKeyId=key_id)
    assert error_of(kms.create_alias, AliasName="alias/dup", TargetKeyId=key_id) == (
        "AlreadyExistsException", f"An alias with the name {ARN}:alias/dup already exists", 400)


def test_alias_cannot_target_an_alias_or_a_missing_key(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/a", TargetKeyId=key_id)
    assert error_of(kms.create_alias, AliasName="alias/b", TargetKeyId="alias/a")[0] == "ValidationException"
    assert error_of(kms.create_alias, AliasName="alias/c",
                    TargetKeyId="11111111-2222-3333-4444-555555555555")[0] == "NotFoundException"


def test_update_alias_moves_it(kms):
    one = kms.create_key()["KeyMetadata"]["KeyId"]
    two = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/live", TargetKeyId=one)
    kms.update_alias(AliasName="alias/live", TargetKeyId=two)
    assert kms.describe_key(KeyId="alias/live")["KeyMetadata"]["KeyId"] == two


def test_update_alias_needs_same_key_type(kms):
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/live", TargetKeyId=sym)
    assert error_of(kms.update_alias, AliasName="alias/live", TargetKeyId=rsa)[0] == "ValidationException"
    assert error_of(kms.update_alias, AliasName="alias/none", TargetKeyId=sym)[0] == "NotFoundException"


def test_alias_on_key_pending_deletion(kms):
    key = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert error_of(kms.create_alias, AliasName="alias/late", TargetKeyId=key["KeyId"]) == (
        "KMSInvalidStateException", f"{key['Arn']} is pending deletion.", 400)


def test_fifty_aliases_per_key(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for n in range(50):
        kms.create_alias(AliasName=f"alias/n{n}", TargetKeyId=key_id)
    assert error_of(kms.create_alias, AliasName="alias/over", TargetKeyId=key_id)[0] == "LimitExceededException"


def test_list_aliases_pages(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    names = sorted(f"alias/p{n}" for n in range(5))
    for name in names:
        kms.create_alias(AliasName=name, TargetKeyId=key_id)
    first = kms.list_aliases(KeyId=key_id, Limit=3)
    assert first["Truncated"] is True and len(first["Aliases"]) == 3
    rest = kms.list_aliases(KeyId=key_id, Limit=3, Marker=first["NextMarker"])
    assert rest["Truncated"] is False
    assert [a["AliasName"] for a in first["Aliases"] + rest["Aliases"]] == names
    everything, marker = [], None
    while True:  # all aliases, the predefined ones among them, page by page
        page = kms.list_aliases(Limit=4, **({"Marker": marker} if marker else {}))
        everything += page["Aliases"]
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    listed = [a["AliasName"] for a in everything]
    assert listed == sorted(listed) and set(names) <= set(listed)


def test_predefined_aliases_are_listed_without_a_key(kms):
    listed = {a["AliasName"]: a for a in kms.list_aliases()["Aliases"]}
    assert "TargetKeyId" not in listed["alias/aws/s3"]
    assert listed["alias/aws/s3"]["AliasArn"] == f"{ARN}:alias/aws/s3"
    key_id = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    listed = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/aws/s3"]
    assert [a["TargetKeyId"] for a in listed] == [key_id]


def test_describe_predefined_alias_creates_the_aws_managed_key(kms):
    meta = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS" and meta["KeyState"] == "Enabled"
    assert meta["Description"] == "Default KMS key that protects my S3 objects when no other key is defined"
    # The same key on the next call, listed with its alias.
    assert kms.describe_key(KeyId=f"{ARN}:alias/aws/s3")["KeyMetadata"]["KeyId"] == meta["KeyId"]
    [alias] = kms.list_aliases(KeyId=meta["KeyId"])["Aliases"]
    assert alias["AliasName"] == "alias/aws/s3"
    policy = json.loads(kms.get_key_policy(KeyId=meta["KeyId"])["Policy"])
    condition = policy["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": "000000000000"}
    status = kms.get_key_rotation_status(KeyId=meta["KeyId"])
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 365
    assert error_of(kms.describe_key, KeyId="alias/aws/not-a-service")[0] == "NotFoundException"


def test_cli_aliases(aws_cli):
    key_id = aws_cli("kms", "create-key")["KeyMetadata"]["KeyId"]
    aws_cli("kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", key_id)
    assert "alias/cli" in [a["AliasName"] for a in aws_cli("kms", "list-aliases")["Aliases"]]


def test_aws_managed_keys_refuse_management(kms):
    meta = kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]
    for call, args in ((kms.disable_key, {}), (kms.schedule_key_deletion, {}),
                       (kms.put_key_policy, {"PolicyName": "default", "Policy": "{}"}),
                       (kms.tag_resource, {"Tags": [{"TagKey": "a", "TagValue": "b"}]})):
        code, message, status = error_of(call, KeyId=meta["KeyId"], **args)
        assert (code, status) == ("AccessDeniedException", 400)
        assert message.startswith("User: arn:aws:iam::000000000000:root is not authorized to perform: kms:")
        assert message.endswith("action") and meta["Arn"] in message
    kms.create_alias(AliasName="alias/mine", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    assert error_of(kms.update_alias, AliasName="alias/mine", TargetKeyId=meta["KeyId"])[0] == "AccessDeniedException"


@pytest.mark.open_mode_only  # strict mode: the managed key's policy allows use only through SQS (kms:ViaService)
def test_aws_managed_key_is_usable_directly_in_open_mode(kms):
    meta = kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]
    assert kms.encrypt(KeyId="alias/aws/sqs", Plaintext=b"x")["KeyId"] == meta["Arn"]


def test_managed_key_for_other_services_in_process(tmp_path):
    """The in-process contract S3 and SQS use: ``managed_key(ctx, "s3")`` makes the caller's
    AWS managed key on first use and returns the same key afterwards."""
    import asyncio

    from overcast.cloud import Cloud
    from overcast.config import Settings
    from overcast.context import RequestContext
    from overcast.services.kms.managed_keys import managed_key

    async def scenario():
        cloud = Cloud(Settings(data_dir=str(tmp_path)))
        await cloud.start()  # one event loop for all: the managed key schedules its yearly rotation
        try:
            ctx = RequestContext(account="111122223333", region="eu-west-1", service="s3", registry=cloud.services)
            first = managed_key(ctx, "s3")
            assert (first.manager, first.spec, first.state, first.account, first.region) == (
                "AWS", "SYMMETRIC_DEFAULT", "Enabled", "111122223333", "eu-west-1")
            assert managed_key(ctx, "s3") == first and managed_key(ctx, "sqs").key_id != first.key_id
            kms = cloud.services.provider("kms")
            assert len(kms.keys.material(first)) == 32
            kms_ctx = RequestContext(account="111122223333", region="eu-west-1", service="kms")
            assert kms.keys.resolve(kms_ctx, "alias/aws/s3", operation="Encrypt").key_id == first.key_id
        finally:
            await cloud.stop()

    asyncio.run(scenario())
