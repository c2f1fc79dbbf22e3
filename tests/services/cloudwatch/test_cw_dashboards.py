"""Dashboards: PutDashboard's body validation as CloudWatch words it, Get/List/Delete, global per
account (one dashboard seen from every region, ARNs without a region)."""

from __future__ import annotations

import json

import pytest

from cw_helpers import cw, error_of  # noqa: F401

TEXT = {"type": "text", "x": 0, "y": 7, "width": 3, "height": 3, "properties": {"markdown": "Hello world"}}
METRIC = {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {
    "metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-012345"]], "period": 300, "stat": "Average",
    "region": "us-east-1", "title": "EC2 Instance CPU"}}
BODY = json.dumps({"widgets": [METRIC, TEXT]})


def _invalid(cw, body) -> dict:
    """The InvalidParameterInput error of putting ``body`` (its whole Error and the messages)."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        cw.put_dashboard(DashboardName="bad", DashboardBody=json.dumps(body) if not isinstance(body, str) else body)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "InvalidParameterInput"
    return response


def test_put_get_round_trip_keeps_the_body_and_names_a_region_less_arn(cw):
    assert cw.put_dashboard(DashboardName="Dashboard-A", DashboardBody=BODY)["DashboardValidationMessages"] == []
    got = cw.get_dashboard(DashboardName="Dashboard-A")
    assert got["DashboardBody"] == BODY
    assert got["DashboardName"] == "Dashboard-A"
    assert got["DashboardArn"] == "arn:aws:cloudwatch::000000000000:dashboard/Dashboard-A"


def test_put_replaces_the_whole_dashboard(cw):
    cw.put_dashboard(DashboardName="d", DashboardBody=BODY)
    other = json.dumps({"widgets": [TEXT]})
    cw.put_dashboard(DashboardName="d", DashboardBody=other)
    assert cw.get_dashboard(DashboardName="d")["DashboardBody"] == other


def test_dashboards_are_global_across_regions(cw, aws_client):
    cw.put_dashboard(DashboardName="everywhere", DashboardBody=BODY)
    west = aws_client("cloudwatch", region="us-west-2")
    assert west.get_dashboard(DashboardName="everywhere")["DashboardArn"].startswith("arn:aws:cloudwatch::")
    assert [e["DashboardName"] for e in west.list_dashboards()["DashboardEntries"]] == ["everywhere"]


def test_get_of_a_missing_dashboard_is_resource_not_found(cw):
    assert error_of(cw.get_dashboard, DashboardName="nope") == ("ResourceNotFound", "Dashboard does not exist", 404)


def test_a_body_that_is_not_a_json_object_is_invalid_parameter_input(cw):
    for body in ("{not json", "[1, 2]", '"text"'):
        response = _invalid(cw, body)
        assert response["Error"]["Message"] == "The field DashboardBody must be a valid JSON object"


def test_widget_errors_are_listed_with_their_data_paths(cw):
    body = {"widgets": [
        {"type": "metric", "x": 24, "width": 0, "properties": {
            "metrics": [["AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"}, {"stat": "Sum"}]]}},
        {"type": "text", "properties": {}},
        {"x": 0, "properties": {"markdown": "no type"}},
    ]}
    response = _invalid(cw, body)
    expected = [
        {"DataPath": "/widgets/0/x", "Message": "Should be <= 23"},
        {"DataPath": "/widgets/0/width", "Message": "Should be >= 1"},
        {"DataPath": "/widgets/0/properties/metrics/0/2", "Message": 'Invalid metric field type, only "String" type is allowed'},
        {"DataPath": "/widgets/1/properties", "Message": "Should have required property 'markdown'"},
        {"DataPath": "/widgets/2", "Message": "Should have required property 'type'"},
    ]
    assert response["dashboardValidationMessages"] == expected
    listed = [{"dataPath": m["DataPath"], "message": m["Message"]} for m in expected]
    assert response["Error"]["Message"] == (
        "The dashboard body is invalid, there are 5 validation errors:\n" + json.dumps(listed, indent=2))


def test_a_metric_widget_without_metrics_or_annotations(cw):
    response = _invalid(cw, {"widgets": [{"type": "metric", "properties": {"region": "us-east-1"}}]})
    assert [m["Message"] for m in response["dashboardValidationMessages"]] == [
        "Should have required property 'metrics'",
        "The metric widget should have specified a region and a data source or an alarm annotation",
        "Should have required property 'annotations'"]


def test_a_body_without_widgets_and_an_empty_widget_list(cw):
    response = _invalid(cw, {"start": "-PT6H"})
    assert response["dashboardValidationMessages"] == [
        {"DataPath": "", "Message": "Should have required property 'widgets'"}]
    assert cw.put_dashboard(DashboardName="empty", DashboardBody='{"widgets": []}')["DashboardValidationMessages"] == []


def test_dashboard_names_allow_alphanumerics_dash_and_underscore_only(cw):
    code, message, status = error_of(cw.put_dashboard, DashboardName="has space", DashboardBody=BODY)
    assert (code, status) == ("InvalidParameterValue", 400)
    assert message.startswith("The value for field DashboardName contains invalid characters.")


def test_list_by_prefix_with_size_and_last_modified(cw):
    for name in ("prod-api", "prod-db", "test-api"):
        cw.put_dashboard(DashboardName=name, DashboardBody=BODY)
    entries = cw.list_dashboards(DashboardNamePrefix="prod-")["DashboardEntries"]
    assert [e["DashboardName"] for e in entries] == ["prod-api", "prod-db"]
    assert all(e["Size"] == len(BODY.encode()) for e in entries)
    assert all(e["LastModified"].year >= 2024 for e in entries)
    assert entries[0]["DashboardArn"] == "arn:aws:cloudwatch::000000000000:dashboard/prod-api"


def test_list_pages_by_a_thousand(cw, server):
    # 1,001 dashboards (PutDashboard is the only way in), a few calls at a time
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda index: cw.put_dashboard(DashboardName=f"d{index:04d}", DashboardBody='{"widgets":[]}'),
                      range(1001)))
    first = cw.list_dashboards()
    assert len(first["DashboardEntries"]) == 1000 and "NextToken" in first
    second = cw.list_dashboards(NextToken=first["NextToken"])
    assert [e["DashboardName"] for e in second["DashboardEntries"]] == ["d1000"] and "NextToken" not in second
    assert error_of(cw.list_dashboards, NextToken="garbage!")[0] == "InvalidParameterValue"


def test_delete_deletes_what_exists_and_names_what_does_not(cw):
    for name in ("a", "b"):
        cw.put_dashboard(DashboardName=name, DashboardBody=BODY)
    cw.delete_dashboards(DashboardNames=["a"])
    assert [e["DashboardName"] for e in cw.list_dashboards()["DashboardEntries"]] == ["b"]
    assert error_of(cw.delete_dashboards, DashboardNames=["b", "ghost"]) == (
        "ResourceNotFound", "The specified dashboard does not exist. [ghost]", 404)
    assert cw.list_dashboards()["DashboardEntries"] == []


def test_the_cli_examples(aws_cli):
    """put-dashboard and get-dashboard as the AWS CLI's examples run them (list and delete: boto3 above)."""
    body = ('{"widgets":[{"type":"metric","x":0,"y":0,"width":6,"height":6,"properties":{"view":"timeSeries",'
            '"stacked":false,"metrics":[["Namespace","CPUUtilization","Environment","Prod","Type","App"]],'
            '"region":"us-east-1"}}]}')
    out = aws_cli("cloudwatch", "put-dashboard", "--dashboard-name", "Dashboard-A", "--dashboard-body", body)
    assert out == {"DashboardValidationMessages": []}
    got = aws_cli("cloudwatch", "get-dashboard", "--dashboard-name", "Dashboard-A")
    assert got["DashboardBody"] == body and got["DashboardName"] == "Dashboard-A"


