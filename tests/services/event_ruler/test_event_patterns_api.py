"""The EventBridge event-pattern API other concerns call (compile, match, the rule index)."""

from __future__ import annotations

import pytest

from overcast.services.events.event_patterns import (
    InvalidEventPattern,
    RuleIndex,
    compile_event_pattern,
)

EVENT = {
    "version": "0",
    "id": "1",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"],
    "detail": {"state": "running", "count": 5, "tags": ["a", "b"]},
}


def test_exact_values_match_and_miss():
    assert compile_event_pattern('{"source": ["aws.ec2"]}').matches(EVENT)
    assert not compile_event_pattern('{"source": ["aws.s3"]}').matches(EVENT)
    assert compile_event_pattern('{"detail": {"state": ["stopped", "running"]}}').matches(EVENT)
    assert compile_event_pattern('{"detail": {"tags": ["b"]}}').matches(EVENT)
    assert not compile_event_pattern('{"detail": {"count": ["5"]}}').matches(EVENT)


def test_numbers_are_equal_by_value():
    assert compile_event_pattern('{"detail": {"count": [5.0]}}').matches(EVENT)
    assert compile_event_pattern('{"detail": {"count": [5e0]}}').matches(EVENT)


def test_invalid_pattern_carries_awss_text():
    with pytest.raises(InvalidEventPattern) as error:
        compile_event_pattern('{"source": "aws.ec2"}')
    assert str(error.value) == (
        'Event pattern is not valid. Reason: "source" must be an object or an array\n'
        ' at [Source: (String)"{"source": "aws.ec2"}"; line: 1, column: 13]'
    )


def test_rule_index_answers_keys_in_insertion_order():
    rules = [
        ("r3", compile_event_pattern('{"source": ["aws.ec2"]}')),
        ("r1", compile_event_pattern('{"source": ["aws.s3"]}')),
        ("r2", compile_event_pattern('{"detail-type": ["EC2 Instance State-change Notification"]}')),
    ]
    assert RuleIndex(rules).match(EVENT) == ["r3", "r2"]
