"""KMS grants through a real server: CreateGrant with operations and constraints, idempotent
names, DryRun, ListGrants filters and pages, ListRetirableGrants, RetireGrant by token or id,
RevokeGrant, grant tokens checked, and tags (TagResource/UntagResource/ListResourceTags)."""

from __future__ import annotations

import pytest
from kms_helpers import error_of

GRANTEE = "arn:aws:iam::000000000000:role/app"
RETIRER = "arn:aws:iam::000000000000:role/ops"


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


@pytest.fixture
def key(kms):
    return kms.create_key()["KeyMetadata"]


def test_create_and_list_grant(kms, key):
    out = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, RetiringPrincipal=RETIRER,
                           Operations=["Encrypt", "Decrypt"], Name="app-grant",
                           Constraints={"EncryptionContextSubset": {"app": "web"}})
    assert len(out["GrantId"]) == 64 and out["GrantToken"]
    [grant] = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert grant["KeyId"] == key["Arn"] and grant["GrantId"] == out["GrantId"]
    assert grant["GranteePrincipal"] == GRANTEE and grant["RetiringPrincipal"] == RETIRER
    assert grant["Operations"] == ["Encrypt", "Decrypt"] and grant["Name"] == "app-grant"
    assert grant["Constraints"] == {"EncryptionContextSubset": {"app": "web"}}
    assert grant["IssuingAccount"] == "arn:aws:iam::000000000000:root"


def test_same_name_and_parameters_is_the_same_grant(kms, key):
    args = dict(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"], Name="once")
    first = kms.create_grant(**args)
    assert kms.create_grant(**args)["GrantId"] == first["GrantId"]
    assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1
    assert kms.create_grant(**{**args, "Operations": ["Encrypt"]})["GrantId"] != first["GrantId"]


def test_operations_must_fit_the_key(kms, key):
    assert error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE,
                    Operations=["Sign"])[0] == "ValidationException"
    signer = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.create_grant(KeyId=signer, GranteePrincipal=GRANTEE, Operations=["Sign", "GetPublicKey"])
    assert error_of(kms.create_grant, KeyId=signer, GranteePrincipal=GRANTEE, Operations=["Sign"],
                    Constraints={"EncryptionContextEquals": {"a": "b"}})[0] == "ValidationException"
    assert error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE,
                    Operations=["Fly"])[0] == "ValidationException"


def test_dry_run(kms, key):
    code, message, status = error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE,
                                     Operations=["Decrypt"], DryRun=True)
    assert (code, status) == ("DryRunOperationException", 412)
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_list_grants_filters_and_pages(kms, key):
    ids = [kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=f"{GRANTEE}{n}", Operations=["Decrypt"])["GrantId"]
           for n in range(3)]
    [only] = kms.list_grants(KeyId=key["KeyId"], GrantId=ids[1])["Grants"]
    assert only["GrantId"] == ids[1]
    [mine] = kms.list_grants(KeyId=key["KeyId"], GranteePrincipal=f"{GRANTEE}2")["Grants"]
    assert mine["GrantId"] == ids[2]
    first = kms.list_grants(KeyId=key["KeyId"], Limit=2)
    rest = kms.list_grants(KeyId=key["KeyId"], Limit=2, Marker=first["NextMarker"])
    assert first["Truncated"] and not rest["Truncated"]
    assert sorted(g["GrantId"] for g in first["Grants"] + rest["Grants"]) == sorted(ids)


def test_retirable_grants_and_retire_by_token(kms, key):
    out = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, RetiringPrincipal=RETIRER,
                           Operations=["Decrypt"])
    [grant] = kms.list_retirable_grants(RetiringPrincipal=RETIRER)["Grants"]
    assert grant["GrantId"] == out["GrantId"]
    kms.retire_grant(GrantToken=out["GrantToken"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    assert error_of(kms.retire_grant, GrantToken=out["GrantToken"])[0] == "NotFoundException"


def test_retire_by_key_and_id_and_revoke(kms, key):
    one = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"])["GrantId"]
    two = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Encrypt"])["GrantId"]
    kms.retire_grant(KeyId=key["Arn"], GrantId=one)
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=two)
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    assert error_of(kms.revoke_grant, KeyId=key["KeyId"], GrantId=two)[0] == "NotFoundException"
    assert error_of(kms.revoke_grant, KeyId=key["KeyId"], GrantId="nope")[0] == "InvalidGrantIdException"
    assert error_of(kms.retire_grant, GrantId=one)[0] == "ValidationException"


def test_grant_tokens_are_checked(kms, key):
    token = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"])["GrantToken"]
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Encrypt"], GrantTokens=[token])
    assert error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Encrypt"],
                    GrantTokens=["garbage!"])[0] == "InvalidGrantTokenException"
    assert error_of(kms.retire_grant, GrantToken="garbage!")[0] == "InvalidGrantTokenException"


def test_grants_go_with_the_key(kms, key, server):
    from kms_helpers import advance_clock

    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, RetiringPrincipal=RETIRER, Operations=["Decrypt"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    advance_clock(server, 8 * 86400)
    assert kms.list_retirable_grants(RetiringPrincipal=RETIRER)["Grants"] == []


# -- tags ------------------------------------------------------------------------------------

def test_tags(kms):
    key_id = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "env", "TagValue": "dev"}, {"TagKey": "team", "TagValue": "red"}])
    tags = kms.list_resource_tags(KeyId=key_id)
    assert tags["Tags"] == [{"TagKey": "env", "TagValue": "dev"}, {"TagKey": "team", "TagValue": "red"}]
    assert tags["Truncated"] is False
    kms.untag_resource(KeyId=key_id, TagKeys=["env", "absent"])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "team", "TagValue": "red"}]


def test_tag_rules(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert error_of(kms.tag_resource, KeyId=key_id, Tags=[{"TagKey": "aws:x", "TagValue": "1"}])[0] == "TagException"
    assert error_of(kms.tag_resource, KeyId=key_id, Tags=[{"TagKey": f"k{n}", "TagValue": "v"}
                                                          for n in range(51)])[0] == "TagException"
    assert error_of(kms.create_key, Tags=[{"TagKey": "a", "TagValue": "1"},
                                          {"TagKey": "a", "TagValue": "2"}])[0] == "TagException"


def test_tags_page(kms):
    key_id = kms.create_key(Tags=[{"TagKey": f"k{n}", "TagValue": "v"} for n in range(5)])["KeyMetadata"]["KeyId"]
    first = kms.list_resource_tags(KeyId=key_id, Limit=2)
    second = kms.list_resource_tags(KeyId=key_id, Limit=10, Marker=first["NextMarker"])
    assert [t["TagKey"] for t in first["Tags"] + second["Tags"]] == [f"k{n}" for n in range(5)]


def test_create_grant_needs_an_enabled_key(kms, key):
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"]) == (
        "DisabledException", f"{key['Arn']} is disabled.", 400)
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    assert error_of(kms.create_grant, KeyId=external["KeyId"], GranteePrincipal=GRANTEE,
                    Operations=["Decrypt"]) == ("KMSInvalidStateException", f"{external['Arn']} is pending import.", 400)
