"""Condition operators one by one (the IAM User Guide's condition operator page)."""

import pytest

from overcast.auth.policy.conditions import condition_matches, conditions_match, request_values
from overcast.auth.policy.document import Condition


def holds(operator, key, values, context, variables=True):
    lowered = {k.lower(): v for k, v in context.items()}
    values = (values,) if isinstance(values, str) else tuple(values)
    return condition_matches(Condition(operator, key, values), lowered, variables)


@pytest.mark.parametrize("operator,policy,request_value,expected", [
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),
    ("StringNotEquals", "abc", "abd", True),
    ("StringEqualsIgnoreCase", "AbC", "aBc", True),
    ("StringNotEqualsIgnoreCase", "AbC", "abc", False),
    ("StringLike", "a*c", "abbbc", True),
    ("StringLike", "a?c", "abbc", False),
    ("StringLike", "a*", "A1", False),
    ("StringNotLike", "a*", "b", True),
    ("StringLike", "*", "", True),
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "010", True),
    ("NumericNotEquals", "10", "11", True),
    ("NumericLessThan", "10", "9.5", True),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericGreaterThan", "-1", "0", True),
    ("NumericGreaterThanEquals", "2.5", "2.4", False),
    ("NumericEquals", "10", "abc", False),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),
    ("DateNotEquals", "2020-01-01", "2020-01-01T00:00:00Z", False),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", True),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2019-01-01T00:00:00Z", False),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "not a date", False),
    ("Bool", "true", "true", True),
    ("Bool", "true", "TRUE", True),
    ("Bool", "false", "true", False),
    ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
    ("IpAddress", "10.0.0.0/8", "10.1.2.3", True),
    ("IpAddress", "10.0.0.0/8", "11.1.2.3", False),
    ("IpAddress", "10.0.0.0/8", "::1", False),
    ("IpAddress", "2001:db8::/32", "2001:DB8::1", True),
    ("IpAddress", "10.0.0.5", "10.0.0.5", True),
    ("IpAddress", "10.0.0.0/8", "garbage", False),
    ("NotIpAddress", "10.0.0.0/8", "11.1.2.3", True),
    ("ArnEquals", "arn:aws:sns:us-east-1:123456789012:t", "arn:aws:sns:us-east-1:123456789012:t", True),
    ("ArnLike", "arn:aws:sns:*:123456789012:*", "arn:aws:sns:eu-west-1:123456789012:topic", True),
    ("ArnLike", "arn:aws:sns:*:123456789012:*", "arn:aws:sqs:eu-west-1:123456789012:topic", False),
    ("ArnLike", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/path/r", True),
    ("ArnNotLike", "arn:aws:iam::*:role/admin*", "arn:aws:iam::123456789012:role/dev", True),
    ("ArnNotEquals", "arn:aws:s3:::b", "arn:aws:s3:::b", False),
])
def test_operator(operator, policy, request_value, expected):
    assert holds(operator, "k", policy, {"k": request_value}) is expected


@pytest.mark.parametrize("operator,expected", [
    ("StringEquals", False), ("StringNotEquals", True), ("StringLike", False), ("StringNotLike", True),
    ("StringEqualsIgnoreCase", False), ("StringNotEqualsIgnoreCase", True),
    ("NumericEquals", False), ("NumericNotEquals", True), ("NumericLessThan", False),
    ("DateEquals", False), ("DateNotEquals", True), ("DateGreaterThan", False),
    ("Bool", False), ("BinaryEquals", False), ("IpAddress", False), ("NotIpAddress", True),
    ("ArnEquals", False), ("ArnLike", False), ("ArnNotEquals", True), ("ArnNotLike", True),
    ("StringEqualsIfExists", True), ("StringNotEqualsIfExists", True), ("NumericLessThanIfExists", True),
    ("BoolIfExists", True), ("IpAddressIfExists", True), ("ArnLikeIfExists", True),
    ("ForAllValues:StringEquals", True), ("ForAnyValue:StringEquals", False),
    ("ForAllValues:StringNotEquals", True), ("ForAnyValue:StringNotEquals", False),
])
def test_missing_key(operator, expected):
    assert holds(operator, "absent", "1", {}) is expected


def test_if_exists_applies_the_operator_when_present():
    assert holds("StringEqualsIfExists", "k", "a", {"k": "a"})
    assert not holds("StringEqualsIfExists", "k", "a", {"k": "b"})
    assert not holds("StringNotEqualsIfExists", "k", "a", {"k": "a"})


