"""S3's id-keyed bucket configurations: metrics, analytics, inventory and S3 Intelligent-Tiering
(Put/Get/Delete/List), their checks, S3's 1,000-per-bucket limit and 100-per-page listing,
and NoSuchBucket (before any 501) for a missing bucket on every bucket configuration call."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from overcast.services.registry import snake_case


def _error(exc) -> tuple[str, int, str]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


@pytest.fixture
def loose(aws_client):
    """A client that sends what botocore's validation would refuse (missing members)."""
    return aws_client("s3", config=Config(parameter_validation=False, retries={"max_attempts": 1}))


_INVENTORY = {"Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::reports", "Format": "CSV",
                                                      "Prefix": "inv"}},
              "IsEnabled": True, "Id": "daily", "IncludedObjectVersions": "Current",
              "Schedule": {"Frequency": "Daily"}}

# family -> (put, get, delete, list, document key, list key, a valid document for id "c1")
_FAMILIES = {
    "metrics": ("put_bucket_metrics_configuration", "get_bucket_metrics_configuration",
                "delete_bucket_metrics_configuration", "list_bucket_metrics_configurations",
                "MetricsConfiguration", "MetricsConfigurationList", {"Id": "c1", "Filter": {"Prefix": "logs/"}}),
    "analytics": ("put_bucket_analytics_configuration", "get_bucket_analytics_configuration",
                  "delete_bucket_analytics_configuration", "list_bucket_analytics_configurations",
                  "AnalyticsConfiguration", "AnalyticsConfigurationList",
                  {"Id": "c1", "StorageClassAnalysis": {}}),
    "inventory": ("put_bucket_inventory_configuration", "get_bucket_inventory_configuration",
                  "delete_bucket_inventory_configuration", "list_bucket_inventory_configurations",
                  "InventoryConfiguration", "InventoryConfigurationList", {**_INVENTORY, "Id": "c1"}),
    "intelligent-tiering": ("put_bucket_intelligent_tiering_configuration",
                            "get_bucket_intelligent_tiering_configuration",
                            "delete_bucket_intelligent_tiering_configuration",
                            "list_bucket_intelligent_tiering_configurations",
                            "IntelligentTieringConfiguration", "IntelligentTieringConfigurationList",
                            {"Id": "c1", "Status": "Enabled",
                             "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]}),
}


@pytest.mark.parametrize("family", sorted(_FAMILIES))
def test_round_trip_and_not_found(s3, bucket, family):
    put, get, delete, listing, doc_key, list_key, document = _FAMILIES[family]
    assert getattr(s3, listing)(Bucket=bucket)["IsTruncated"] is False
    assert list_key not in getattr(s3, listing)(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        getattr(s3, get)(Bucket=bucket, Id="c1")
    assert _error(exc) == ("NoSuchConfiguration", 404, "The specified configuration does not exist.")
    getattr(s3, put)(Bucket=bucket, Id="c1", **{doc_key: document})
    assert getattr(s3, get)(Bucket=bucket, Id="c1")[doc_key] == document
    assert getattr(s3, listing)(Bucket=bucket)[list_key] == [document]
    assert getattr(s3, delete)(Bucket=bucket, Id="c1")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        getattr(s3, delete)(Bucket=bucket, Id="c1")
    assert _error(exc) == ("NoSuchConfiguration", 404, "The specified configuration does not exist.")
    with pytest.raises(ClientError) as exc:
        getattr(s3, get)(Bucket=bucket, Id="c1")
    assert _error(exc)[0] == "NoSuchConfiguration"


@pytest.mark.parametrize("family", sorted(_FAMILIES))
def test_id_must_match_the_document_and_follow_the_rules(s3, bucket, family):
    put, get, _, _, doc_key, _, document = _FAMILIES[family]
    with pytest.raises(ClientError) as exc:
        getattr(s3, put)(Bucket=bucket, Id="other", **{doc_key: document})
    assert _error(exc) == ("IdMismatch", 400, "Document ID does not match the specified configuration ID.")
    for bad in ("", "has space", "x" * 65, "slash/id"):
        with pytest.raises(ClientError) as exc:
            getattr(s3, put)(Bucket=bucket, Id=bad, **{doc_key: {**document, "Id": bad}})
        assert _error(exc)[:2] == ("InvalidConfigurationId", 400)
    getattr(s3, put)(Bucket=bucket, Id="a.B-9_z", **{doc_key: {**document, "Id": "a.B-9_z"}})
    assert getattr(s3, get)(Bucket=bucket, Id="a.B-9_z")[doc_key]["Id"] == "a.B-9_z"


@pytest.mark.parametrize("family", sorted(_FAMILIES))
def test_missing_bucket_is_no_such_bucket(s3, family):
    put, get, delete, listing, doc_key, _, document = _FAMILIES[family]
    calls = [lambda: getattr(s3, put)(Bucket="no-such-bucket-here", Id="c1", **{doc_key: document}),
             lambda: getattr(s3, get)(Bucket="no-such-bucket-here", Id="c1"),
             lambda: getattr(s3, delete)(Bucket="no-such-bucket-here", Id="c1"),
             lambda: getattr(s3, listing)(Bucket="no-such-bucket-here")]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert _error(exc) == ("NoSuchBucket", 404, "The specified bucket does not exist")


@pytest.mark.parametrize("family", sorted(_FAMILIES))
def test_list_pages_by_100_in_id_order(s3, bucket, family):
    put, _, _, listing, doc_key, list_key, document = _FAMILIES[family]
    ids = [f"id-{n:03d}" for n in range(205)]
    for config_id in reversed(ids):
        getattr(s3, put)(Bucket=bucket, Id=config_id, **{doc_key: {**document, "Id": config_id}})
    seen, token, pages = [], None, 0
    while True:
        page = getattr(s3, listing)(Bucket=bucket, **({"ContinuationToken": token} if token else {}))
        pages += 1
        seen += [entry["Id"] for entry in page[list_key]]
        if token:
            assert page["ContinuationToken"] == token
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        assert len(page[list_key]) == 100
        token = page["NextContinuationToken"]
    assert (seen, pages) == (ids, 3)
    with pytest.raises(ClientError) as exc:
        getattr(s3, listing)(Bucket=bucket, ContinuationToken="!!not a token!!")
    assert _error(exc)[:2] == ("InvalidArgument", 400)


def test_a_thousand_configurations_per_bucket_and_type(s3, bucket):
    document = {"Filter": {"Prefix": "p"}}
    for n in range(1000):
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id=f"m{n}", MetricsConfiguration={**document, "Id": f"m{n}"})
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id="one-more", MetricsConfiguration={"Id": "one-more"})
    assert _error(exc) == ("TooManyConfigurations", 400, "You are attempting to create a new configuration but have "
                           "already reached the 1,000-configuration limit.")
    # replacing one is no new configuration; another type has its own 1,000
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="m7", MetricsConfiguration={"Id": "m7"})
    assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id="m7")["MetricsConfiguration"] == {"Id": "m7"}
    s3.put_bucket_analytics_configuration(Bucket=bucket, Id="a", AnalyticsConfiguration={
        "Id": "a", "StorageClassAnalysis": {}})