def test_tags_apply_at_creation_and_through_tag_resource(cw):
    cw.put_dashboard(DashboardName="tagged", DashboardBody=BODY, Tags=[{"Key": "team", "Value": "ops"}])
    arn = cw.get_dashboard(DashboardName="tagged")["DashboardArn"]
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    # on an update, Tags are ignored (TagResource changes them)
    cw.put_dashboard(DashboardName="tagged", DashboardBody=BODY, Tags=[{"Key": "team", "Value": "dev"}])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "tier", "Value": "1"}])
    assert {t["Key"] for t in cw.list_tags_for_resource(ResourceARN=arn)["Tags"]} == {"team", "tier"}
    cw.delete_dashboards(DashboardNames=["tagged"])
    assert error_of(cw.list_tags_for_resource, ResourceARN=arn)[0] == "ResourceNotFoundException"
    cw.put_dashboard(DashboardName="tagged", DashboardBody=BODY)
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == []  # a new dashboard, no old tags


@pytest.mark.parametrize("protocol", ["query", "json"])
def test_the_dashboard_operations_in_the_query_and_json_protocols(endpoint, protocol):
    from botocore.exceptions import ClientError

    from cw_helpers import protocol_client

    client = protocol_client(endpoint, protocol)
    assert client.put_dashboard(DashboardName="wire", DashboardBody=BODY)["DashboardValidationMessages"] == []
    assert client.get_dashboard(DashboardName="wire")["DashboardBody"] == BODY
    [entry] = client.list_dashboards()["DashboardEntries"]
    assert (entry["DashboardName"], entry["Size"]) == ("wire", len(BODY))
    with pytest.raises(ClientError) as info:
        client.put_dashboard(DashboardName="wire", DashboardBody='{"widgets": [{"properties": {}}]}')
    error = info.value.response
    assert error["Error"]["Code"] == "InvalidParameterInput"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"].startswith("The dashboard body is invalid, there are 1 validation errors:")
    assert error_of(client.get_dashboard, DashboardName="gone") == ("ResourceNotFound", "Dashboard does not exist", 404)
    client.delete_dashboards(DashboardNames=["wire"])
    assert client.list_dashboards()["DashboardEntries"] == []
