"""The shared event-ruler engine: the wildcard grammar and its complexity rule, numbers in
EventBridge's dialect, SNS's dialect keeping EventBridge's operators out, and the rule index
answering exactly what testing every rule in turn answers."""

from __future__ import annotations

import json
import random

import pytest
from botocore.exceptions import ClientError

from overcast.services.event_ruler import wildcard
from overcast.services.events.event_patterns import InvalidEventPattern, RuleIndex, compile_event_pattern
from overcast.services.sns.filter_policy import InvalidFilterPolicy, compile_filter_policy


def _detail(**fields) -> dict:
    return {"source": "s", "detail-type": "t", "detail": fields}


def test_wildcard_positions_count_utf8_bytes_inside_the_quotes():
    assert wildcard.parse("a*b") == ("a", wildcard.STAR, "b")
    assert wildcard.parse("a\\*b\\\\") == ("a", "*", "b", "\\")
    with pytest.raises(wildcard.WildcardError, match=r"^Consecutive wildcard characters at pos 3$"):
        wildcard.parse("é**")
    with pytest.raises(wildcard.WildcardError, match=r"^Invalid escape character at pos 2$"):
        wildcard.parse("a\\")


def test_wildcard_complexity_grows_with_overlapping_partial_matches():
    suffixes = [wildcard.parse(text) for text in ("*.bif", "*.tiff", "*.tif", "*.svs")]
    assert wildcard.complexity(suffixes[:2]) <= wildcard.MAX_ACTIVE_STATES
    assert wildcard.complexity(suffixes) > wildcard.MAX_ACTIVE_STATES
    assert wildcard.complexity([wildcard.parse("*/lib/*")]) <= wildcard.MAX_ACTIVE_STATES
    # Different fields are separate machines: four suffixes spread over two fields are fine.
    compile_event_pattern(json.dumps({"detail": {
        "a": [{"wildcard": "*.bif"}, {"wildcard": "*.tiff"}],
        "b": [{"wildcard": "*.tif"}, {"wildcard": "*.svs"}]}}))


def test_eventbridge_numbers_compare_to_six_decimals_within_five_billion():
    six = compile_event_pattern('{"detail": {"n": [1.000001]}}')
    assert six.matches(_detail(n=1.000001)) and not six.matches(_detail(n=1.000002))
    assert compile_event_pattern('{"detail": {"n": [1]}}').matches(_detail(n=1.0000001))
    # An account number is no comparable number: it still matches as written.
    account = compile_event_pattern('{"detail": {"account": [123456789012]}}')
    assert account.matches(_detail(account=123456789012))
    assert not account.matches(_detail(account=123456789013))
    above = compile_event_pattern('{"detail": {"n": [{"numeric": [">", 0]}]}}')
    assert not above.matches(_detail(n=6e9)) and above.matches(_detail(n=5e9))
    with pytest.raises(InvalidEventPattern, match="Value must be between -5.0E9 and 5.0E9, inclusive"):
        compile_event_pattern('{"detail": {"n": [{"anything-but": [-6e9]}]}}')


@pytest.mark.parametrize("policy,reason", [
    ('{"a": [{"wildcard": "x*"}]}', "Unrecognized match type wildcard"),
    ('{"a": [{"prefix": {"equals-ignore-case": "x"}}]}', "prefix match pattern must be a string"),
    ('{"a": [{"anything-but": {"wildcard": "x*"}}]}', "Unsupported anything-but pattern: wildcard"),
    ('{"a": [{"anything-but": {"prefix": ["x"]}}]}', "prefix/suffix match pattern must be a string"),
])
def test_sns_dialect_keeps_eventbridge_operators_out(policy, reason):
    with pytest.raises(InvalidFilterPolicy) as error:
        compile_filter_policy(policy, "MessageBody")
    assert error.value.message.startswith(f"Invalid parameter: FilterPolicy: {reason}\n at [Source: (String)")
    compile_event_pattern(policy)  # EventBridge takes each of them


