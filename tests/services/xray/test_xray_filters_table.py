"""X-Ray's filter expression language over a fixed set of traces: each expression with the
traces it must match, and expressions X-Ray refuses. The same parser validates group filter
expressions and the evaluator serves GetTraceSummaries, GetServiceGraph and groups."""

from __future__ import annotations

import pytest
from xray_traces_fixture import fixture_traces

from overcast.errors import AwsError
from overcast.services.xray.filters import Evaluator, parse_filter
from overcast.services.xray.trace_view import TraceView

TRACES = fixture_traces()
ALL = set(TRACES)
WEB = {"ok_get", "fault_post", "error_404", "partial", "slow_ok"}
GROUPS = {("name", "faults"): "fault", ("name", "loop"): 'group.name = "loop"'}

TABLE = [
    # boolean keywords
    ("ok", {"ok_get", "partial", "slow_ok"}),
    ("!ok", {"fault_post", "error_404", "throttled"}),
    ("error", {"error_404", "throttled"}),
    ("fault", {"fault_post"}),
    ("throttle", {"throttled"}),
    ("partial", {"partial"}),
    ("!partial", ALL - {"partial"}),
    ("error = true", {"error_404", "throttled"}),
    ("error = false", {"ok_get", "fault_post", "partial", "slow_ok"}),
    ("fault != true", ALL - {"fault_post"}),
    ("partial = true", {"partial"}),
    ("throttle = false AND error", {"error_404"}),
    # number keywords
    ("responsetime > 5", {"slow_ok"}),
    ("responsetime < 0.1", {"error_404"}),
    ("responsetime >= 1", {"fault_post", "throttled", "slow_ok"}),
    ("responsetime <= 1", {"ok_get", "error_404", "throttled"}),
    ("duration >= 3 AND duration <= 8", {"fault_post", "slow_ok"}),
    ("duration > 3", {"fault_post", "slow_ok"}),
    ("duration = 1", {"throttled"}),
    ("duration != 1", {"ok_get", "fault_post", "error_404", "slow_ok"}),
    ("http.status = 200", {"ok_get", "slow_ok"}),
    ("http.status >= 500", {"fault_post"}),
    ("http.status != 200", {"fault_post", "error_404", "throttled"}),
    ("http.status < 500 AND http.status >= 400", {"error_404", "throttled"}),
    # string keywords
    ('http.url CONTAINS "/v2/"', {"ok_get", "error_404", "partial", "slow_ok"}),
    ('http.url BEGINSWITH "http://api.example.com/"', WEB),
    ('http.url ENDSWITH "/submit"', {"throttled"}),
    ('http.url = "http://api.example.com/v2/users"', {"ok_get"}),
    ('http.url != "http://api.example.com/v2/users"', ALL - {"ok_get"}),
    ('http.method = "POST"', {"fault_post", "throttled"}),
    ('http.method = "GET"', {"ok_get", "error_404", "partial", "slow_ok"}),
    ('http.useragent CONTAINS "curl"', {"ok_get"}),
    ('http.useragent BEGINSWITH "Mozilla"', {"fault_post", "error_404"}),
    ('http.clientip = "10.0.0.1"', {"ok_get"}),
    ('http.clientip BEGINSWITH "10.0.0."', {"ok_get", "error_404"}),
    ('user = "alice"', {"ok_get", "slow_ok"}),
    ('user = "bob"', {"error_404"}),
    ('user != "alice"', {"error_404"}),
    ('user CONTAINS "o"', {"error_404"}),
    # annotations
    ('annotation.account = "12345"', {"ok_get"}),
    ("annotation.account", {"ok_get", "fault_post"}),
    ("!annotation.account", {"error_404", "throttled", "partial", "slow_ok"}),
    ("annotation.tier > 1", {"ok_get", "error_404"}),
    ("annotation.tier = 5", {"error_404"}),
    ("annotation.tier >= 2 AND annotation.tier < 5", {"ok_get"}),
    ("annotation.beta = true", {"ok_get"}),
    ("annotation.beta = false", set()),
    ('annotation[account] = "999"', {"fault_post"}),
    ('annotation.account BEGINSWITH "9"', {"fault_post"}),
    ('annotation.tier = "2"', set()),
    ('annotation.region_code = "eu"', {"slow_ok"}),
    # service()
    ('service("web")', WEB),
    ('service("gateway")', {"throttled"}),
    ('service("backend")', {"fault_post"}),
    ('!service("backend")', ALL - {"fault_post"}),
    ('service("backend") { fault }', {"fault_post"}),
    ('service("backend") { fault = true OR responsetime > 2.5 }', {"fault_post"}),
    ('service("backend") { !fault }', set()),
    ('service("web") { responsetime > 5 }', {"slow_ok"}),
    ('service("web") { error }', {"error_404"}),
    ("service() { throttle }", {"throttled"}),
    ("service()", ALL),
    ('service("orders")', {"ok_get"}),
    ('service(id(name: "orders", type: "AWS::SQS::Queue"))', {"ok_get"}),
    ('service(id(type: "AWS::DynamoDB::Table"))', {"slow_ok"}),
    ('service(id(name: "reports", type: "AWS::DynamoDB::Table")) { fault }', {"slow_ok"}),
    ('service(id(type: "AWS::EC2::Instance"))', WEB),
    ('service(id(name: "web", type: "AWS::ECS::Container"))', set()),
    ('id(name: "backend")', {"fault_post"}),
    ('id(type: "remote")', {"throttled"}),
    ('service("partner.example.net") { error }', {"throttled"}),
    # edge()
    ('edge("web", "backend")', {"fault_post"}),
    ('edge("web", "backend") { fault = true }', {"fault_post"}),
    ('edge("web", "backend") { responsetime < 1 }', set()),
    ('edge("gateway", "partner.example.net")', {"throttled"}),
    ('edge("web", id(name: "orders", type: "AWS::SQS::Queue"))', {"ok_get"}),
    ('edge("backend", "web")', set()),
    ('edge(id(type: "AWS::EC2::Instance"), id(type: "AWS::DynamoDB::Table")) { fault }', {"slow_ok"}),
    # root causes
    ('rootcause.fault.service { name = "backend" }', {"fault_post"}),
    ('rootcause.fault.entity { exception.message CONTAINS "refused" }', {"fault_post"}),
    ('rootcause.fault.entity.exception.name = "DBError"', {"fault_post"}),
    ('rootcause.fault.service.name = "reports"', {"slow_ok"}),
    ("rootcause.fault.service { inferred }", {"slow_ok"}),
    ('rootcause.error.service.name = "partner.example.net"', {"throttled"}),
    ('rootcause.error.service.name = "web"', {"error_404"}),
    ('rootcause.responsetime.service { name = "reports" }', {"slow_ok"}),
    ("rootcause.responsetime.entity { coverage > 0.9 }", {"slow_ok", "error_404", "fault_post"}),
    ('rootcause.responsetime.service.name = "web"', {"error_404"}),
    # groups
    ('group.name = "faults"', {"fault_post"}),
    ('group.name = "nogroup"', set()),
    ('group.name = "loop"', set()),
    # combinations
    ("ok AND !partial AND duration < 3", {"ok_get"}),
    ("ok !partial duration <3", {"ok_get"}),
    ("error OR fault", {"fault_post", "error_404", "throttled"}),
    ('(error OR fault) AND http.method = "POST"', {"fault_post", "throttled"}),
    ('error OR fault AND http.method = "GET"', {"error_404", "throttled"}),
    ("!(ok OR partial)", {"fault_post", "error_404", "throttled"}),
    ('http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("backend")',
     {"ok_get", "error_404", "partial", "slow_ok"}),
    ('service("web") { fault = true OR responsetime > 2.5 } AND annotation.account = "999"', {"fault_post"}),
    ("responsetime > 5 or fault", {"slow_ok", "fault_post"}),
    ('http.status = 200 and user = "alice"', {"ok_get", "slow_ok"}),
]

