"""Service-specific credentials (Git credentials for CodeCommit, Keyspaces passwords, Bedrock API
keys): boto3, the raw query wire, persistence across a restart, and the in-process check a
service makes of a presented password."""

from __future__ import annotations

import asyncio
import base64
import xml.etree.ElementTree as ET

import boto3
import pytest
from botocore.config import Config
from iam_helpers import ACCOUNT, IAM_NS, error_of, signed_query
from serverproc import ServerProcess

from overcast.cloud import Cloud
from overcast.config import Settings

ID_PATTERN_ERROR = ("1 validation error detected: Value at 'serviceSpecificCredentialId' failed to satisfy "
                    "constraint: Member must satisfy regular expression pattern: [\\w]+")


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_create_codecommit_credential(iam):
    iam.create_user(UserName="sofia")
    created = iam.create_service_specific_credential(UserName="sofia", ServiceName="codecommit.amazonaws.com")
    credential = created["ServiceSpecificCredential"]
    assert credential["ServiceUserName"] == f"sofia-at-{ACCOUNT}"
    assert credential["Status"] == "Active"
    assert credential["UserName"] == "sofia" and credential["ServiceName"] == "codecommit.amazonaws.com"
    assert credential["ServiceSpecificCredentialId"].startswith("ACCA")
    assert len(credential["ServiceSpecificCredentialId"]) == 21
    password = credential["ServicePassword"]
    assert len(password) == 60 and password.endswith("=")
    assert len(base64.b64decode(password)) == 44
    listed = iam.list_service_specific_credentials(UserName="sofia")["ServiceSpecificCredentials"]
    assert len(listed) == 1 and "ServicePassword" not in listed[0]  # the password is shown once
    assert listed[0]["ServiceUserName"] == f"sofia-at-{ACCOUNT}"
    assert listed[0]["ServiceSpecificCredentialId"] == credential["ServiceSpecificCredentialId"]


def test_second_credential_gets_its_own_user_name_and_a_third_is_refused(iam):
    iam.create_user(UserName="sofia")
    iam.create_service_specific_credential(UserName="sofia", ServiceName="codecommit.amazonaws.com")
    second = iam.create_service_specific_credential(UserName="sofia", ServiceName="codecommit.amazonaws.com")
    assert second["ServiceSpecificCredential"]["ServiceUserName"] == f"sofia+1-at-{ACCOUNT}"
    code, message, status = error_of(iam.create_service_specific_credential, UserName="sofia",
                                     ServiceName="codecommit.amazonaws.com")
    assert (code, message, status) == ("LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUser: 2",
                                       409)
    # the limit is per service
    keyspaces = iam.create_service_specific_credential(UserName="sofia", ServiceName="cassandra.amazonaws.com")
    assert keyspaces["ServiceSpecificCredential"]["ServiceUserName"] == f"sofia-at-{ACCOUNT}"
    only = iam.list_service_specific_credentials(UserName="sofia", ServiceName="cassandra.amazonaws.com")
    assert [c["ServiceName"] for c in only["ServiceSpecificCredentials"]] == ["cassandra.amazonaws.com"]


def test_unknown_user_is_checked_before_the_service(iam):
    code, message, status = error_of(iam.create_service_specific_credential, UserName="ghost",
                                     ServiceName="nosuch.amazonaws.com")
    assert (code, message, status) == ("NoSuchEntity", "The user with name ghost cannot be found.", 404)
    iam.create_user(UserName="sofia")
    code, message, status = error_of(iam.create_service_specific_credential, UserName="sofia",
                                     ServiceName="s3.amazonaws.com")
    assert (code, message, status) == (
        "NoSuchEntity", "No such service s3.amazonaws.com is supported for Service Specific Credentials", 404)
    code, message, _ = error_of(iam.list_service_specific_credentials, UserName="sofia",
                                ServiceName="ec2.amazonaws.com")
    assert message == "No such service ec2.amazonaws.com is supported for Service Specific Credentials"