def test_metrics_filters(s3, loose, bucket):
    filters = [{"Prefix": "logs/"}, {"Tag": {"Key": "k", "Value": "v"}},
               {"AccessPointArn": "arn:aws:s3:us-east-1:123456789012:accesspoint/my-point"},
               {"And": {"Prefix": "a/", "Tags": [{"Key": "k", "Value": "v"}, {"Key": "j", "Value": "w"}],
                        "AccessPointArn": "arn:aws:s3:us-east-1:123456789012:accesspoint/my-point"}}]
    for n, given in enumerate(filters):
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id=f"f{n}", MetricsConfiguration={"Id": f"f{n}",
                                                                                            "Filter": given})
        assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id=f"f{n}")["MetricsConfiguration"]["Filter"] == given
    for bad in ({"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}}, {}, {"Tag": {"Key": "k"}}):
        with pytest.raises(ClientError) as exc:
            loose.put_bucket_metrics_configuration(Bucket=bucket, Id="bad", MetricsConfiguration={"Id": "bad",
                                                                                                 "Filter": bad})
        assert _error(exc)[:2] == ("MalformedXML", 400)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id="ap", MetricsConfiguration={
            "Id": "ap", "Filter": {"AccessPointArn": "arn:aws:s3:::not-an-access-point"}})
    assert _error(exc)[:2] == ("InvalidArgument", 400)


def test_analytics_export_checks(s3, loose, bucket):
    export = {"OutputSchemaVersion": "V_1", "Destination": {"S3BucketDestination": {
        "Format": "CSV", "Bucket": "arn:aws:s3:::analytics-out", "Prefix": "sca/", "BucketAccountId": "123456789012"}}}
    document = {"Id": "sca", "Filter": {"And": {"Prefix": "p/", "Tags": [{"Key": "k", "Value": "v"}]}},
                "StorageClassAnalysis": {"DataExport": export}}
    s3.put_bucket_analytics_configuration(Bucket=bucket, Id="sca", AnalyticsConfiguration=document)
    assert s3.get_bucket_analytics_configuration(Bucket=bucket, Id="sca")["AnalyticsConfiguration"] == document
    with pytest.raises(ClientError) as exc:
        loose.put_bucket_analytics_configuration(Bucket=bucket, Id="x", AnalyticsConfiguration={"Id": "x"})
    assert _error(exc)[:2] == ("MalformedXML", 400)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_analytics_configuration(Bucket=bucket, Id="x", AnalyticsConfiguration={
            "Id": "x", "StorageClassAnalysis": {"DataExport": {**export, "OutputSchemaVersion": "V_2"}}})
    assert _error(exc)[:2] == ("MalformedXML", 400)
    bad_destination = {"S3BucketDestination": {"Format": "CSV", "Bucket": "analytics-out"}}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_analytics_configuration(Bucket=bucket, Id="x", AnalyticsConfiguration={
            "Id": "x", "StorageClassAnalysis": {"DataExport": {**export, "Destination": bad_destination}}})
    assert _error(exc) == ("InvalidS3DestinationBucket", 400, "Invalid bucket ARN.")


def test_intelligent_tiering_days(s3, loose, bucket):
    document = {"Id": "tiers", "Filter": {"Tag": {"Key": "k", "Value": "v"}}, "Status": "Disabled",
                "Tierings": [{"Days": 730, "AccessTier": "ARCHIVE_ACCESS"},
                             {"Days": 180, "AccessTier": "DEEP_ARCHIVE_ACCESS"}]}
    s3.put_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="tiers", IntelligentTieringConfiguration=document)
    got = s3.get_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="tiers")
    assert got["IntelligentTieringConfiguration"] == document
    for tier, days in (("ARCHIVE_ACCESS", 89), ("ARCHIVE_ACCESS", 731), ("DEEP_ARCHIVE_ACCESS", 179),
                       ("DEEP_ARCHIVE_ACCESS", 731)):
        with pytest.raises(ClientError) as exc:
            s3.put_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="t", IntelligentTieringConfiguration={
                "Id": "t", "Status": "Enabled", "Tierings": [{"Days": days, "AccessTier": tier}]})
        assert _error(exc)[:2] == ("InvalidArgument", 400), (tier, days)
    for bad in ({"Id": "t", "Status": "On", "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]},
                {"Id": "t", "Status": "Enabled", "Tierings": []},
                {"Id": "t", "Status": "Enabled", "Tierings": [{"Days": 90, "AccessTier": "GLACIER"}]}):
        with pytest.raises(ClientError) as exc:
            loose.put_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="t",
                                                              IntelligentTieringConfiguration=bad)
        assert _error(exc)[:2] == ("MalformedXML", 400), bad


