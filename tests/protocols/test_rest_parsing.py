"""REST request parsing: location traits, payloads, XML bodies, and the 4xx for bad input."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest

from overcast.errors import AwsError
from overcast.protocols import HttpRequest, get_protocol
from overcast.protocols.models import service_model
from overcast.protocols.rest import split_header_list

S3 = service_model("s3")
REST_XML = get_protocol("rest-xml")
REST_JSON = get_protocol("rest-json")


def parse_s3(method, path, query="", body=b"", **headers):
    request = HttpRequest(method, path, query, {"host": "localhost", **headers}, body)
    return REST_XML.parse_request(REST_XML.find_operation(S3, request), request)


def test_s3_put_object_headers_become_members():
    params = parse_s3(
        "PUT", "/b/k", "", b"data",
        **{
            "content-type": "text/plain",
            "content-length": "4",
            "x-amz-meta-owner": "me",
            "x-amz-meta-colour": "blue",
            "x-amz-object-lock-retain-until-date": "2030-01-02T03:04:05Z",
            "x-amz-object-lock-legal-hold": "ON",
            "x-amz-server-side-encryption-bucket-key-enabled": "true",
            "expires": "Wed, 21 Oct 2015 07:28:00 GMT",
        },
    )
    assert params["ContentType"] == "text/plain"
    assert params["ContentLength"] == 4
    assert params["Metadata"] == {"owner": "me", "colour": "blue"}
    assert params["ObjectLockRetainUntilDate"] == datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert params["BucketKeyEnabled"] is True
    assert params["Expires"] == datetime(2015, 10, 21, 7, 28, tzinfo=timezone.utc)
    assert params["Body"] == b"data"


def test_streaming_payload_is_handed_over_unread():
    class Stream:
        def __aiter__(self):
            raise AssertionError("the parser must not read the stream")

    stream = Stream()
    request = HttpRequest("PUT", "/b/k", "", {"host": "localhost"}, stream=stream)
    params = REST_XML.parse_request(S3.operation_model("PutObject"), request)
    assert params["Body"] is stream


def test_query_members_lists_and_types():
    params = parse_s3("GET", "/b", "list-type=2&max-keys=7&prefix=a%20b%2Bc&fetch-owner=true&start-after=")
    assert params == {"Bucket": "b", "MaxKeys": 7, "Prefix": "a b+c", "FetchOwner": True, "StartAfter": ""}


def test_bad_scalar_values_are_client_errors():
    with pytest.raises(AwsError) as caught:
        parse_s3("GET", "/b", "list-type=2&max-keys=lots")
    assert (caught.value.code, caught.value.status) == ("InvalidArgument", 400)
    lambda_model = service_model("lambda")
    request = HttpRequest("GET", "/2015-03-31/functions/", "MaxItems=abc", {"host": "localhost"})
    with pytest.raises(AwsError) as caught:
        REST_JSON.parse_request(REST_JSON.find_operation(lambda_model, request), request)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)


@pytest.mark.parametrize(
    "text, items",
    [
        ("a,b,c", ["a", "b", "c"]),
        ("a, b ,c", ["a", "b", "c"]),
        ('"a,b",c', ["a,b", "c"]),
        ('"say \\"hi\\"",x', ['say "hi"', "x"]),
        ('"a\\,b",c', ["a\\,b", "c"]),  # botocore escapes quotes only: a backslash is literal
        ("", [""]),
    ],
)
def test_header_lists_split_as_botocore_writes_them(text, items):
    assert split_header_list(text) == items


def test_json_value_headers_are_base64_json():
    model = service_model("lex-runtime")
    operation = model.operation_model("PostText")
    attributes = {"a": [1, 2, {"b": None}]}
    encoded = base64.b64encode(json.dumps(attributes).encode()).decode()
    request = HttpRequest("POST", "/bot/b/alias/a/user/u/text", "", {"host": "localhost", "x-amz-lex-session-attributes": encoded},
                          b'{"inputText": "hi"}')
    assert REST_JSON.find_operation(model, request).name == "PostText"
    params = REST_JSON.parse_request(operation, request)
    assert params["inputText"] == "hi"


def test_query_string_map_collects_unclaimed_parameters():
    model = service_model("apigateway")
    request = HttpRequest("GET", "/restapis/r1/stages/s1/exports/swagger", "extensions=postman&a=1&b=2",
                          {"host": "localhost", "accept": "application/json"})
    operation = REST_JSON.find_operation(model, request)
    assert operation.name == "GetExport"
    params = REST_JSON.parse_request(operation, request)
    assert params["parameters"] == {"extensions": "postman", "a": "1", "b": "2"}
    assert params["accepts"] == "application/json"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"Code": "notastructure"}', b"[" * 100000])
def test_malformed_json_bodies_are_serialization_exceptions(body):
    model = service_model("lambda")
    request = HttpRequest("POST", "/2015-03-31/functions", "", {"host": "localhost"}, body)
    operation = REST_JSON.find_operation(model, request)
    with pytest.raises(AwsError) as caught:
        REST_JSON.parse_request(operation, request)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)


LIFECYCLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule>
    <ID>expire-logs</ID>
    <Filter><Prefix>logs/</Prefix></Filter>
    <Status>Enabled</Status>
    <Expiration><Days>30</Days></Expiration>
  </Rule>
  <Rule>
    <ID>two</ID><Filter><And><Prefix>x/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>
    <Status>Disabled</Status>
    <Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>
  </Rule>
</LifecycleConfiguration>"""


