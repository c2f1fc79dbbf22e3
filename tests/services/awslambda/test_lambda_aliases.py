"""Aliases through boto3 and the AWS CLI: Create/Get/Update/Delete/ListAliases, RoutingConfig
with one weighted extra version (its checks in AWS's words), RevisionId preconditions, and the
weighted choice of the version an invocation of the alias runs."""

from __future__ import annotations

import pytest
from lambda_helpers import create_python_function, error_of

HANDLER = "def handler(event, context):\n    return {'timeout': context.get_remaining_time_in_millis() > 0}\n"


def _wait(lam, name="alias-fn"):
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


@pytest.fixture
def lam(aws_client):
    """A function with versions 1 and 2."""
    client = aws_client("lambda")
    create_python_function(client, "alias-fn", HANDLER)
    client.publish_version(FunctionName="alias-fn")
    client.update_function_configuration(FunctionName="alias-fn", Timeout=9)
    _wait(client)
    client.publish_version(FunctionName="alias-fn")
    return client


def test_create_get_list_delete(lam):
    arn = lam.get_function_configuration(FunctionName="alias-fn")["FunctionArn"]
    created = lam.create_alias(FunctionName="alias-fn", Name="live", FunctionVersion="1", Description="prod")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["AliasArn"] == f"{arn}:live"
    assert (created["Name"], created["FunctionVersion"], created["Description"]) == ("live", "1", "prod")
    assert "RoutingConfig" not in created and created["RevisionId"]
    got = lam.get_alias(FunctionName=arn, Name="live")
    assert got["RevisionId"] == created["RevisionId"] and got["AliasArn"] == created["AliasArn"]
    lam.create_alias(FunctionName="alias-fn", Name="beta", FunctionVersion="$LATEST")
    lam.create_alias(FunctionName="alias-fn", Name="canary", FunctionVersion="2")
    assert [a["Name"] for a in lam.list_aliases(FunctionName="alias-fn")["Aliases"]] == ["beta", "canary", "live"]
    assert [a["Name"] for a in lam.list_aliases(FunctionName="alias-fn", FunctionVersion="2")["Aliases"]] == ["canary"]
    first = lam.list_aliases(FunctionName="alias-fn", MaxItems=2)
    assert [a["Name"] for a in first["Aliases"]] == ["beta", "canary"]
    rest = lam.list_aliases(FunctionName="alias-fn", MaxItems=2, Marker=first["NextMarker"])
    assert [a["Name"] for a in rest["Aliases"]] == ["live"] and "NextMarker" not in rest
    # the alias qualifies the function everywhere a qualifier is taken
    assert lam.get_function_configuration(FunctionName="alias-fn", Qualifier="live")["Version"] == "1"
    assert lam.delete_alias(FunctionName="alias-fn", Name="live")["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, message = error_of(lam.get_alias, FunctionName="alias-fn", Name="live", status=404)
    assert (code, message) == ("ResourceNotFoundException", f"Cannot find alias arn: {arn}:live")


def test_create_errors(lam):
    arn = lam.get_function_configuration(FunctionName="alias-fn")["FunctionArn"]
    lam.create_alias(FunctionName="alias-fn", Name="live", FunctionVersion="1")
    assert error_of(lam.create_alias, FunctionName="alias-fn", Name="live", FunctionVersion="2", status=409) == (
        "ResourceConflictException", f"Alias already exists: {arn}:live")
    assert error_of(lam.create_alias, FunctionName="alias-fn", Name="x", FunctionVersion="7", status=404) == (
        "ResourceNotFoundException", f"Function not found: {arn}:7")
    code, message = error_of(lam.create_alias, FunctionName="alias-fn", Name="123", FunctionVersion="1")
    assert code == "ValidationException" and "at 'name' failed to satisfy constraint" in message
    assert error_of(lam.create_alias, FunctionName="nope", Name="x", FunctionVersion="1", status=404)[0] == \
        "ResourceNotFoundException"


def test_routing_config_checks(lam):
    def create(**routing):
        return lam.create_alias(FunctionName="alias-fn", Name="shift", FunctionVersion="1",
                                RoutingConfig={"AdditionalVersionWeights": routing})

    assert error_of(create, **{"2": 0.5, "3": 0.1}) == (
        "InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1")
    assert error_of(create, **{"1": 0.5}) == (
        "InvalidParameterValueException",
        "Invalid function version 1. Function version 1 is already included in routing configuration.")
    code, message = error_of(create, **{"2": 1.5})
    assert code == "ValidationException" and "routingConfig.additionalVersionWeights" in message
    assert error_of(create, **{"9": 0.5}, status=404)[0] == "ResourceNotFoundException"
    assert error_of(lam.create_alias, FunctionName="alias-fn", Name="shift", FunctionVersion="$LATEST",
                    RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}}) == (
        "InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version")
    created = create(**{"2": 0.25})
    assert created["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}


def test_update_and_revision(lam):
    created = lam.create_alias(FunctionName="alias-fn", Name="live", FunctionVersion="1",
                               RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
    code, _ = error_of(lam.update_alias, FunctionName="alias-fn", Name="live", FunctionVersion="2",
                       RevisionId="stale", status=412)
    assert code == "PreconditionFailedException"
    updated = lam.update_alias(FunctionName="alias-fn", Name="live", RevisionId=created["RevisionId"],
                               Description="moved")
    assert updated["FunctionVersion"] == "1" and updated["Description"] == "moved"
    assert updated["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.1}}
    assert updated["RevisionId"] != created["RevisionId"]
    # the primary version cannot become the weighted one
    assert error_of(lam.update_alias, FunctionName="alias-fn", Name="live", FunctionVersion="2")[0] == \
        "InvalidParameterValueException"
    cleared = lam.update_alias(FunctionName="alias-fn", Name="live", FunctionVersion="2", RoutingConfig={})
    assert cleared["FunctionVersion"] == "2" and "RoutingConfig" not in cleared
    assert error_of(lam.update_alias, FunctionName="alias-fn", Name="nope", Description="x", status=404)[0] == \
        "ResourceNotFoundException"


def test_aliases_go_with_their_function(lam):
    lam.create_alias(FunctionName="alias-fn", Name="live", FunctionVersion="1")
    lam.delete_function(FunctionName="alias-fn")
    create_python_function(lam, "alias-fn", HANDLER)
    assert lam.list_aliases(FunctionName="alias-fn")["Aliases"] == []


def test_cli(lam, aws_cli):
    created = aws_cli("lambda", "create-alias", "--function-name", "alias-fn", "--name", "LIVE",
                      "--function-version", "1", "--routing-config", "AdditionalVersionWeights={2=0.5}")
    assert created["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    assert aws_cli("lambda", "get-alias", "--function-name", "alias-fn", "--name", "LIVE")["FunctionVersion"] == "1"


def test_invocations_of_a_weighted_alias_split_within_bounds(lam):
    """200 invocations with 30% routed to version 2: the count lies within ~4.6 standard
    deviations of 60 (a false failure once in about 250,000 runs)."""
    lam.create_alias(FunctionName="alias-fn", Name="shift", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}})
    executed = [lam.invoke(FunctionName="alias-fn", Qualifier="shift", Payload=b"{}")["ExecutedVersion"]
                for _ in range(200)]
    assert set(executed) <= {"1", "2"}
    assert 30 <= executed.count("2") <= 90, executed.count("2")
    # without weights every invocation runs the primary version
    lam.update_alias(FunctionName="alias-fn", Name="shift", RoutingConfig={})
    assert {lam.invoke(FunctionName="alias-fn", Qualifier="shift")["ExecutedVersion"] for _ in range(10)} == {"1"}
