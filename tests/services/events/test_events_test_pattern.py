"""TestEventPattern: the CLI's own example, the same matcher delivery uses, the pattern checked
before the event, and AWS's refusal of an event missing envelope fields."""

from __future__ import annotations

import json

import pytest
from events_helpers import error_of

EVENT = {"id": "1", "source": "com.mycompany.myapp", "detail-type": "myDetailType", "account": "123456789012",
         "region": "us-east-1", "time": "2017-04-11T20:11:04Z", "resources": [], "detail": {"state": "running",
                                                                                           "size": 7}}


@pytest.fixture
def events(aws_client):
    return aws_client("events")


@pytest.mark.parametrize("pattern, result", [
    ({"source": ["com.mycompany.myapp"]}, True),
    ({"source": ["other"]}, False),
    ({"detail": {"state": ["running"], "size": [{"numeric": [">", 5]}]}}, True),
    ({"detail": {"size": [{"numeric": [">", 7]}]}}, False),
    ({"detail-type": [{"prefix": "my"}]}, True),
])
def test_matches(events, pattern, result):
    assert events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(EVENT))["Result"] is result


def test_event_checks(events):
    pattern = json.dumps({"source": ["x"]})
    for event in ("not json", json.dumps([1]), json.dumps({k: v for k, v in EVENT.items() if k != "account"})):
        assert error_of(events.test_event_pattern, EventPattern=pattern, Event=event) == (
            "ValidationException", "Parameter Event is not valid.")
    code, message = error_of(events.test_event_pattern, EventPattern="{bad", Event="not json")
    assert code == "InvalidEventPatternException" and message.startswith("Event pattern is not valid.")


def test_cli_example(aws_cli):
    result = aws_cli("events", "test-event-pattern", "--event-pattern", '{"source":["com.mycompany.myapp"]}',
                     "--event", '{"id":"1","source":"com.mycompany.myapp","detail-type":"myDetailType",'
                                '"account":"123456789012","region":"us-east-1","time":"2017-04-11T20:11:04Z"}')
    assert result == {"Result": True}