def test_inventory_checks(s3, loose, bucket):
    def put(document, client=s3):
        return client.put_bucket_inventory_configuration(Bucket=bucket, Id=document["Id"],
                                                         InventoryConfiguration=document)

    full = {**_INVENTORY, "Filter": {"Prefix": "data/"}, "OptionalFields": ["Size", "ETag", "ObjectOwner"],
            "Destination": {"S3BucketDestination": {**_INVENTORY["Destination"]["S3BucketDestination"],
                                                    "AccountId": "123456789012", "Encryption": {"SSES3": {}}}}}
    put(full)
    assert s3.get_bucket_inventory_configuration(Bucket=bucket, Id="daily")["InventoryConfiguration"] == full
    destination = _INVENTORY["Destination"]["S3BucketDestination"]
    malformed = [
        {**_INVENTORY, "Schedule": {"Frequency": "Monthly"}},
        {**_INVENTORY, "IncludedObjectVersions": "Some"},
        {**_INVENTORY, "OptionalFields": ["Size", "Colour"]},
        {**_INVENTORY, "Destination": {"S3BucketDestination": {**destination, "Format": "JSON"}}},
        {**_INVENTORY, "Destination": {"S3BucketDestination": {**destination, "Encryption": {
            "SSES3": {}, "SSEKMS": {"KeyId": "k"}}}}},
        {key: value for key, value in _INVENTORY.items() if key != "IsEnabled"},
    ]
    for document in malformed:
        with pytest.raises(ClientError) as exc:
            put(document, loose)
        assert _error(exc)[:2] == ("MalformedXML", 400), document
    for arn, message in (("reports", "Invalid bucket ARN."),
                         ("arn:aws:s3::123456789012:reports", "Bucket ARN should not specify a namespace."),
                         ("arn:aws:s3:us-east-1::reports", "Bucket ARN should not specify a namespace.")):
        with pytest.raises(ClientError) as exc:
            put({**_INVENTORY, "Destination": {"S3BucketDestination": {**destination, "Bucket": arn}}})
        assert _error(exc) == ("InvalidS3DestinationBucket", 400, message)
    # every optional field of the model's enum is accepted; ORC and Parquet configurations too
    fields = botocore.session.get_session().get_service_model("s3").shape_for("InventoryOptionalField").enum
    for fmt in ("ORC", "Parquet"):
        put({**_INVENTORY, "Id": fmt, "OptionalFields": list(fields),
             "Destination": {"S3BucketDestination": {**destination, "Format": fmt}}})
        got = s3.get_bucket_inventory_configuration(Bucket=bucket, Id=fmt)["InventoryConfiguration"]
        assert got["OptionalFields"] == list(fields)


