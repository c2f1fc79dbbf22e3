"""Scheduler on the wire (rest-json): requests signed for ``scheduler`` reach it, also with
Scheduler's own Host; errors carry their type in the body and in ``x-amzn-ErrorType``; a body
that is no JSON is refused (400), never a 500."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from signed_http import send, sign  # noqa: E402


def test_a_request_signed_for_scheduler_with_its_own_host(endpoint):
    request = sign(endpoint, "GET", "/schedule-groups/default", service="scheduler",
                   headers={"Host": "scheduler.us-east-1.amazonaws.com"})
    status, _headers, body = send(request)
    assert status == 200
    assert json.loads(body)["Arn"] == "arn:aws:scheduler:us-east-1:000000000000:schedule-group/default"


def test_errors_name_their_type(endpoint):
    status, headers, body = send(sign(endpoint, "GET", "/schedules/missing", service="scheduler"))
    assert status == 404
    headers = {name.lower(): value for name, value in headers.items()}
    assert headers["x-amzn-errortype"].split(":")[0] == "ResourceNotFoundException"
    assert json.loads(body)["Message"] == "Schedule missing does not exist."


def test_a_body_that_is_not_json_is_refused(endpoint):
    status, headers, body = send(sign(endpoint, "POST", "/schedules/broken", service="scheduler",
                                      body=b"{not json", headers={"Content-Type": "application/json"}))
    headers = {name.lower(): value for name, value in headers.items()}
    assert status == 400 and headers["x-amzn-errortype"] == "SerializationException", body