def test_update_reset_delete(iam, aws_client):
    iam.create_user(UserName="sofia")
    credential = iam.create_service_specific_credential(
        UserName="sofia", ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    credential_id = credential["ServiceSpecificCredentialId"]
    iam.update_service_specific_credential(UserName="sofia", ServiceSpecificCredentialId=credential_id,
                                           Status="Inactive")
    listed = iam.list_service_specific_credentials(UserName="sofia")["ServiceSpecificCredentials"]
    assert listed[0]["Status"] == "Inactive"
    reset = iam.reset_service_specific_credential(UserName="sofia", ServiceSpecificCredentialId=credential_id)
    new = reset["ServiceSpecificCredential"]
    assert new["ServicePassword"] != credential["ServicePassword"] and len(new["ServicePassword"]) == 60
    assert new["ServiceUserName"] == credential["ServiceUserName"] and new["Status"] == "Inactive"
    code, message, status = error_of(iam.delete_user, UserName="sofia")
    assert (code, message, status) == ("DeleteConflict", "Cannot delete entity, must remove referenced objects first.",
                                       409)
    iam.delete_service_specific_credential(UserName="sofia", ServiceSpecificCredentialId=credential_id)
    assert iam.list_service_specific_credentials(UserName="sofia")["ServiceSpecificCredentials"] == []
    code, message, status = error_of(iam.delete_service_specific_credential, UserName="sofia",
                                     ServiceSpecificCredentialId=credential_id)
    assert (code, message, status) == ("NoSuchEntity", f"No such credential {credential_id} exists", 404)
    iam.delete_user(UserName="sofia")


def test_credential_id_checks(aws_client):
    iam = aws_client("iam", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    code, message, _ = error_of(iam.update_service_specific_credential, UserName="ghost",
                                ServiceSpecificCredentialId="bad id!", Status="Active")
    assert (code, message) == ("NoSuchEntity", "The user with name ghost cannot be found.")  # the user first
    iam.create_user(UserName="sofia")
    for call in (iam.reset_service_specific_credential, iam.delete_service_specific_credential):
        code, message, status = error_of(call, UserName="sofia", ServiceSpecificCredentialId="bad id!")
        assert (code, message, status) == ("ValidationError", ID_PATTERN_ERROR, 400)
    code, message, _ = error_of(iam.reset_service_specific_credential, UserName="sofia",
                                ServiceSpecificCredentialId="ACCA123")
    assert (code, message) == ("NoSuchEntity", "No such credential ACCA123 exists")


def test_another_users_credential_is_not_found(iam):
    iam.create_user(UserName="sofia")
    iam.create_user(UserName="li")
    created = iam.create_service_specific_credential(UserName="sofia", ServiceName="codecommit.amazonaws.com")
    credential_id = created["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    code, message, _ = error_of(iam.delete_service_specific_credential, UserName="li",
                                ServiceSpecificCredentialId=credential_id)
    assert (code, message) == ("NoSuchEntity", f"No such credential {credential_id} exists")


def test_credentials_follow_a_renamed_user(iam):
    iam.create_user(UserName="sofia")
    created = iam.create_service_specific_credential(UserName="sofia", ServiceName="codecommit.amazonaws.com")
    iam.update_user(UserName="sofia", NewUserName="sofia-r")
    listed = iam.list_service_specific_credentials(UserName="sofia-r")["ServiceSpecificCredentials"]
    assert [(c["UserName"], c["ServiceSpecificCredentialId"]) for c in listed] == [
        ("sofia-r", created["ServiceSpecificCredential"]["ServiceSpecificCredentialId"])]
    assert error_of(iam.delete_user, UserName="sofia-r")[0] == "DeleteConflict"


def test_bedrock_api_key_expires_on_the_cloud_clock(iam, server):
    iam.create_user(UserName="builder")
    key = iam.create_service_specific_credential(UserName="builder", ServiceName="bedrock.amazonaws.com",
                                                 CredentialAgeDays=1)["ServiceSpecificCredential"]
    assert key["ServiceCredentialAlias"] == f"builder-at-{ACCOUNT}"
    assert "ServiceUserName" not in key and "ServicePassword" not in key
    secret = key["ServiceCredentialSecret"]
    assert secret.startswith("ABSK")
    assert base64.b64decode(secret[4:]).decode().startswith(f"builder-at-{ACCOUNT}:")
    assert (key["ExpirationDate"] - key["CreateDate"]).total_seconds() == pytest.approx(86_400, abs=1)
    server.post("/_overcast/clock", b'{"advance": 86401}')
    listed = iam.list_service_specific_credentials(UserName="builder")["ServiceSpecificCredentials"]
    assert listed[0]["Status"] == "Expired" and "ServiceCredentialSecret" not in listed[0]


def test_credential_age_is_only_for_api_keys(iam):
    iam.create_user(UserName="sofia")
    code, _, status = error_of(iam.create_service_specific_credential, UserName="sofia",
                               ServiceName="codecommit.amazonaws.com", CredentialAgeDays=3)
    assert (code, status) == ("InvalidInput", 400)


def test_list_all_users(iam):
    for name in ("a-user", "b-user"):
        iam.create_user(UserName=name)
        iam.create_service_specific_credential(UserName=name, ServiceName="codecommit.amazonaws.com")
    listed = iam.list_service_specific_credentials(AllUsers=True, ServiceName="codecommit.amazonaws.com")
    assert sorted(c["UserName"] for c in listed["ServiceSpecificCredentials"]) == ["a-user", "b-user"]


def test_query_wire(endpoint, iam):
    iam.create_user(UserName="sofia")
    response = signed_query(endpoint, {"Action": "CreateServiceSpecificCredential", "UserName": "sofia",
                                       "ServiceName": "codecommit.amazonaws.com"})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.find(f".//{IAM_NS}ServiceUserName").text == f"sofia-at-{ACCOUNT}"
    assert len(root.find(f".//{IAM_NS}ServicePassword").text) == 60
    response = signed_query(endpoint, {"Action": "CreateServiceSpecificCredential", "UserName": "sofia",
                                       "ServiceName": "sqs.amazonaws.com"})
    assert response.status_code == 404
    root = ET.fromstring(response.content)
    assert root.find(f".//{IAM_NS}Code").text == "NoSuchEntity"
    assert root.find(f".//{IAM_NS}Message").text == \
        "No such service sqs.amazonaws.com is supported for Service Specific Credentials"


def test_credentials_survive_a_restart_and_verify(tmp_path):
    """Kept in IAM's database: after a kill -9 and a restart they are listed; and IAM's in-process
    check (what CodeCommit's Git endpoint calls) accepts the current password only."""
    proc = ServerProcess(str(tmp_path)).start()
    try:
        iam = boto3.session.Session().client("iam", endpoint_url=proc.endpoint, region_name="us-east-1",
                                             aws_access_key_id="test", aws_secret_access_key="test")
        iam.create_user(UserName="sofia")
        created = iam.create_service_specific_credential(
            UserName="sofia", ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
        first_password = created["ServicePassword"]
        proc.kill()
        proc = ServerProcess(str(tmp_path), port=proc.port).start()
        iam = boto3.session.Session().client("iam", endpoint_url=proc.endpoint, region_name="us-east-1",
                                             aws_access_key_id="test", aws_secret_access_key="test")
        listed = iam.list_service_specific_credentials(UserName="sofia")["ServiceSpecificCredentials"]
        assert [c["ServiceSpecificCredentialId"] for c in listed] == [created["ServiceSpecificCredentialId"]]
        password = iam.reset_service_specific_credential(
            UserName="sofia", ServiceSpecificCredentialId=created["ServiceSpecificCredentialId"],
        )["ServiceSpecificCredential"]["ServicePassword"]
    finally:
        proc.stop()
    cloud = Cloud(Settings(data_dir=str(tmp_path)))
    asyncio.run(cloud.start())
    try:
        provider = cloud.services.provider("iam")
        login = f"sofia-at-{ACCOUNT}"
        user = provider.authenticate_service_credential("codecommit.amazonaws.com", login, password)
        assert user is not None and user.name == "sofia"
        assert provider.authenticate_service_credential("codecommit.amazonaws.com", login, first_password) is None
        assert provider.authenticate_service_credential("cassandra.amazonaws.com", login, password) is None
    finally:
        asyncio.run(cloud.stop())
