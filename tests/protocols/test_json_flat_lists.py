"""The JSON reader's fast path for lists of flat structures (PutLogEvents' 10,000 events)
answers exactly what the member-by-member reader answers, errors included."""

from __future__ import annotations

import pytest

from overcast.protocols.json_codec import JsonShapeError, reader
from overcast.protocols.models import service_model


def _readers():
    events = service_model("logs").operation_model("PutLogEvents").input_shape.members["logEvents"]
    return reader(events), reader(events.member)


@pytest.mark.parametrize("items", [
    [{"timestamp": 1, "message": "a"}, {"timestamp": 2, "message": "b"}],
    [{"timestamp": 1.0, "message": "float timestamp converted"}],
    [{"timestamp": 1, "message": "unknown member dropped", "extra": 3}],
    [{"timestamp": None, "message": "null member dropped"}],
    [None, {"message": "missing member"}],
    [],
])
def test_same_answer_as_member_by_member(items):
    read_list, read_item = _readers()
    assert read_list(items) == [None if item is None else read_item(item) for item in items]


@pytest.mark.parametrize("items", [
    [{"timestamp": "1", "message": "a"}],
    [{"timestamp": True, "message": "a"}],
    [{"timestamp": 1, "message": 5}],
    ["not a structure"],
    {"not": "a list"},
])
def test_same_errors(items):
    read_list, _ = _readers()
    with pytest.raises(JsonShapeError):
        read_list(items)