def test_null():
    assert holds("Null", "k", "true", {})
    assert not holds("Null", "k", "true", {"k": "x"})
    assert holds("Null", "k", "false", {"k": "x"})
    assert not holds("Null", "k", "false", {})
    assert holds("Null", "k", "true", {"k": []})  # an empty set is no value


def test_values_or_and_negated_nor():
    assert holds("StringEquals", "k", ["a", "b"], {"k": "b"})
    assert not holds("StringNotEquals", "k", ["a", "b"], {"k": "b"})
    assert holds("StringNotEquals", "k", ["a", "b"], {"k": "c"})


def test_set_operators():
    tags = {"k": ["a", "b"]}
    assert holds("ForAllValues:StringEquals", "k", ["a", "b", "c"], tags)
    assert not holds("ForAllValues:StringEquals", "k", ["a"], tags)
    assert holds("ForAnyValue:StringEquals", "k", ["b"], tags)
    assert not holds("ForAnyValue:StringEquals", "k", ["z"], tags)
    assert holds("ForAnyValue:StringNotEquals", "k", ["a"], tags)  # "b" differs
    assert not holds("ForAllValues:StringNotEquals", "k", ["a"], tags)
    assert holds("ForAllValues:StringLike", "k", ["a*", "b*"], {"k": ["ab", "ba"]})
    assert holds("ForAllValues:StringEquals", "k", ["a"], {"k": []})
    assert not holds("ForAnyValue:StringEquals", "k", ["a"], {"k": []})
    assert holds("ForAnyValue:StringEqualsIfExists", "k", ["a"], {})


def test_multivalued_key_without_set_operator_matches_any_value():
    assert holds("StringEquals", "k", "b", {"k": ["a", "b"]})
    assert not holds("StringNotEquals", "k", "b", {"k": ["a", "b"]})


def test_key_names_are_case_insensitive_values_are_not():
    assert holds("StringEquals", "AWS:UserName", "Alice", {"aws:username": "Alice"})
    assert not holds("StringEquals", "aws:username", "alice", {"aws:username": "Alice"})


def test_json_scalars_in_the_request():
    assert holds("Bool", "k", "true", {"k": True})
    assert holds("NumericEquals", "k", "3", {"k": 3})
    assert request_values({"k": False}, "k") == ["false"]
    assert request_values({}, "k") is None


def test_policy_variables_in_values():
    context = {"aws:username": "alice", "aws:principaltag/team": "blue"}
    assert holds("StringEquals", "k", "${aws:username}", {**context, "k": "alice"})
    assert holds("StringLike", "k", "home/${aws:username}/*", {**context, "k": "home/alice/x"})
    assert not holds("StringLike", "k", "home/${aws:username}/*", {**context, "k": "home/bob/x"})
    assert holds("StringLike", "k", "a${*}", {**context, "k": "a*"})
    assert not holds("StringLike", "k", "a${*}", {**context, "k": "ab"})
    assert holds("StringEquals", "k", "${aws:PrincipalTag/team}-x", {**context, "k": "blue-x"})
    assert holds("StringEquals", "k", "${aws:PrincipalTag/missing, 'none'}", {**context, "k": "none"})
    assert not holds("StringEquals", "k", "${aws:missing}", {"k": ""})
    # 2008-10-17 documents: no substitution, the text is literal
    assert holds("StringEquals", "k", "${aws:username}", {**context, "k": "${aws:username}"}, variables=False)


def test_all_conditions_and():
    both = [Condition("StringEquals", "a", ("1",)), Condition("StringEquals", "b", ("2",))]
    assert conditions_match(both, {"a": "1", "b": "2"}, True)
    assert not conditions_match(both, {"a": "1", "b": "3"}, True)
    assert conditions_match([], {}, True)


def test_arn_operators_with_variables():
    context = {"aws:username": "alice", "v": "*"}
    assert holds("ArnLike", "k", "arn:aws:iam::*:user/${aws:username}", {**context, "k": "arn:aws:iam::1:user/alice"})
    assert not holds("ArnLike", "k", "arn:aws:iam::*:user/${v}", {**context, "k": "arn:aws:iam::1:user/alice"})
    assert holds("ArnNotEquals", "k", "arn:aws:iam::*:user/${aws:username}", {**context, "k": "arn:aws:iam::1:user/bob"})
