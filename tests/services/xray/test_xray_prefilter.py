"""The filter prefilter never refuses a trace the evaluator matches (over the whole filter
table and thousands of random expressions, with the facts stored and read back as the
summarizer does), and it does refuse traces, so GetTraceSummaries decodes fewer."""

from __future__ import annotations

import marshal
import random

import pytest
from test_xray_filters_table import _PIECES, GROUPS, TABLE, TRACES

from overcast.errors import AwsError
from overcast.services.xray.filters import Evaluator, parse_filter
from overcast.services.xray.filters.evaluator import entity_values
from overcast.services.xray.filters.prefilter import FLAG_KEYWORDS, block_facts, block_values, could_match, trace_facts
from overcast.services.xray.trace_view import TraceView, walk


def _views() -> dict[str, TraceView]:
    return {name: TraceView(docs[0]["trace_id"], [dict(d) for d in docs]) for name, docs in TRACES.items()}


def _facts() -> dict[str, tuple]:
    return {name: marshal.loads(marshal.dumps(trace_facts(view))) for name, view in _views().items()}


EVALUATOR = Evaluator(lambda field, value: parse_filter(GROUPS[(field, value)]) if (field, value) in GROUPS else None)


@pytest.mark.parametrize("expression,expected", TABLE, ids=[e for e, _ in TABLE])
def test_every_match_of_the_table_passes_the_prefilter(expression, expected):
    tree, facts = parse_filter(expression), _facts()
    assert {name for name in expected if not could_match(tree, facts[name])} == set()


def test_the_prefilter_refuses_traces_for_most_of_the_table():
    facts = _facts()
    refused = {expression for expression, expected in TABLE
               if any(not could_match(parse_filter(expression), facts[name]) for name in set(TRACES) - expected)}
    assert len(refused) >= len(TABLE) // 2
    # these the facts settle exactly: what passes is what matches
    for expression in ("fault", 'service("backend") { fault }', "annotation.tier > 1", 'http.url CONTAINS "/v2/"',
                       'edge("web", id(name: "orders", type: "AWS::SQS::Queue"))', "responsetime > 5"):
        tree = parse_filter(expression)
        passed = {name for name in TRACES if could_match(tree, facts[name])}
        assert passed == {name for name, view in _views().items() if EVALUATOR.matches(tree, view)}, expression


def test_random_expressions_never_refuse_a_match():
    rng = random.Random(23)
    views, facts = _views(), _facts()
    checked = 0
    for _ in range(4000):
        text = " ".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 9)))
        try:
            tree = parse_filter(text)
        except AwsError:
            continue
        for name, view in views.items():
            if EVALUATOR.matches(tree, view):
                checked += 1
                assert could_match(tree, facts[name]), (text, name)
    assert checked > 30


def test_the_values_of_a_document_are_those_the_evaluator_reads():
    docs = [entity for view in _views().values() for seg in view.segments for entity in walk(seg)]
    docs.append({"id": "x", "http": {"request": "not an object", "response": {"status": "200"}}, "user": 5})
    for doc in docs:
        facts = block_facts([doc])
        for keyword in (*FLAG_KEYWORDS, "responsetime", "duration"):
            assert block_values(facts, keyword) == entity_values(doc, keyword), (keyword, doc)
        assert block_values(facts, "http.url") is None
