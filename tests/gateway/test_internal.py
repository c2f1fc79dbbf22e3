"""Overcast's own endpoints and LocalStack's health endpoint."""

import json
import urllib.error
import urllib.request

import pytest


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, json.load(r)


def _post(url, body: bytes):
    req = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def test_health_names_version_uptime_and_services(endpoint):
    status, health = _get(endpoint + "/_overcast/health")
    assert status == 200
    assert health["version"]
    assert health["uptime"] >= 0
    assert health["services"]["sts"] in ("available", "running")


def test_localstack_health_shape_for_existing_wait_loops(endpoint):
    status, health = _get(endpoint + "/_localstack/health")
    assert status == 200
    assert health["edition"] == "community"
    assert "sts" in health["services"]


def test_unknown_internal_endpoint_is_404(endpoint):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(endpoint + "/_overcast/nothing-here", timeout=10)
    assert info.value.code == 404


def test_clock_advances_and_reports(endpoint):
    _, before = _get(endpoint + "/_overcast/clock")
    status, after = _post(endpoint + "/_overcast/clock", b'{"advance": 3600}')
    assert status == 200
    assert after["now"] - before["now"] >= 3600


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1]", b'{"advance": -5}', b'{"advance": "soon"}', b"{}", b'{"time": "tomorrow"}'],
)
def test_clock_rejects_bad_input_with_400(endpoint, body):
    status, answer = _post(endpoint + "/_overcast/clock", body)
    assert status == 400
    assert answer["error"] == "BadRequest"


def test_clock_cannot_go_back(endpoint):
    status, _ = _post(endpoint + "/_overcast/clock", b'{"time": 0}')
    assert status == 400


def test_reset_answers(endpoint):
    status, answer = _post(endpoint + "/_overcast/reset", b"")
    assert status == 200 and answer == {"reset": True}