INVALID = [
    "",
    "   ",
    'responsetime > "5"',
    "http.url > 5",
    "http.url CONTAINS 5",
    "http.status CONTAINS \"5\"",
    "unknown.keyword",
    'service("a"',
    'edge("a")',
    "error = maybe",
    "duration >",
    "(ok",
    "ok)",
    'annotation.x > "a"',
    "rootcause.fault.service { coverage > 1 }",
    "rootcause.fault",
    'service("x") { annotation.a = 1 }',
    '"just a string"',
    'id(colour: "x")',
    "AND ok",
    "ok AND",
    'group.name "x"',
    'http.url = "unterminated',
    "ok # comment",
]


def _matching(expression: str) -> set[str]:
    tree = parse_filter(expression)
    evaluator = Evaluator(lambda field, value: parse_filter(GROUPS[(field, value)]) if (field, value) in GROUPS else None)
    return {name for name, docs in TRACES.items()
            if evaluator.matches(tree, TraceView(docs[0]["trace_id"], [dict(d) for d in docs]))}


def test_the_table_is_large_enough():
    assert len(TABLE) >= 80


@pytest.mark.parametrize("expression,expected", TABLE, ids=[e for e, _ in TABLE])
def test_filter_expression_matches(expression, expected):
    assert _matching(expression) == expected


