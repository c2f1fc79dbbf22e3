"""Glacier Select: RestoreObject of type SELECT on a GLACIER object writes the query's results
under OutputLocation.S3 (<prefix>/<job id>/job.txt, results/..., result_manifest.txt) once the
restore delay of cloud time has passed."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

RESTORE_SECONDS = 5  # the default of OVERCAST_S3_RESTORE_SECONDS
CSV = b"id,name\n1,ada\n2,alan\n3,grace\n"


def _advance(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def _select_request(output_bucket: str, expression: str = "SELECT s.name FROM S3Object s WHERE s.id > '1'",
                    **changes) -> dict:
    request = {"Type": "SELECT", "Tier": "Expedited",
               "SelectParameters": {"Expression": expression, "ExpressionType": "SQL",
                                    "InputSerialization": {"CSV": {"FileHeaderInfo": "USE"}},
                                    "OutputSerialization": {"CSV": {}}},
               "OutputLocation": {"S3": {"BucketName": output_bucket, "Prefix": "queries",
                                         "UserMetadata": [{"Name": "team", "Value": "archive"}],
                                         "Tagging": {"TagSet": [{"Key": "kind", "Value": "select"}]}}}}
    request.update(changes)
    return request


def _keys(s3, bucket: str, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


def _wait_for(s3, bucket: str, key: str) -> None:
    for _ in range(100):  # the job runs on the server's loop right after the clock moved
        if _keys(s3, bucket, key):
            return
        time.sleep(0.05)
    raise AssertionError(f"{key} never appeared")


def test_select_restore_writes_results_to_the_output_location(s3, bucket, server):
    s3.create_bucket(Bucket="results")
    s3.put_object(Bucket=bucket, Key="cold.csv", Body=CSV, StorageClass="GLACIER")
    response = s3.restore_object(Bucket=bucket, Key="cold.csv", RestoreRequest=_select_request("results"))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    path = response["RestoreOutputPath"]
    assert path.startswith("queries/") and len(path) > len("queries/")
    assert _keys(s3, "results", "") == []  # nothing before the restore time has passed

    _advance(server, RESTORE_SECONDS + 1)
    _wait_for(s3, "results", f"{path}/result_manifest.txt")
    keys = _keys(s3, "results", path)
    results = [k for k in keys if k.startswith(f"{path}/results/")]
    assert keys == sorted([f"{path}/job.txt", f"{path}/result_manifest.txt", *results]) and len(results) == 1
    body = s3.get_object(Bucket="results", Key=results[0])
    assert body["Body"].read() == b"alan\ngrace\n"
    assert body["Metadata"] == {"team": "archive"}
    assert s3.get_object_tagging(Bucket="results", Key=results[0])["TagSet"] == [{"Key": "kind", "Value": "select"}]
    manifest = s3.get_object(Bucket="results", Key=f"{path}/result_manifest.txt")["Body"].read().decode()
    assert manifest == f"s3://results/{results[0]}\n"
    job = json.loads(s3.get_object(Bucket="results", Key=f"{path}/job.txt")["Body"].read())
    assert job["Key"] == "cold.csv" and job["SelectParameters"]["Expression"].startswith("SELECT s.name")
    # the archived object itself stays archived
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold.csv")


def test_query_failing_on_the_data_writes_errors(s3, bucket, server):
    s3.create_bucket(Bucket="results")
    s3.put_object(Bucket=bucket, Key="cold.csv", Body=CSV, StorageClass="GLACIER")
    request = _select_request("results", "SELECT CAST(s.name AS INT) FROM S3Object s")
    path = s3.restore_object(Bucket=bucket, Key="cold.csv", RestoreRequest=request)["RestoreOutputPath"]
    _advance(server, RESTORE_SECONDS + 1)
    _wait_for(s3, "results", f"{path}/errors.txt")
    text = s3.get_object(Bucket="results", Key=f"{path}/errors.txt")["Body"].read().decode()
    assert text.startswith("CastFailed: ")


def _error(call) -> tuple:
    with pytest.raises(ClientError) as exc:
        call()
    response = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_select_restore_errors(s3, bucket):
    s3.create_bucket(Bucket="results")
    s3.put_object(Bucket=bucket, Key="cold.csv", Body=CSV, StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key="deep.csv", Body=CSV, StorageClass="DEEP_ARCHIVE")
    s3.put_object(Bucket=bucket, Key="warm.csv", Body=CSV)

    def restore(key, request):
        return lambda: s3.restore_object(Bucket=bucket, Key=key, RestoreRequest=request)

    assert _error(restore("warm.csv", _select_request("results"))) == (403, "InvalidObjectState")
    assert _error(restore("deep.csv", _select_request("results"))) == (403, "InvalidObjectState")
    assert _error(restore("cold.csv", _select_request("no-such-bucket"))) == (404, "NoSuchBucket")
    assert _error(restore("cold.csv", {"Type": "SELECT", "OutputLocation": {"S3": {"BucketName": "results",
                                                                                   "Prefix": "p"}}})) == (
        400, "MalformedXML")
    bad_sql = _select_request("results", "SELECT FROM")
    assert _error(restore("cold.csv", bad_sql))[0] == 400
    json_input = _select_request("results")
    json_input["SelectParameters"]["InputSerialization"] = {"JSON": {"Type": "LINES"}}
    assert _error(restore("cold.csv", json_input)) == (400, "InvalidRequestParameter")
    assert _error(restore("missing.csv", _select_request("results"))) == (404, "NoSuchKey")
