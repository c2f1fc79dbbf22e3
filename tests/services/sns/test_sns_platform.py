"""Mobile push: platform applications and endpoints, Publish to an endpoint and through a
topic's ``application`` subscription into the outbox, in each platform's payload shape."""

from __future__ import annotations

import json
import time

import pytest
import requests
from botocore.exceptions import ClientError

APNS = {"PlatformPrincipal": "-----BEGIN CERTIFICATE-----x", "PlatformCredential": "-----BEGIN PRIVATE KEY-----y"}


def error_of(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def pushes_to(endpoint_url: str, endpoint_arn: str, count: int) -> list[dict]:
    """The outbox entries for ``endpoint_arn``, once there are ``count``."""
    for _ in range(100):
        answer = requests.get(f"{endpoint_url}/_overcast/sns/outbox", params={"endpoint": endpoint_arn}, timeout=10)
        entries = answer.json()["messages"]
        if len(entries) >= count:
            return entries
        time.sleep(0.05)
    raise AssertionError(f"nothing pushed to {endpoint_arn}")


@pytest.fixture
def gcm_app(sns):
    return sns.create_platform_application(Name="droid", Platform="GCM",
                                           Attributes={"PlatformCredential": "api-key"})["PlatformApplicationArn"]


def test_create_get_list_delete_platform_application(sns):
    arn = sns.create_platform_application(Name="ios.app", Platform="APNS", Attributes={
        **APNS, "EventEndpointCreated": "arn:aws:sns:us-east-1:000000000000:events",
        "SuccessFeedbackSampleRate": "50"})["PlatformApplicationArn"]
    assert arn == "arn:aws:sns:us-east-1:000000000000:app/APNS/ios.app"
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]
    assert attributes == {"Enabled": "true", "EventEndpointCreated": "arn:aws:sns:us-east-1:000000000000:events",
                          "SuccessFeedbackSampleRate": "50"}  # the credentials are never returned
    sns.set_platform_application_attributes(PlatformApplicationArn=arn, Attributes={
        "SuccessFeedbackSampleRate": "10", "EventEndpointCreated": ""})
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]
    assert attributes == {"Enabled": "true", "SuccessFeedbackSampleRate": "10"}
    listed = sns.list_platform_applications()["PlatformApplications"]
    assert listed == [{"PlatformApplicationArn": arn, "Attributes": attributes}]
    sns.delete_platform_application(PlatformApplicationArn=arn)
    sns.delete_platform_application(PlatformApplicationArn=arn)  # idempotent
    assert sns.list_platform_applications()["PlatformApplications"] == []
    with pytest.raises(ClientError) as excinfo:
        sns.get_platform_application_attributes(PlatformApplicationArn=arn)
    assert error_of(excinfo) == ("NotFound", "PlatformApplication does not exist", 404)


@pytest.mark.parametrize("platform, attributes, reason", [
    ("FOO", {"PlatformCredential": "k"}, "Platform Reason: FOO is not supported"),
    ("APNS", {"PlatformPrincipal": "cert"}, "Attributes Reason: PlatformPrincipal attribute provided without "
                                            "PlatformCredential"),
    ("APNS", {"PlatformCredential": "key"}, "Attributes Reason: PlatformCredential attribute provided without "
                                            "PlatformPrincipal"),
    ("ADM", {"SuccessFeedbackSampleRate": "5"}, "Attributes Reason: PlatformCredential attribute required"),
    ("GCM", {"PlatformCredential": "k", "SuccessFeedbackSampleRate": "101"},
     "Attributes Reason: SuccessFeedbackSampleRate must be an integer from 0 to 100"),
])
def test_create_platform_application_checks(sns, platform, attributes, reason):
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_application(Name="app", Platform=platform, Attributes=attributes)
    assert error_of(excinfo) == ("InvalidParameter", f"Invalid parameter: {reason}", 400)


def test_malformed_application_arn(sns):
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_endpoint(PlatformApplicationArn="nope", Token="t")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: PlatformApplicationArn Reason: An ARN "
                                 "must have at least 6 elements, not 1", 400)
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_endpoint(PlatformApplicationArn="arn:aws:sns:us-east-1:000000000000:app/GCM/gone",
                                     Token="t")
    assert error_of(excinfo) == ("NotFound", "PlatformApplication does not exist", 404)