@pytest.mark.parametrize("expression", INVALID)
def test_invalid_filter_expression_is_refused_with_invalid_request(expression):
    with pytest.raises(AwsError) as raised:
        parse_filter(expression)
    assert raised.value.code == "InvalidRequestException"
    assert raised.value.message.startswith("Invalid filter expression")


_PIECES = ['service(', 'edge(', 'id(', 'name:', 'type:', '"web"', '"backend"', '"AWS::SQS::Queue"', ')', '{', '}',
           ',', 'fault', 'error', 'ok', 'partial', 'throttle', 'responsetime', 'duration', 'http.status', 'http.url',
           'user', 'annotation.tier', 'annotation[account]', 'rootcause.fault.service', 'rootcause.responsetime.entity',
           'coverage', 'group.name', '=', '!=', '<', '>=', 'CONTAINS', 'BEGINSWITH', 'AND', 'OR', '!', '(', '5', '-2.5',
           'true', 'false', '"x"', '"', '\\', '[', ']', ':', '#', '1e400', 'é']


def test_random_expressions_either_parse_and_evaluate_or_are_refused():
    """Whatever a client sends, the answer is a match result or InvalidRequestException."""
    import random

    rng = random.Random(19)
    evaluator = Evaluator(lambda field, value: None)
    views = [TraceView(docs[0]["trace_id"], [dict(d) for d in docs]) for docs in TRACES.values()]
    parsed = 0
    for _ in range(3000):
        text = " ".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 9)))
        try:
            tree = parse_filter(text)
        except AwsError as exc:
            assert exc.code == "InvalidRequestException"
            continue
        parsed += 1
        for view in views:
            assert evaluator.matches(tree, view) in (True, False)
    assert parsed > 30  # enough of them parse for the evaluation half to be exercised


@pytest.mark.parametrize("expression", ["(" * 5000 + "ok" + ")" * 5000, "!" * 5000 + "ok"])
def test_deeply_nested_expression_is_refused_not_crashed(expression):
    with pytest.raises(AwsError) as raised:
        parse_filter(expression)
    assert raised.value.code == "InvalidRequestException"


def test_long_flat_expression_parses():
    tree = parse_filter(" AND ".join(["ok"] * 3000))
    assert Evaluator().matches(tree, TraceView("1-00000000-000000000000000000000001", TRACES["ok_get"])) is True


def test_parent_ids_in_a_loop_do_not_hang_root_causes():
    """Two segments each claiming a subsegment of the other as parent, all faulting."""
    base = 1_700_000_000.0
    a = {"trace_id": "1-6553f100-00000000000000000000000a", "id": "a" * 16, "name": "a", "parent_id": "d" * 16,
         "start_time": base, "end_time": base + 1, "fault": True,
         "subsegments": [{"id": "c" * 16, "name": "call-b", "start_time": base, "end_time": base + 1, "fault": True}]}
    b = {"trace_id": a["trace_id"], "id": "b" * 16, "name": "b", "parent_id": "c" * 16,
         "start_time": base, "end_time": base + 1, "fault": True,
         "subsegments": [{"id": "d" * 16, "name": "call-a", "start_time": base, "end_time": base + 1, "fault": True}]}
    view = TraceView(a["trace_id"], [a, b])
    for expression in ("rootcause.fault.service { name = \"a\" OR name = \"b\" }", "rootcause.responsetime.entity { coverage > 0 }"):
        assert Evaluator().matches(parse_filter(expression), view) is True


def test_a_call_to_an_unreadable_url_is_named_by_its_subsegment():
    base = 1_700_000_000.0
    root = {"trace_id": "1-6553f100-00000000000000000000000b", "id": "e" * 16, "name": "web", "start_time": base,
            "end_time": base + 1, "subsegments": [{"id": "f" * 16, "name": "odd", "namespace": "remote",
                                                   "start_time": base, "end_time": base + 0.5,
                                                   "http": {"request": {"url": "http://[::1"}}}]}
    view = TraceView(root["trace_id"], [root])
    assert ("odd", "remote") in view.nodes
    assert Evaluator().matches(parse_filter('edge("web", "odd")'), view) is True
