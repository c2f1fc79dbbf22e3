"""POST Object (browser form) refusals in S3's words: a policy S3 cannot read (its encoding,
its members, its conditions' forms), the signing fields' names as S3 spells them, a malformed
x-amz-credential; and Unicode metadata of a form upload returned RFC 2047 encoded."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import xml.etree.ElementTree as ET

import pytest
import requests


def _error(response) -> dict:
    root = ET.fromstring(response.content)
    return {child.tag: child.text for child in root}


def _expiry() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 3600))


def _post(endpoint, bucket, fields: dict, data: bytes = b"form file"):
    return requests.post(f"{endpoint}/{bucket}", data=fields, files={"file": ("f.txt", data, "text/plain")},
                         timeout=30)


def _v2_fields(policy_text: str, key: str = "k.txt") -> dict:
    signature = base64.b64encode(hmac.new(b"test", policy_text.encode(), hashlib.sha1).digest()).decode()
    return {"key": key, "AWSAccessKeyId": "test", "policy": policy_text, "signature": signature}


def _encoded(document) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


@pytest.mark.parametrize("document, message", [
    ({"conditions": []}, "Invalid Policy: Policy missing expiration."),
    ({"expiration": "EXPIRY"}, "Invalid Policy: Policy missing conditions."),
    ({"expiration": "EXPIRY", "conditions": {}}, "Invalid Policy: Invalid 'conditions' value: must be a List."),
    ({"expiration": "EXPIRY", "conditions": [], "extra": 1}, 'Invalid Policy: Unexpected: "extra"'),
    ({"expiration": "tomorrow", "conditions": []}, "Invalid Policy: Invalid 'expiration' value: 'tomorrow'"),
    ({"expiration": "EXPIRY", "conditions": ["bucket"]},
     "Invalid Policy: Invalid condition test: must be a List or Object."),
    ({"expiration": "EXPIRY", "conditions": [{"bucket": "b", "key": "k"}]},
     "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."),
    ({"expiration": "EXPIRY", "conditions": [{"bucket": 1}]},
     "Invalid Policy: Invalid Simple-Condition: value must be a string."),
    ({"expiration": "EXPIRY", "conditions": [[]]}, "Invalid Policy: Invalid Condition: missing operation identifier."),
    ({"expiration": "EXPIRY", "conditions": [["ends-with", "$key", "x"]]},
     "Invalid Policy: Invalid Condition: unknown operation 'ends-with'."),
    ({"expiration": "EXPIRY", "conditions": [["eq", "$key"]]},
     "Invalid Policy: Invalid eq: wrong number of arguments."),
])
def test_unreadable_policy(endpoint, bucket, document, message):
    text = _encoded(json.loads(json.dumps(document).replace("EXPIRY", _expiry())))
    response = _post(endpoint, bucket, _v2_fields(text))
    assert response.status_code == 400, response.text
    assert (_error(response)["Code"], _error(response)["Message"]) == ("InvalidPolicyDocument", message)


def test_policy_not_base64(endpoint, bucket):
    response = _post(endpoint, bucket, _v2_fields("not*base64!"))
    assert _error(response)["Message"] == "Invalid Policy: invalid Base64 encoding."


def test_condition_failed_and_extra_field(endpoint, bucket):
    text = _encoded({"expiration": _expiry(), "conditions": [{"bucket": bucket}, ["starts-with", "$key", "up/"]]})
    failed = _post(endpoint, bucket, _v2_fields(text, key="other/k.txt"))
    assert failed.status_code == 403
    assert _error(failed)["Message"] == (
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "up/"]')
    extra = _post(endpoint, bucket, {**_v2_fields(text, key="up/k.txt"), "x-amz-meta-note": "n"})
    assert _error(extra)["Message"] == "Invalid according to Policy: Extra input fields: x-amz-meta-note"


def _v4_fields(credential: str, **overrides) -> dict:
    fields = {"key": "k.txt", "policy": _encoded({"expiration": _expiry(), "conditions": []}),
              "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential,
              "x-amz-date": "20260101T000000Z", "x-amz-signature": "0" * 64}
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def test_missing_signing_field_named_as_s3_spells_it(endpoint, bucket):
    response = _post(endpoint, bucket, _v4_fields("test/20260101/us-east-1/s3/aws4_request", **{"x-amz-date": None}))
    error = _error(response)
    assert error["Message"] == ("Bucket POST must contain a field named 'X-Amz-Date'.  If it is specified, please "
                                "check the order of the fields.")
    assert error["ArgumentName"] == "X-Amz-Date"


@pytest.mark.parametrize("credential, message", [
    ("test/20260101/us-east-1/s3", 'the Credential is mal-formed; expecting '
                                   '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'),
    ("test/2026-01-01/us-east-1/s3/aws4_request",
     'incorrect date format "2026-01-01". This date in the credential must be in the format "yyyyMMdd".'),
    ("test/20260101/us-east-1/sqs/aws4_request", 'incorrect service "sqs". This endpoint belongs to "s3".'),
    ("test/20260101/us-east-1/s3/aws5_request",
     'incorrect terminal "aws5_request". This endpoint uses "aws4_request".'),
])
def test_malformed_credential(endpoint, bucket, credential, message):
    response = _post(endpoint, bucket, _v4_fields(credential))
    assert response.status_code == 400
    error = _error(response)
    assert (error["Code"], error["Message"]) == ("InvalidArgument", message)
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("X-Amz-Credential", credential)


@pytest.mark.open_mode_only  # an anonymous form upload needs an open bucket
def test_unicode_metadata_of_a_form_upload(endpoint, s3, bucket):
    response = requests.post(f"{endpoint}/{bucket}", data={"key": "uni.txt", "x-amz-meta-city": "Zürich"},
                             files={"file": ("f.txt", b"x", "text/plain")}, timeout=30)
    assert response.status_code == 204, response.text
    with requests.Session() as session:  # one connection: the HEAD must not close it
        for _ in range(2):
            head = session.head(f"{endpoint}/{bucket}/uni.txt", timeout=30)
            assert head.status_code == 200
            assert head.headers["x-amz-meta-city"] == "=?UTF-8?Q?Z=C3=BCrich?="
            assert head.headers.get("connection") != "close"
    assert s3.head_object(Bucket=bucket, Key="uni.txt")["Metadata"] == {"city": "=?UTF-8?Q?Z=C3=BCrich?="}


def _tagging(*tags: str) -> str:
    return "<Tagging><TagSet>" + "".join(tags) + "</TagSet></Tagging>"


@pytest.mark.parametrize("document, code, message, tag_key", [
    (_tagging("<Tag><Key>aws:owner</Key><Value>me</Value></Tag>"), "InvalidTag",
     "Your TagKey cannot be prefixed with aws:", "aws:owner"),
    (_tagging("<Tag><Key>a</Key><Value>1</Value></Tag>", "<Tag><Key>a</Key><Value>2</Value></Tag>"), "InvalidTag",
     "Cannot provide multiple Tags with the same key", "a"),
    (_tagging("<Tag><Value>orphan</Value></Tag>"), "MalformedXML",
     "The XML you provided was not well-formed or did not validate against our published schema", None),
])
def test_form_tagging_checked_as_put_object_tagging(endpoint, s3, bucket, document, code, message, tag_key):
    text = _encoded({"expiration": _expiry(), "conditions": [{"bucket": bucket}, {"key": "tagged.txt"},
                                                              {"tagging": document}]})
    response = _post(endpoint, bucket, {**_v2_fields(text, key="tagged.txt"), "tagging": document})
    assert response.status_code == 400, response.text
    error = _error(response)
    assert (error["Code"], error["Message"]) == (code, message)
    assert error.get("TagKey") == tag_key


def test_form_tagging_stored(endpoint, s3, bucket):
    document = _tagging("<Tag><Key>team</Key><Value>web</Value></Tag>")
    text = _encoded({"expiration": _expiry(), "conditions": [{"bucket": bucket}, {"key": "tagged.txt"},
                                                              {"tagging": document}]})
    response = _post(endpoint, bucket, {**_v2_fields(text, key="tagged.txt"), "tagging": document})
    assert response.status_code == 204, response.text
    assert s3.get_object_tagging(Bucket=bucket, Key="tagged.txt")["TagSet"] == [{"Key": "team", "Value": "web"}]
