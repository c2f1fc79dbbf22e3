"""Target input without a server: PutTargets' checks of Input, InputPath and InputTransformer,
and the text each renders (cases from the EventBridge user guide, "Amazon EventBridge input
transformation", and the answers AWS gives for them)."""

from __future__ import annotations

import json

import pytest

from overcast.services.events.target_input import (TargetInputError, check_target_input, fill_template,
                                                   json_syntax_problem, render_input)
from overcast.services.events.target_paths import MISSING, extract, parse_path

RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/example"

# the user guide's example EC2 event
EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "items": [{"n": 1}, {"n": 2}],
               "count": 3, "gone": None},
}
PATHS = {"instance": "$.detail.instance-id", "state": "$.detail.state", "timestamp": "$.time"}


def render(target: dict) -> str:
    return render_input(target, EVENT, rule_arn=RULE_ARN, rule_name="example", ingestion_time=1447277394.0)


def transformed(template: str, paths: dict | None = None) -> str:
    return render({"Id": "t", "Arn": "a", "InputTransformer": {"InputPathsMap": PATHS if paths is None else paths,
                                                               "InputTemplate": template}})


# --- paths -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["$", "$.detail", "$.detail.instance-id", "$.detail.items[1]", "$.detail.items[*].n",
                                  "$.detail.*", "$.a/b", "$.a_b.c-d"])
def test_supported_paths_parse(path):
    assert parse_path(path) is not None


@pytest.mark.parametrize("path", ["detail", "", ".detail", "$.", "$.detail.", "$.detail['state']", "$..detail",
                                  "$.detail[x]", "$.a b", "$[0", '$.a"b'])
def test_refused_paths(path):
    assert parse_path(path) is None


def test_extract_walks_keys_indices_and_wildcards():
    assert extract(EVENT, parse_path("$.detail.state")) == "RUNNING"
    assert extract(EVENT, parse_path("$.detail.items[1].n")) == 2
    assert extract(EVENT, parse_path("$.detail.items[*].n")) == [1, 2]
    assert extract(EVENT, parse_path("$")) is EVENT
    assert extract(EVENT, parse_path("$.detail.items[5]")) is MISSING
    assert extract(EVENT, parse_path("$.detail.nothing")) is MISSING
    assert extract(EVENT, parse_path("$.detail.gone")) is None


# --- PutTargets' checks ----------------------------------------------------------------------

def refused(target: dict, **kwargs) -> str:
    with pytest.raises(TargetInputError) as caught:
        check_target_input({"Id": "t1", "Arn": "a", **target}, **kwargs)
    return str(caught.value)


def test_only_one_input_kind():
    assert refused({"InputPath": "$.detail", "InputTransformer": {"InputTemplate": '"x"'}}) == (
        "Only one of Input, InputPath, or InputTransformer must be provided for target t1.")
    assert refused({"Input": "{}", "InputPath": "$"}).startswith("Only one of Input")


@pytest.mark.parametrize("text", ['{"a": 1}', '"hello"', "5", "null", "[1, 2]", ' {"a": [true, false]} '])
def test_input_that_is_json_is_accepted(text):
    check_target_input({"Id": "t1", "Arn": "a", "Input": text})


def test_input_that_is_not_json_gets_jacksons_location():
    # as AWS answered (aws-cli issue 6711): a bare word is read whole before the parser stops
    assert refused({"Input": "env:dev"}) == (
        'JSON syntax error in input for target t1: [Source: (String)"env:dev"; line: 1, column: 4]')
    # a single quote where a field name goes: the quote is read, then refused (column 3)
    assert refused({"Input": "{'db_name':1}"}).endswith("line: 1, column: 3]")
    assert json_syntax_problem('{"a":') == '[Source: (String)"{"a":"; line: 1, column: 6]'
    assert json_syntax_problem('{\n  "a": x\n}').endswith("line: 2, column: 9]")
    assert json_syntax_problem("NaN") is not None
    long_text = "x" * 600
    assert '"[truncated 100 chars]; line: 1, column: 601]' in json_syntax_problem(long_text)


def test_input_path_must_be_supported():
    assert refused({"InputPath": "detail"}) == "InputPath for target t1 is invalid."
    assert refused({"InputPath": "$.detail['state']"}) == "InputPath for target t1 is invalid."
    check_target_input({"Id": "t1", "Arn": "a", "InputPath": "$.detail.items[0]"})


def test_transformer_paths_and_placeholders():
    assert refused({"InputTransformer": {"InputPathsMap": {"a": "detail"}, "InputTemplate": "<a>"}}) == (
        "InputPath for target t1 is invalid.")
    assert refused({"InputTransformer": {"InputPathsMap": PATHS,
                                         "InputTemplate": '"Event of <instance> with <notdefinedkey>"'}}) == (
        "InputTemplate for target t1 contains invalid placeholder notdefinedkey.")
    # predefined variables need no path
    check_target_input({"Id": "t1", "Arn": "a", "InputTransformer": {
        "InputTemplate": '"<aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>"'}})


