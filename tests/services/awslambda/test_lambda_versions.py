"""PublishVersion and ListVersionsByFunction through boto3 and the AWS CLI: a version is an
immutable snapshot of $LATEST, nothing new is published when nothing changed, CodeSha256 and
RevisionId preconditions, the version list in order and in pages."""

from __future__ import annotations

import pytest
from lambda_helpers import create_python_function, error_of

HANDLER = "def handler(event, context):\n    return {'from': 'v1'}\n"


@pytest.fixture
def lam(aws_client):
    client = aws_client("lambda")
    create_python_function(client, "ver-fn", HANDLER, Description="first")
    return client


def test_publish_snapshots_latest(lam):
    latest = lam.get_function_configuration(FunctionName="ver-fn")
    published = lam.publish_version(FunctionName="ver-fn", Description="release one")
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert published["Version"] == "1"
    assert published["FunctionArn"] == latest["FunctionArn"] + ":1"
    assert published["Description"] == "release one"
    for key in ("CodeSha256", "CodeSize", "Runtime", "Handler", "Role", "Timeout", "MemorySize"):
        assert published[key] == latest[key], key
    assert published["RevisionId"] != latest["RevisionId"]
    assert "LastUpdateStatus" not in published
    assert (published["State"], published["StateReasonCode"]) == ("Pending", "Creating")
    lam.get_waiter("published_version_active").wait(FunctionName="ver-fn", Qualifier="1",
                                                    WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    assert lam.get_function_configuration(FunctionName="ver-fn", Qualifier="1")["State"] == "Active"
    # the function itself changed revision: publishing is a change of the function
    assert lam.get_function_configuration(FunctionName="ver-fn")["RevisionId"] != latest["RevisionId"]
    # the version answers on its own, unchanged by later updates of $LATEST
    lam.update_function_configuration(FunctionName="ver-fn", Timeout=30, Description="second")
    lam.get_waiter("function_updated_v2").wait(FunctionName="ver-fn", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    one = lam.get_function_configuration(FunctionName="ver-fn", Qualifier="1")
    assert one["Timeout"] == latest["Timeout"] and one["Description"] == "release one"
    assert one["FunctionArn"].endswith(":ver-fn:1")


def test_nothing_changed_publishes_nothing(lam):
    first = lam.publish_version(FunctionName="ver-fn")
    assert first["Description"] == "first"  # the function's description when none is given
    again = lam.publish_version(FunctionName="ver-fn", Description="other words")
    assert again["Version"] == "1" and again["RevisionId"] == first["RevisionId"]
    assert again["Description"] == "first" and again["State"] == "Active"  # the stored version, as it is
    lam.update_function_configuration(FunctionName="ver-fn", MemorySize=256)
    lam.get_waiter("function_updated_v2").wait(FunctionName="ver-fn", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    second = lam.publish_version(FunctionName="ver-fn")
    assert second["Version"] == "2" and second["MemorySize"] == 256


def test_code_sha_and_revision_preconditions(lam):
    latest = lam.get_function_configuration(FunctionName="ver-fn")
    code, message = error_of(lam.publish_version, FunctionName="ver-fn", CodeSha256="bm90IGl0")
    assert code == "InvalidParameterValueException"
    assert message == (f"CodeSHA256 (bm90IGl0) is different from current CodeSHA256 in $LATEST "
                       f"({latest['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST.")
    code, message = error_of(lam.publish_version, FunctionName="ver-fn", RevisionId="not-the-one", status=412)
    assert code == "PreconditionFailedException"
    assert message.startswith("The Revision Id provided does not match the latest Revision Id.")
    published = lam.publish_version(FunctionName=latest["FunctionArn"], CodeSha256=latest["CodeSha256"],
                                    RevisionId=latest["RevisionId"])
    assert published["Version"] == "1"


def test_missing_function(lam):
    code, message = error_of(lam.publish_version, FunctionName="no-such-fn", status=404)
    assert code == "ResourceNotFoundException"
    assert message.startswith("Function not found: arn:aws:lambda:us-east-1:") and message.endswith(":no-such-fn")
    assert error_of(lam.list_versions_by_function, FunctionName="no-such-fn", status=404)[0] == \
        "ResourceNotFoundException"


def test_list_versions_in_order_and_pages(lam):
    for timeout in (10, 11, 12):
        lam.update_function_configuration(FunctionName="ver-fn", Timeout=timeout)
        lam.get_waiter("function_updated_v2").wait(FunctionName="ver-fn",
                                                   WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        lam.publish_version(FunctionName="ver-fn")
    listed = lam.list_versions_by_function(FunctionName="ver-fn")
    assert [v["Version"] for v in listed["Versions"]] == ["$LATEST", "1", "2", "3"]
    assert listed["Versions"][0]["FunctionArn"].endswith(":ver-fn:$LATEST")
    assert [v["Timeout"] for v in listed["Versions"][1:]] == [10, 11, 12]
    assert "NextMarker" not in listed
    seen, marker = [], None
    while True:
        page = lam.list_versions_by_function(FunctionName="ver-fn", MaxItems=3, **({"Marker": marker} if marker else {}))
        seen += [v["Version"] for v in page["Versions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == ["$LATEST", "1", "2", "3"]


def test_cli_publish_and_list(lam, aws_cli):
    published = aws_cli("lambda", "publish-version", "--function-name", "ver-fn", "--description", "cli")
    assert published["Version"] == "1" and published["Description"] == "cli"
    listed = aws_cli("lambda", "list-versions-by-function", "--function-name", "ver-fn")
    assert [v["Version"] for v in listed["Versions"]] == ["$LATEST", "1"]