def _unimplemented_bucket_operations() -> list[str]:
    from overcast.services.s3.provider import Provider

    model = botocore.session.get_session().get_service_model("s3")
    names = []
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        lacking = getattr(Provider, snake_case(name), None) is None
        if shape is not None and "Bucket" in shape.required_members and lacking:
            names.append(name)
    return names


# deprecated operations whose request is their implemented successor's (the server sees that one)
_SAME_REQUEST_AS_IMPLEMENTED = {"GetBucketLifecycle", "PutBucketLifecycle", "GetBucketNotification",
                                "PutBucketNotification"}


def test_unimplemented_bucket_operations_answer_no_such_bucket_first(s3, loose, bucket):
    """Every bucket operation Overcast lacks: NoSuchBucket for a missing bucket, then 501."""
    operations = _unimplemented_bucket_operations()
    model = botocore.session.get_session().get_service_model("s3")
    assert operations, "every S3 bucket operation is implemented: drop this test"
    for name in operations:
        shape = model.operation_model(name).input_shape
        kinds = {member: shape.members[member].type_name for member in shape.required_members}
        params = {member: "x" for member, kind in kinds.items() if kind == "string"}
        params.update({member: {} for member, kind in kinds.items() if kind == "structure"})
        method = getattr(loose, snake_case(name))
        checks = [("no-such-bucket-here", ("NoSuchBucket", 404))]
        if name not in _SAME_REQUEST_AS_IMPLEMENTED:
            checks.append((bucket, ("NotImplemented", 501)))
        for target, expected in checks:
            params["Bucket"] = target
            with pytest.raises(ClientError) as exc:
                method(**params)
            assert _error(exc)[:2] == expected, name