def test_xml_payload_with_namespace_and_flattened_lists():
    params = parse_s3("PUT", "/b", "lifecycle", LIFECYCLE)
    rules = params["LifecycleConfiguration"]["Rules"]
    assert rules[0] == {"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30}}
    assert rules[1]["Filter"]["And"]["Tags"] == [{"Key": "k", "Value": "v"}]
    assert rules[1]["Expiration"]["Date"] == datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_complete_multipart_upload_body():
    body = (b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag></Part>"
            b"<Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag></Part></CompleteMultipartUpload>")
    params = parse_s3("POST", "/b/k", "uploadId=u", body)
    assert params["UploadId"] == "u"
    assert params["MultipartUpload"]["Parts"] == [{"PartNumber": 1, "ETag": '"a"'}, {"PartNumber": 2, "ETag": '"b"'}]


def test_xml_attributes_with_a_namespace_prefix():
    body = (b'<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><AccessControlList><Grant>'
            b'<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc</ID></Grantee>'
            b"<Permission>READ</Permission></Grant></AccessControlList><Owner><ID>abc</ID></Owner></AccessControlPolicy>")
    params = parse_s3("PUT", "/b", "acl", body)
    grant = params["AccessControlPolicy"]["Grants"][0]
    assert grant == {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "READ"}


def test_empty_elements_are_empty_strings():
    params = parse_s3("POST", "/b", "delete", b"<Delete><Object><Key></Key></Object><Object><Key/></Object><Quiet>true</Quiet></Delete>")
    assert params["Delete"] == {"Objects": [{"Key": ""}, {"Key": ""}], "Quiet": True}


@pytest.mark.parametrize(
    "body",
    [
        b"<Delete><Object><Key>k</Key></Object>",
        b"not xml at all",
        b"<Delete><Quiet>perhaps</Quiet></Delete>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Delete><Object><Key>&a;</Key></Object></Delete>',
        b"<a>" * 5000,
    ],
)
def test_malformed_xml_is_s3_malformed_xml(body):
    with pytest.raises(AwsError) as caught:
        parse_s3("POST", "/b", "delete", body)
    assert (caught.value.code, caught.value.status) == ("MalformedXML", 400)


def test_route53_body_members_from_the_root_element():
    model = service_model("route53")
    body = (b'<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
            b"<Name>example.com</Name><CallerReference>ref-1</CallerReference>"
            b"<HostedZoneConfig><Comment>hi</Comment><PrivateZone>false</PrivateZone></HostedZoneConfig>"
            b"</CreateHostedZoneRequest>")
    request = HttpRequest("POST", "/2013-04-01/hostedzone", "", {"host": "localhost"}, body)
    operation = REST_XML.find_operation(model, request)
    assert operation.name == "CreateHostedZone"
    assert REST_XML.parse_request(operation, request) == {
        "Name": "example.com", "CallerReference": "ref-1", "HostedZoneConfig": {"Comment": "hi", "PrivateZone": False}}
    request.body = b"<CreateHostedZoneRequest><Name>"
    with pytest.raises(AwsError) as caught:
        REST_XML.parse_request(operation, request)
    assert (caught.value.code, caught.value.status) == ("InvalidInput", 400)