def test_create_platform_endpoint_is_idempotent_on_the_token(sns, gcm_app):
    arn = sns.create_platform_endpoint(PlatformApplicationArn=gcm_app, Token="device-1",
                                       CustomUserData="alice")["EndpointArn"]
    assert arn.startswith("arn:aws:sns:us-east-1:000000000000:endpoint/GCM/droid/")
    again = sns.create_platform_endpoint(PlatformApplicationArn=gcm_app, Token="device-1", CustomUserData="alice",
                                         Attributes={"Enabled": "true"})
    assert again["EndpointArn"] == arn
    with pytest.raises(ClientError) as excinfo:
        sns.create_platform_endpoint(PlatformApplicationArn=gcm_app, Token="device-1", CustomUserData="bob")
    assert error_of(excinfo) == ("InvalidParameter", f"Invalid parameter: Token Reason: Endpoint {arn} already "
                                 "exists with the same Token, but different attributes.", 400)
    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"] == {
        "Enabled": "true", "Token": "device-1", "CustomUserData": "alice"}
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false", "Token": "device-2"})
    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"] == {
        "Enabled": "false", "Token": "device-2", "CustomUserData": "alice"}
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=gcm_app)["Endpoints"]
    assert listed == [{"EndpointArn": arn, "Attributes": {"Enabled": "false", "Token": "device-2",
                                                          "CustomUserData": "alice"}}]
    sns.delete_endpoint(EndpointArn=arn)
    sns.delete_endpoint(EndpointArn=arn)  # idempotent
    with pytest.raises(ClientError) as excinfo:
        sns.get_endpoint_attributes(EndpointArn=arn)
    assert error_of(excinfo) == ("NotFound", "Endpoint does not exist", 404)


def test_deleting_the_application_deletes_its_endpoints(sns, gcm_app):
    arn = sns.create_platform_endpoint(PlatformApplicationArn=gcm_app, Token="device-9")["EndpointArn"]
    sns.delete_platform_application(PlatformApplicationArn=gcm_app)
    with pytest.raises(ClientError) as excinfo:
        sns.get_endpoint_attributes(EndpointArn=arn)
    assert error_of(excinfo)[0] == "NotFound"


def test_publish_to_an_endpoint_lands_in_the_outbox(sns, gcm_app, endpoint):
    arn = sns.create_platform_endpoint(PlatformApplicationArn=gcm_app, Token="device-3")["EndpointArn"]
    message_id = sns.publish(TargetArn=arn, Message="hello")["MessageId"]
    sns.publish(TargetArn=arn, MessageStructure="json", Message=json.dumps({
        "default": "fallback", "GCM": json.dumps({"notification": {"title": "t", "body": "b"}})}))
    first, second = pushes_to(endpoint, arn, 2)
    assert first["messageId"] == message_id
    assert (first["platform"], first["token"]) == ("GCM", "device-3")
    assert json.loads(first["body"]) == {"data": {"default": "hello"}}
    assert json.loads(second["body"]) == {"notification": {"title": "t", "body": "b"}}


def test_publish_to_a_disabled_or_missing_endpoint(sns, gcm_app):
    arn = sns.create_platform_endpoint(PlatformApplicationArn=gcm_app, Token="device-4",
                                       Attributes={"Enabled": "false"})["EndpointArn"]
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TargetArn=arn, Message="hello")
    assert error_of(excinfo) == ("EndpointDisabled", "Endpoint is disabled", 400)
    sns.delete_endpoint(EndpointArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TargetArn=arn, Message="hello")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: TargetArn Reason: No endpoint found for "
                                 "the target arn specified", 400)


def test_topic_application_subscriptions_get_their_platforms_payload(sns, topic, endpoint):
    ios = sns.create_platform_application(Name="ios", Platform="APNS_SANDBOX", Attributes=APNS)
    ios_endpoint = sns.create_platform_endpoint(PlatformApplicationArn=ios["PlatformApplicationArn"],
                                                Token="apple-token")["EndpointArn"]
    off = sns.create_platform_endpoint(PlatformApplicationArn=ios["PlatformApplicationArn"],
                                       Token="apple-off")["EndpointArn"]
    arn = topic()
    for target in (ios_endpoint, off):
        sns.subscribe(TopicArn=arn, Protocol="application", Endpoint=target)
    sns.set_endpoint_attributes(EndpointArn=off, Attributes={"Enabled": "false"})
    sns.publish(TopicArn=arn, Message="plain")
    sns.publish(TopicArn=arn, MessageStructure="json", Message=json.dumps({
        "default": "d", "APNS_SANDBOX": json.dumps({"aps": {"alert": "custom", "badge": 1}})}))
    first, second = pushes_to(endpoint, ios_endpoint, 2)
    assert json.loads(first["body"]) == {"aps": {"alert": "plain"}}
    assert json.loads(second["body"]) == {"aps": {"alert": "custom", "badge": 1}}
    assert first["topicArn"] == arn and first["subscriptionArn"].startswith(arn + ":")
    # the disabled endpoint got nothing (both messages were delivered to the other by now)
    answer = requests.get(f"{endpoint}/_overcast/sns/outbox", params={"endpoint": off}, timeout=10)
    assert answer.json()["messages"] == []


def test_subscribing_a_missing_endpoint(sns, topic):
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic(), Protocol="application",
                      Endpoint="arn:aws:sns:us-east-1:000000000000:endpoint/GCM/x/"
                               "12345678-1234-1234-1234-123456789012")
    assert error_of(excinfo) == ("NotFound", "Endpoint does not exist", 404)
