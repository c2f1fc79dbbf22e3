"""Saved Logs Insights queries through boto3: PutQueryDefinition creates (a UUID) and updates
(replacing every value), DescribeQueryDefinitions lists by name with a prefix and pages,
DeleteQueryDefinition; a retried create with the same clientToken answers the same id."""

from __future__ import annotations

import re
import uuid

from logs_helpers import error_of, logs  # noqa: F401

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_create_describe_update_delete(logs):
    created = logs.put_query_definition(name="errors/by-path", queryString="filter level = 'ERROR'",
                                        logGroupNames=["app", "web"])["queryDefinitionId"]
    assert UUID.fullmatch(created)
    (found,) = logs.describe_query_definitions()["queryDefinitions"]
    assert found["queryDefinitionId"] == created
    assert (found["name"], found["queryString"], found["logGroupNames"]) == \
        ("errors/by-path", "filter level = 'ERROR'", ["app", "web"])
    assert found["queryLanguage"] == "CWLI" and found["lastModified"] > 0
    assert logs.put_query_definition(queryDefinitionId=created, name="errors/all",
                                     queryString="stats count(*)")["queryDefinitionId"] == created
    (found,) = logs.describe_query_definitions()["queryDefinitions"]
    # an update keeps nothing it was not given: no log groups now
    assert (found["name"], found["queryString"], found["logGroupNames"]) == ("errors/all", "stats count(*)", [])
    assert logs.delete_query_definition(queryDefinitionId=created)["success"] is True
    assert logs.describe_query_definitions()["queryDefinitions"] == []


def test_prefix_order_and_pages(logs):
    for name in ("b-two", "a-one", "b-one", "c"):
        logs.put_query_definition(name=name, queryString="fields @message")
    names = [d["name"] for d in logs.describe_query_definitions()["queryDefinitions"]]
    assert names == ["a-one", "b-one", "b-two", "c"]
    assert [d["name"] for d in logs.describe_query_definitions(queryDefinitionNamePrefix="b-")["queryDefinitions"]] \
        == ["b-one", "b-two"]
    first = logs.describe_query_definitions(maxResults=3)
    assert [d["name"] for d in first["queryDefinitions"]] == ["a-one", "b-one", "b-two"]
    rest = logs.describe_query_definitions(maxResults=3, nextToken=first["nextToken"])
    assert [d["name"] for d in rest["queryDefinitions"]] == ["c"] and "nextToken" not in rest


def test_parameters_are_kept(logs):
    parameters = [{"name": "level", "defaultValue": "ERROR", "description": "which level"}]
    logs.put_query_definition(name="p", queryString="filter level = {{level}}", parameters=parameters)
    (found,) = logs.describe_query_definitions()["queryDefinitions"]
    assert found["parameters"] == parameters


def test_client_token_makes_a_retry_answer_the_same_definition(logs):
    token = str(uuid.uuid4())
    one = logs.put_query_definition(name="q", queryString="fields @message", clientToken=token)["queryDefinitionId"]
    two = logs.put_query_definition(name="q", queryString="fields @message", clientToken=token)["queryDefinitionId"]
    assert one == two
    assert len(logs.describe_query_definitions()["queryDefinitions"]) == 1


def test_unknown_definitions_and_bad_input(logs):
    missing = str(uuid.uuid4())
    code, message, _ = error_of(logs.delete_query_definition, queryDefinitionId=missing)
    assert (code, message) == ("ResourceNotFoundException", "The specified query definition does not exist.")
    code, _, _ = error_of(logs.put_query_definition, queryDefinitionId=missing, name="x", queryString="fields a")
    assert code == "ResourceNotFoundException"
    code, message, status = error_of(logs.put_query_definition, name="x" * 256, queryString="fields a")
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == ("1 validation error detected: Value at 'name' failed to satisfy constraint: "
                       "Member must have length less than or equal to 255")