def test_the_same_address_written_differently_is_never_filed_away():
    pattern = compile_event_pattern('{"detail": {"ip": ["::1"]}}')
    index = RuleIndex([("r", pattern)])
    assert index.match(_detail(ip="0:0:0:0:0:0:0:1")) == ["r"] and pattern.matches(_detail(ip="0::1"))


def _random_pattern(rng: random.Random) -> dict:
    def values():
        pick = rng.randrange(9)
        if pick < 3:
            return rng.sample(["a", "b", "c", "ab", "ba"], rng.randrange(1, 3))
        return [[{"prefix": rng.choice(["a", "b"])}], [{"numeric": [">", rng.randrange(4)]}],
                [{"anything-but": rng.choice(["a", "b"])}], [{"exists": rng.random() < 0.5}],
                [{"wildcard": rng.choice(["*a", "b*", "*"])}], [rng.randrange(4), "a"]][pick - 3]

    def fields():
        names = rng.sample(["x", "y", "z"], rng.randrange(1, 3))
        return {name: values() for name in names}

    pattern = {"source": values()} if rng.random() < 0.6 else {}
    detail = fields()
    if rng.random() < 0.3:
        detail["$or"] = [fields(), fields()]
    pattern["detail"] = detail
    return pattern


def _random_event(rng: random.Random) -> dict:
    def value():
        return rng.choice(["a", "b", "c", "ab", "ba", 0, 1, 2, 3, None, [rng.choice("abc"), 2]])

    detail = {name: value() for name in rng.sample(["x", "y", "z"], rng.randrange(0, 4))}
    return {"source": rng.choice(["a", "b", "c", "ab"]), "detail-type": "t", "detail": detail}


def test_the_index_answers_what_testing_every_rule_answers():
    rng = random.Random(17)
    rules = []
    for number in range(300):
        try:
            rules.append((number, compile_event_pattern(json.dumps(_random_pattern(rng)))))
        except InvalidEventPattern:
            continue
    index = RuleIndex(rules)
    assert index.shelves and len(index.scanned) < len(rules)
    for _ in range(500):
        event = _random_event(rng)
        assert index.match(event) == [key for key, pattern in rules if pattern.matches(event)]


def test_a_deeply_nested_event_is_read_without_recursion():
    event = {"source": "s", "detail": {}}
    node = event["detail"]
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    node["leaf"] = "x"
    # About the deepest pattern AWS's 4,096 characters allow, and one field of the event's top.
    deep = '{"source": ["s"], "detail": ' + '{"a": ' * 600 + '{"b": ["x"]}' + "}" * 600 + "}"
    top = compile_event_pattern('{"source": ["s"], "detail": {"a": {"a": [{"exists": false}]}}}')
    index = RuleIndex([("deep", compile_event_pattern(deep)), ("top", top)])
    assert index.match(event) == ["top"] and top.matches(event)


def test_a_pattern_nested_too_deep_is_refused_with_the_parsers_text():
    text = '{"a":' * 1200 + '["x"]' + "}" * 1200
    with pytest.raises(InvalidFilterPolicy) as error:
        compile_filter_policy(text, "MessageBody")
    assert error.value.message.startswith(
        "Invalid parameter: FilterPolicy: Document nesting depth (1001) exceeds the maximum allowed (1000, "
        "from `StreamReadConstraints.getMaxNestingDepth()`)\n at [Source: (String)")
    assert error.value.message.endswith("; line: 1, column: 5002]")


@pytest.mark.parametrize("depth", [950, 1200])
def test_a_deep_filter_policy_through_the_server_is_a_400(aws_client, depth):
    sns = aws_client("sns")
    topic = sns.create_topic(Name="deep")["TopicArn"]
    text = '{"a":' * depth + '["x"]' + "}" * depth
    with pytest.raises(ClientError) as error:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
                      Attributes={"FilterPolicy": text, "FilterPolicyScope": "MessageBody"})
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.value.response["Error"]["Code"] == "InvalidParameter"
