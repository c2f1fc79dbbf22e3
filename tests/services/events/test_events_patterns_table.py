"""The documentation's pattern table (pattern_cases.py) through TestEventPattern over HTTP and
through the rule index delivery matches with: both answer what the cited page says. Invalid
patterns get AWS's InvalidEventPatternException texts from TestEventPattern and PutRule alike."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from pattern_cases import _DOCS, CASES, EC2_EVENT, INVALID, pattern_text

from overcast.services.events.event_patterns import RuleIndex, compile_event_pattern


@pytest.fixture
def events(aws_client):
    return aws_client("events")


def test_every_case_cites_a_documentation_page():
    assert len(CASES) >= 200
    assert all(page.startswith(_DOCS) for page, *_ in CASES)


def test_test_event_pattern_answers_every_case_as_documented(events):
    wrong = []
    for page, pattern, event, expected in CASES:
        result = events.test_event_pattern(EventPattern=pattern_text(pattern), Event=json.dumps(event))["Result"]
        if result is not expected:
            wrong.append((page, pattern, event.get("detail"), expected))
    assert wrong == []


def test_the_rule_index_answers_every_case_as_test_event_pattern_does():
    texts = list(dict.fromkeys(pattern_text(pattern) for _, pattern, _, _ in CASES))
    index = RuleIndex([(text, compile_event_pattern(text)) for text in texts])
    wrong = []
    for page, pattern, event, expected in CASES:
        # The event as delivery sees it: decoded from its JSON text.
        matched = index.match(json.loads(json.dumps(event)))
        if (pattern_text(pattern) in matched) is not expected:
            wrong.append((page, pattern, event.get("detail"), expected))
    assert wrong == []


@pytest.mark.parametrize("text,message", INVALID, ids=[str(i) for i in range(len(INVALID))])
def test_invalid_pattern_texts(events, text, message):
    with pytest.raises(ClientError) as error:
        events.test_event_pattern(EventPattern=text, Event=json.dumps(EC2_EVENT))
    assert error.value.response["Error"]["Code"] == "InvalidEventPatternException"
    assert error.value.response["Error"]["Message"] == message
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as error:
        events.put_rule(Name="refused", EventPattern=text)
    assert error.value.response["Error"]["Message"] == message