def test_aws_cli_examples(aws_cli, bucket):
    """The AWS CLI's own examples (awscli/examples/s3api/*-configuration.rst) round-trip."""
    inventory = ('{"Destination": { "S3BucketDestination": { "AccountId": "123456789012", "Bucket": '
                 '"arn:aws:s3:::amzn-s3-demo-bucket", "Format": "ORC" }}, "IsEnabled": true, "Id": "1", '
                 '"IncludedObjectVersions": "Current", "Schedule": { "Frequency": "Weekly" }}')
    aws_cli("s3api", "put-bucket-inventory-configuration", "--bucket", bucket, "--id", "1",
            "--inventory-configuration", inventory)
    got = aws_cli("s3api", "get-bucket-inventory-configuration", "--bucket", bucket, "--id", "1")
    assert got["InventoryConfiguration"]["Destination"]["S3BucketDestination"]["Format"] == "ORC"
    aws_cli("s3api", "put-bucket-metrics-configuration", "--bucket", bucket, "--id", "123",
            "--metrics-configuration", '{"Id": "123", "Filter": {"Prefix": "logs"}}')
    listed = aws_cli("s3api", "list-bucket-metrics-configurations", "--bucket", bucket)
    assert listed == {"IsTruncated": False, "MetricsConfigurationList": [{"Id": "123", "Filter": {"Prefix": "logs"}}]}
    aws_cli("s3api", "put-bucket-intelligent-tiering-configuration", "--bucket", bucket, "--id", "ExampleConfig",
            "--intelligent-tiering-configuration", '{"Id": "ExampleConfig", "Status": "Enabled", "Filter": {"Prefix": '
            '"images"}, "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}, {"Days": 180, "AccessTier": '
            '"DEEP_ARCHIVE_ACCESS"}]}')
    listed = aws_cli("s3api", "list-bucket-intelligent-tiering-configurations", "--bucket", bucket)
    assert [c["Id"] for c in listed["IntelligentTieringConfigurationList"]] == ["ExampleConfig"]
    aws_cli("s3api", "put-bucket-analytics-configuration", "--bucket", bucket, "--id", "1",
            "--analytics-configuration", '{"Id": "1","StorageClassAnalysis": {}}')
    got = aws_cli("s3api", "get-bucket-analytics-configuration", "--bucket", bucket, "--id", "1")
    assert got == {"AnalyticsConfiguration": {"StorageClassAnalysis": {}, "Id": "1"}}


@pytest.mark.parametrize("method", ["DELETE", "PUT"])
def test_subresource_without_id_never_reaches_the_bucket(s3, endpoint, method):
    """``DELETE /bucket?metrics`` without ``id`` is the metrics operation missing its id, not a
    DeleteBucket (nor ``PUT`` a CreateBucket): the bucket stays."""
    import requests
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    s3.create_bucket(Bucket="keep-me")
    for family in ("metrics", "analytics", "inventory", "intelligent-tiering"):
        request = AWSRequest(method=method, url=f"{endpoint}/keep-me?{family}", data=b"")
        S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
        response = requests.request(method, request.url, headers=dict(request.headers), data=b"", timeout=10)
        assert response.status_code == 400, response.text
        expected = "InvalidConfigurationId" if method == "DELETE" else "MalformedXML"
        assert f"<Code>{expected}</Code>" in response.text
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["keep-me"]
