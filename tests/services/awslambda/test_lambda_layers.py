"""Layers through boto3 and the AWS CLI: PublishLayerVersion (numbers never reused), Get by
name and by ARN, Content.Location downloading the zip, ListLayers/ListLayerVersions with their
filters and pages, DeleteLayerVersion, and a layer version's policy."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request

import pytest
from lambda_helpers import PYTHON_RUNTIME, error_of, zip_of

ZIP = zip_of({"python/shared_helpers.py": "VALUE = 42\n"})


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


def _publish(lam, name="shared", **extra):
    return lam.publish_layer_version(LayerName=name, Content={"ZipFile": ZIP}, **extra)


def test_publish_get_and_download(lam):
    published = _publish(lam, Description="helpers", CompatibleRuntimes=[PYTHON_RUNTIME], LicenseInfo="MIT",
                         CompatibleArchitectures=["x86_64"])
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert published["LayerArn"] == "arn:aws:lambda:us-east-1:000000000000:layer:shared"
    assert published["LayerVersionArn"] == published["LayerArn"] + ":1" and published["Version"] == 1
    assert published["Content"]["CodeSha256"] == base64.b64encode(hashlib.sha256(ZIP).digest()).decode()
    assert published["Content"]["CodeSize"] == len(ZIP)
    assert (published["Description"], published["LicenseInfo"]) == ("helpers", "MIT")
    assert published["CompatibleRuntimes"] == [PYTHON_RUNTIME]
    assert published["CompatibleArchitectures"] == ["x86_64"]
    assert published["CreatedDate"].endswith("+0000")
    with urllib.request.urlopen(published["Content"]["Location"], timeout=10) as response:
        assert response.read() == ZIP
    got = lam.get_layer_version(LayerName="shared", VersionNumber=1)
    by_arn = lam.get_layer_version_by_arn(Arn=published["LayerVersionArn"])
    for answer in (got, by_arn):
        assert answer["LayerVersionArn"] == published["LayerVersionArn"]
        assert answer["Content"]["CodeSha256"] == published["Content"]["CodeSha256"]
    assert lam.get_layer_version(LayerName=published["LayerArn"], VersionNumber=1)["Version"] == 1
    assert error_of(lam.get_layer_version, LayerName="shared", VersionNumber=2, status=404) == (
        "ResourceNotFoundException", "The resource you requested does not exist.")
    assert error_of(lam.get_layer_version, LayerName="shared", VersionNumber=0) == (
        "InvalidParameterValueException", "Layer Version Cannot be less than 1")
    assert error_of(lam.publish_layer_version, LayerName="bad", Content={"ZipFile": b"not a zip"})[0] == \
        "InvalidParameterValueException"


def test_lists_filters_pages_and_delete(lam):
    _publish(lam, CompatibleRuntimes=[PYTHON_RUNTIME])
    _publish(lam, CompatibleRuntimes=["nodejs20.x"], CompatibleArchitectures=["arm64"])
    _publish(lam)
    _publish(lam, "other", CompatibleRuntimes=[PYTHON_RUNTIME])
    versions = lam.list_layer_versions(LayerName="shared")["LayerVersions"]
    assert [v["Version"] for v in versions] == [3, 2, 1]
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="shared", CompatibleRuntime=PYTHON_RUNTIME)[
        "LayerVersions"]] == [1]
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="shared", CompatibleArchitecture="arm64")[
        "LayerVersions"]] == [2]
    first = lam.list_layer_versions(LayerName="shared", MaxItems=2)
    rest = lam.list_layer_versions(LayerName="shared", MaxItems=2, Marker=first["NextMarker"])
    assert [v["Version"] for v in first["LayerVersions"] + rest["LayerVersions"]] == [3, 2, 1]
    layers = lam.list_layers()["Layers"]
    assert [(layer["LayerName"], layer["LatestMatchingVersion"]["Version"]) for layer in layers] == [
        ("other", 1), ("shared", 3)]
    matching = lam.list_layers(CompatibleRuntime=PYTHON_RUNTIME)["Layers"]
    assert [(layer["LayerName"], layer["LatestMatchingVersion"]["Version"]) for layer in matching] == [
        ("other", 1), ("shared", 1)]
    assert lam.delete_layer_version(LayerName="shared", VersionNumber=3)["ResponseMetadata"]["HTTPStatusCode"] == 204
    lam.delete_layer_version(LayerName="shared", VersionNumber=3)  # again: nothing to delete, still fine
    assert error_of(lam.get_layer_version, LayerName="shared", VersionNumber=3, status=404)[0] == \
        "ResourceNotFoundException"
    # a number is never given twice
    assert _publish(lam)["Version"] == 4
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="shared")["LayerVersions"]] == [4, 2, 1]
    assert lam.list_layer_versions(LayerName="never-published")["LayerVersions"] == []


def test_layer_version_policy(lam):
    arn = _publish(lam)["LayerVersionArn"]
    assert error_of(lam.get_layer_version_policy, LayerName="shared", VersionNumber=1, status=404) == (
        "ResourceNotFoundException", "No policy is associated with the given resource.")
    added = lam.add_layer_version_permission(LayerName="shared", VersionNumber=1, StatementId="team",
                                             Action="lambda:GetLayerVersion", Principal="111122223333")
    assert json.loads(added["Statement"]) == {
        "Sid": "team", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "lambda:GetLayerVersion", "Resource": arn}
    org = lam.add_layer_version_permission(LayerName="shared", VersionNumber=1, StatementId="org",
                                           Action="lambda:GetLayerVersion", Principal="*",
                                           OrganizationId="o-abcdefghij", RevisionId=added["RevisionId"])
    assert json.loads(org["Statement"])["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    policy = lam.get_layer_version_policy(LayerName="shared", VersionNumber=1)
    assert [s["Sid"] for s in json.loads(policy["Policy"])["Statement"]] == ["team", "org"]
    assert policy["RevisionId"] == org["RevisionId"]
    assert error_of(lam.add_layer_version_permission, LayerName="shared", VersionNumber=1, StatementId="team",
                    Action="lambda:GetLayerVersion", Principal="*", status=409)[0] == "ResourceConflictException"
    assert error_of(lam.add_layer_version_permission, LayerName="shared", VersionNumber=1, StatementId="x",
                    Action="lambda:GetLayerVersion", Principal="*", RevisionId="stale", status=412)[0] == \
        "PreconditionFailedException"
    assert error_of(lam.add_layer_version_permission, LayerName="shared", VersionNumber=1, StatementId="x",
                    Action="lambda:InvokeFunction", Principal="*")[0] == "ValidationException"
    assert error_of(lam.add_layer_version_permission, LayerName="shared", VersionNumber=7, StatementId="x",
                    Action="lambda:GetLayerVersion", Principal="*", status=404) == (
        "ResourceNotFoundException", f"Layer version {arn[:-2]}:7 does not exist.")
    assert error_of(lam.remove_layer_version_permission, LayerName="shared", VersionNumber=1, StatementId="nope",
                    status=404) == ("ResourceNotFoundException", "Statement nope is not found in resource policy.")
    lam.remove_layer_version_permission(LayerName="shared", VersionNumber=1, StatementId="team")
    lam.remove_layer_version_permission(LayerName="shared", VersionNumber=1, StatementId="org")
    assert error_of(lam.get_layer_version_policy, LayerName="shared", VersionNumber=1, status=404)[0] == \
        "ResourceNotFoundException"


def test_cli(lam, aws_cli, tmp_path):
    package = tmp_path / "layer.zip"
    package.write_bytes(ZIP)
    published = aws_cli("lambda", "publish-layer-version", "--layer-name", "cli-layer", "--zip-file",
                        f"fileb://{package}")
    assert published["Version"] == 1
    listed = aws_cli("lambda", "list-layers")
    assert [layer["LayerName"] for layer in listed["Layers"]] == ["cli-layer"]
