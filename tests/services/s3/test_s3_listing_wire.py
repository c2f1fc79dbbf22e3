"""Listings on the wire as S3 writes them: element order, which fields encoding-type=url
encodes, token and marker checks, and the members ListMultipartUploads / ListParts always
answer. Raw signed HTTP, since boto3 decodes and reorders what it reads."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError
from s3_raw import children, element_text, error_of, raw_element, send


def _invalid(response, message: str, name: str) -> dict:
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert (error["Code"], error["Message"], error["ArgumentName"]) == ("InvalidArgument", message, name)
    return error


# -- ListBuckets -------------------------------------------------------------------------------

def test_list_buckets_answers_owner_before_buckets(endpoint, bucket):
    assert children(send(endpoint, "GET", "/"))[:2] == ["Owner", "Buckets"]
    paged = children(send(endpoint, "GET", "/?max-buckets=1&prefix=bucket"))
    assert paged[:2] == ["Owner", "Buckets"] and paged[-1] == "Prefix"


@pytest.mark.parametrize("value", ["zz", "", "us-east-1%20"])
def test_list_buckets_refuses_a_region_that_is_not_one(endpoint, value):
    shown = value.replace("%20", " ")
    error = _invalid(send(endpoint, "GET", f"/?bucket-region={value}"),
                     f"Argument value {shown} is not a valid AWS Region", "bucket-region")
    assert "ArgumentValue" not in error


def test_list_buckets_takes_bucket_region_only_at_its_endpoint(endpoint):
    _invalid(send(endpoint, "GET", "/?bucket-region=eu-west-1"),
             "Requests with bucket-region specified must be made to the corresponding regional endpoint",
             "bucket-region")
    assert send(endpoint, "GET", "/?bucket-region=US-EAST-1").status_code == 200


@pytest.mark.parametrize("token", ["", "garbage"])
def test_list_buckets_refuses_a_bad_continuation_token(endpoint, token):
    error = _invalid(send(endpoint, "GET", f"/?continuation-token={token}"),
                     "The continuation token provided is incorrect", "continuation-token")
    assert "ArgumentValue" not in error


def test_get_bucket_location_in_us_east_1_is_self_closing(endpoint, bucket):
    body = send(endpoint, "GET", f"/{bucket}?location").text
    assert body.endswith('<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>')


# -- ListObjects (v1 and v2) -------------------------------------------------------------------

def test_list_objects_v1_order_and_encoding(s3, endpoint, bucket):
    for key in ("a b/1", "a b/2", "c+d"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    response = send(endpoint, "GET", f"/{bucket}?prefix=a%20&delimiter=%2F&marker=a%20&max-keys=5&encoding-type=url")
    assert children(response) == ["Name", "Prefix", "Marker", "MaxKeys", "Delimiter", "EncodingType",
                                   "IsTruncated", "CommonPrefixes"]
    assert element_text(response, "Prefix") == "a "  # the top-level Prefix as sent
    assert element_text(response, "Marker") == "a%20"
    assert "<CommonPrefixes><Prefix>a%20b/</Prefix></CommonPrefixes>" in response.text
    listed = send(endpoint, "GET", f"/{bucket}?encoding-type=url")
    assert children(listed) == ["Name", "Prefix", "Marker", "MaxKeys", "EncodingType", "IsTruncated",
                                "Contents", "Contents", "Contents"]
    assert "<Key>c%2Bd</Key>" in listed.text


def test_list_objects_v1_newline_prefix_comes_back_as_sent(endpoint, bucket):
    response = send(endpoint, "GET", f"/{bucket}?prefix=%0A&encoding-type=url")
    assert response.status_code == 200 and element_text(response, "Prefix") == "\n"


def test_list_objects_v1_next_marker_follows_marker(s3, endpoint, bucket):
    for key in ("x/1", "y/1"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    response = send(endpoint, "GET", f"/{bucket}?delimiter=%2F&max-keys=1")
    assert children(response)[:5] == ["Name", "Prefix", "Marker", "NextMarker", "MaxKeys"]


def test_list_objects_v2_order_and_encoding(s3, endpoint, bucket):
    for key in ("p q/1", "p q/2", "p r"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    first = send(endpoint, "GET", f"/{bucket}?list-type=2&prefix=p%20&start-after=p%20a&max-keys=1"
                                  "&encoding-type=url")
    assert children(first) == ["Name", "Prefix", "NextContinuationToken", "StartAfter", "KeyCount", "MaxKeys",
                               "EncodingType", "IsTruncated", "Contents"]
    assert element_text(first, "Prefix") == "p%20" and element_text(first, "StartAfter") == "p%20a"
    token = quote(element_text(first, "NextContinuationToken"), safe="")
    second = send(endpoint, "GET", f"/{bucket}?list-type=2&prefix=p%20&start-after=p%20a&continuation-token={token}"
                                   "&delimiter=%2F&encoding-type=url")
    # no StartAfter beside a token; the group holding the token's key was handed out already
    assert children(second) == ["Name", "Prefix", "ContinuationToken", "KeyCount", "MaxKeys", "Delimiter",
                                "EncodingType", "IsTruncated", "Contents"]
    assert "<Key>p%20r</Key>" in second.text and element_text(second, "Delimiter") == "/"
    grouped = send(endpoint, "GET", f"/{bucket}?list-type=2&prefix=p&delimiter=%20&encoding-type=url")
    assert "<CommonPrefixes><Prefix>p%20</Prefix></CommonPrefixes>" in grouped.text
    assert element_text(grouped, "Delimiter") == "%20" and element_text(grouped, "Prefix") == "p"


def test_list_objects_v2_start_after_not_echoed_with_a_token_through_boto3(s3, bucket):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=1, StartAfter="a")
    assert first["StartAfter"] == "a"
    second = s3.list_objects_v2(Bucket=bucket, StartAfter="a", ContinuationToken=first["NextContinuationToken"])
    assert "StartAfter" not in second and [o["Key"] for o in second["Contents"]] == ["c"]


def test_empty_continuation_token_is_refused(endpoint, bucket):
    _invalid(send(endpoint, "GET", f"/{bucket}?list-type=2&continuation-token="),
             "The continuation token provided is incorrect", "continuation-token")


@pytest.mark.parametrize("query", ["list-type=2&", "", "versions&", "uploads&"])
def test_bad_encoding_type_is_refused(endpoint, bucket, query):
    error = _invalid(send(endpoint, "GET", f"/{bucket}?{query}encoding-type=base64"),
                     "Invalid Encoding Method specified in Request", "encoding-type")
    assert error["ArgumentValue"] == "base64"


def test_list_object_versions_encodes_markers_and_prefix(s3, endpoint, bucket):
    s3.put_object(Bucket=bucket, Key="v w", Body=b"x")
    response = send(endpoint, "GET", f"/{bucket}?versions&prefix=v%20&key-marker=a%20&encoding-type=url")
    assert element_text(response, "Prefix") == "v%20" and element_text(response, "KeyMarker") == "a%20"
    assert "<Key>v%20w</Key>" in response.text


# -- ListMultipartUploads and ListParts --------------------------------------------------------

def test_list_multipart_uploads_always_answers_next_markers(s3, endpoint, bucket):
    response = send(endpoint, "GET", f"/{bucket}?uploads")
    assert raw_element(response, "NextKeyMarker") == "" and raw_element(response, "NextUploadIdMarker") == ""
    assert "Prefix" not in children(response)  # not asked for
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m n")["UploadId"]
    response = send(endpoint, "GET", f"/{bucket}?uploads&prefix=m%20&encoding-type=url")
    assert element_text(response, "NextKeyMarker") == "m%20n"
    assert element_text(response, "NextUploadIdMarker") == upload
    assert element_text(response, "Prefix") == "m%20"
    initiated = raw_element(response, "Initiated")
    assert initiated.endswith(".000Z")


def test_foreign_upload_id_marker_is_refused(s3, endpoint, bucket):
    s3.create_bucket(Bucket="another-bucket")
    foreign = s3.create_multipart_upload(Bucket="another-bucket", Key="k")["UploadId"]
    mine = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    for marker in (foreign, "not-an-upload-id"):
        error = _invalid(send(endpoint, "GET", f"/{bucket}?uploads&key-marker=k&upload-id-marker={marker}"),
                         "Invalid uploadId marker", "upload-id-marker")
        assert error["ArgumentValue"] == marker
    # an upload of another key is as unknown; beside no key-marker the id marker is ignored
    _invalid(send(endpoint, "GET", f"/{bucket}?uploads&key-marker=other&upload-id-marker={mine}"),
             "Invalid uploadId marker", "upload-id-marker")
    assert send(endpoint, "GET", f"/{bucket}?uploads&upload-id-marker={foreign}").status_code == 200
    page = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="k", UploadIdMarker=mine)
    assert "Uploads" not in page


def test_list_parts_with_no_part_and_an_empty_marker(s3, endpoint, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    response = send(endpoint, "GET", f"/{bucket}/k?uploadId={upload}&part-number-marker=")
    assert response.status_code == 200, response.text
    assert element_text(response, "NextPartNumberMarker") == "0"
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["NextPartNumberMarker"] == 0
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"x")
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["NextPartNumberMarker"] == 1
    with pytest.raises(ClientError):
        s3.list_parts(Bucket=bucket, Key="k", UploadId="no-such-upload")