@pytest.mark.parametrize("template", ['[<aws.events.event.json>]', '"<aws.events.event.json>"',
                                      "event <aws.events.event.json>"])
def test_event_variables_only_in_a_json_object_template(template):
    assert refused({"InputTransformer": {"InputTemplate": template}}) == (
        "InputTemplate for target t1 contains placeholder aws.events.event.json valid only for JSON template.")


def test_event_variable_in_a_json_object_is_accepted():
    check_target_input({"Id": "t1", "Arn": "a", "InputTransformer": {
        "InputTemplate": '{"e": <aws.events.event.json>, "f": <aws.events.event>}'}})


def test_log_group_targets_take_only_a_json_object_template():
    transformer = {"InputPathsMap": PATHS, "InputTemplate": '"cusId = <instance>"'}
    assert refused({"InputTransformer": transformer}, json_object_template=True) == (
        "Input for target t1 is not a valid JSON text.")
    check_target_input({"Id": "t1", "Arn": "a", "InputTransformer": {
        "InputPathsMap": PATHS, "InputTemplate": '{"timestamp": <timestamp>, "message": "<instance> is <state>"}'}},
        json_object_template=True)


# --- rendering -------------------------------------------------------------------------------

def test_no_input_settings_send_the_event_minified():
    assert render({"Id": "t", "Arn": "a"}) == json.dumps(EVENT, separators=(",", ":"))


def test_input_is_sent_verbatim():
    assert render({"Id": "t", "Arn": "a", "Input": '{"env": "dev"}'}) == '{"env": "dev"}'


def test_input_path_sends_the_value_as_json():
    assert render({"Id": "t", "Arn": "a", "InputPath": "$.detail.state"}) == '"RUNNING"'
    assert json.loads(render({"Id": "t", "Arn": "a", "InputPath": "$.detail"})) == EVENT["detail"]
    assert render({"Id": "t", "Arn": "a", "InputPath": "$.detail.count"}) == "3"


def test_user_guide_string_templates():
    assert transformed('"instance <instance> is in <state>"') == '"instance i-0123456789 is in RUNNING"'
    assert transformed('"instance \\"<instance>\\" is in <state>"') == '"instance \\"i-0123456789\\" is in RUNNING"'
    assert transformed('"<aws.events.rule-name> triggered"') == '"example triggered"'


def test_user_guide_json_templates():
    assert json.loads(transformed('{\n  "instance" : <instance>,\n  "state": <state>\n}')) == {
        "instance": "i-0123456789", "state": "RUNNING"}
    assert transformed('{"instance" : <instance>, "state": "<state>", '
                       '"instanceStatus": "instance \\"<instance>\\" is in <state>"}') == (
        '{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}')
    assert json.loads(transformed('{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}')) \
        == {"instance": "i-0123456789", "state": [9, "RUNNING", True], "Transformed": "Yes"}


def test_predefined_variables():
    body = json.loads(transformed('{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, '
                                  '"at": <aws.events.event.ingestion-time>, "originalEvent": <aws.events.event>, '
                                  '"json": <aws.events.event.json>}'))
    assert body["ruleArn"] == RULE_ARN and body["ruleName"] == "example"
    assert body["at"] == "2015-11-11T21:29:54Z"
    assert body["json"] == EVENT
    original = body["originalEvent"]
    assert list(original) == ["id", "account", "detailType", "time", "source", "region", "resources", "version"]
    assert original["detailType"] == EVENT["detail-type"] and "detail" not in original


def test_plain_text_template_inserts_values_bare():
    assert transformed("<instance> is in state <state>") == "i-0123456789 is in state RUNNING"


def test_objects_in_strings_lose_their_quotes():
    assert transformed('"Detail is <d>"', {"d": "$.detail.items[0]"}) == '"Detail is {n:1}"'
    assert transformed('{"detail": <d>}', {"d": "$.detail.items[0]"}) == '{"detail":{"n":1}}'


def test_numbers_and_nulls():
    assert transformed('{"c": <c>, "g": <g>, "s": "<c> items"}', {"c": "$.detail.count", "g": "$.detail.gone"}) == (
        '{"c":3,"g":null,"s":"3 items"}')


def test_missing_paths_are_empty():
    # AWS: '"... detail <command>"' with a missing path ends '... detail "'; in JSON, ""
    assert transformed('"Event of <instance> type, detail <command>"', {**PATHS, "command": "$.detail.nothing"}) == (
        '"Event of i-0123456789 type, detail "')
    assert transformed('{"command": <command>}', {"command": "$.detail.nothing"}) == '{"command":""}'


def test_values_are_not_escaped_inside_strings():
    assert fill_template('"say <q>"', {"q": 'he said "hi"'}) == '"say he said "hi""'
    assert fill_template('{"q": <q>}', {"q": 'he said "hi"'}) == '{"q":"he said \\"hi\\""}'


def test_template_without_placeholders():
    assert transformed('"constant"') == '"constant"'
    assert transformed('{ "a" : 1 }') == '{"a":1}'
    assert transformed("just words") == "just words"
