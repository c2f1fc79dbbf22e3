"""The evaluation of one metric alarm, its StateReason texts and the composite AlarmRule parser
(pure units; the runtime tests drive the same code through a real server)."""

from __future__ import annotations

import json

import pytest

from overcast.services.cloudwatch.alarm_evaluation import (Criteria, Datapoint, decide, evaluation_range_periods,
                                                           low_sample_minimum)
from overcast.services.cloudwatch.alarm_reasons import ReasonContext, java_double, state_reason, state_reason_data
from overcast.services.cloudwatch.alarm_rule import AlarmRuleError, evaluate_rule, parse_rule

T0 = 1_764_756_000.0  # 03/12/25 10:00:00 UTC


def points(pattern: str, period: int = 60) -> list[Datapoint]:
    """"0 - X": 0 fine (1.0), X breaching (5.0), - missing; oldest first."""
    values = {"0": 1.0, "X": 5.0, "-": None}
    return [Datapoint(T0 + i * period, values[c], 1.0) for i, c in enumerate(pattern.split())]


def criteria(treatment: str, n: int = 3, m: int = 3, operator: str = "GreaterThanThreshold") -> Criteria:
    return Criteria(n, m, operator, 3.0, treatment)


# The table of the AWS guide "How alarm state is evaluated when data is missing" (3 of 3).
TABLE = [
    ("0 - X - X", ("OK", "OK", "OK", "OK")),
    ("- - - - 0", ("OK", "OK", "OK", "OK")),
    ("- - - - -", ("INSUFFICIENT_DATA", None, "ALARM", "OK")),
    ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - X - -", ("ALARM", None, "ALARM", "OK")),
]


@pytest.mark.parametrize("pattern,expected", TABLE)
def test_the_guides_missing_data_table(pattern, expected):
    got = tuple(decide(points(pattern), criteria(t)).state for t in ("missing", "ignore", "breaching", "notBreaching"))
    assert got == expected


def test_the_range_reads_two_periods_more_than_evaluated():
    assert evaluation_range_periods(3) == 5
    assert evaluation_range_periods(1) == 3


@pytest.mark.parametrize("pattern,m,state", [
    ("X 0 X", 2, "ALARM"), ("X 0 0", 2, "OK"), ("0 0 X", 1, "ALARM"), ("X X 0", 3, "OK"), ("X X X", 3, "ALARM"),
])
def test_m_out_of_n(pattern, m, state):
    assert decide(points(pattern), criteria("missing", 3, m)).state == state


def test_only_the_most_recent_n_real_datapoints_count():
    # 4 real datapoints: the oldest (X) falls out of the 3 evaluated
    assert decide(points("X 0 - 0 X"), criteria("breaching", 3, 2)).state == "OK"


@pytest.mark.parametrize("operator,value,breaching", [
    ("GreaterThanThreshold", 3.0, False), ("GreaterThanThreshold", 3.1, True),
    ("GreaterThanOrEqualToThreshold", 3.0, True), ("GreaterThanOrEqualToThreshold", 2.9, False),
    ("LessThanThreshold", 3.0, False), ("LessThanThreshold", 2.9, True),
    ("LessThanOrEqualToThreshold", 3.0, True), ("LessThanOrEqualToThreshold", 3.1, False),
])
def test_static_operators(operator, value, breaching):
    decision = decide([Datapoint(T0, value, 1.0)], Criteria(1, 1, operator, 3.0))
    assert decision.state == ("ALARM" if breaching else "OK")


@pytest.mark.parametrize("operator,value,breaching", [
    ("LessThanLowerOrGreaterThanUpperThreshold", 0.5, True), ("LessThanLowerOrGreaterThanUpperThreshold", 2.5, True),
    ("LessThanLowerOrGreaterThanUpperThreshold", 1.5, False), ("LessThanLowerThreshold", 0.5, True),
    ("LessThanLowerThreshold", 2.5, False), ("GreaterThanUpperThreshold", 2.5, True),
    ("GreaterThanUpperThreshold", 0.5, False),
])
def test_band_operators(operator, value, breaching):
    decision = decide([Datapoint(T0, value, 1.0, lower=1.0, upper=2.0)], Criteria(1, 1, operator))
    assert decision.state == ("ALARM" if breaching else "OK")


def test_low_sample_percentiles_keep_the_state_when_ignored():
    assert low_sample_minimum("p99") == pytest.approx(1000.0)
    assert low_sample_minimum("p10") == pytest.approx(100.0)
    assert low_sample_minimum("Average") is None
    few = [Datapoint(T0, 5.0, 999.0)]
    assert decide(few, Criteria(1, 1, "GreaterThanThreshold", 3.0, low_sample_minimum=1000.0)).state is None
    assert decide(few, Criteria(1, 1, "GreaterThanThreshold", 3.0)).state == "ALARM"


def reason(pattern, crit, old="OK", given=False, now=T0 + 600):
    decision = decide(points(pattern), crit)
    ctx = ReasonContext(crit, given, old, now, 60, "Average", None)
    return decision, state_reason(decision, ctx), json.loads(state_reason_data(decision, ctx))


def test_reason_of_one_datapoint():
    _, text, data = reason("X", Criteria(1, 1, "GreaterThanThreshold", 3.0))
    assert text == "Threshold Crossed: 1 datapoint [5.0 (03/12/25 10:00:00)] was greater than the threshold (3.0)."
    assert list(data) == ["version", "queryDate", "startDate", "statistic", "period", "recentDatapoints",
                          "threshold", "evaluatedDatapoints"]
    assert data["queryDate"] == "2025-12-03T10:10:00.000+0000"
    assert data["evaluatedDatapoints"] == [{"timestamp": "2025-12-03T10:00:00.000+0000", "sampleCount": 1.0,
                                            "value": 5.0}]


def test_reason_with_datapoints_to_alarm_lists_most_recent_first():
    _, text, _ = reason("X 0 X", criteria("missing", 3, 2), given=True)
    assert text == ("Threshold Crossed: 2 out of the last 3 datapoints [5.0 (03/12/25 10:02:00), "
                    "5.0 (03/12/25 10:00:00)] were greater than the threshold (3.0) "
                    "(minimum 2 datapoints for OK -> ALARM transition).")
    _, text, _ = reason("0 X 0", criteria("missing", 3, 2), old="ALARM", given=True)
    assert text.endswith("were not greater than the threshold (3.0) (minimum 2 datapoints for ALARM -> OK transition).")


def test_reasons_of_missing_data():
    _, text, data = reason("- - -", Criteria(1, 1, "GreaterThanThreshold", 3.0, "breaching"))
    assert text == ("Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
                    "was treated as [Breaching].")
    assert data["recentDatapoints"] == [] and "startDate" not in data
    _, text, _ = reason("- - - X -", criteria("breaching"))
    assert text == ("Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing datapoints "
                    "were treated as [Breaching].")
    _, text, _ = reason("- - -", criteria("missing"))
    assert text == "Insufficient Data: 3 datapoints were unknown."


def test_band_reason():
    crit = Criteria(1, 1, "GreaterThanUpperThreshold")
    decision = decide([Datapoint(T0, 239.0, 1.0, lower=10.0, upper=225.5)], crit)
    ctx = ReasonContext(crit, True, "OK", T0 + 90, 60)
    assert state_reason(decision, ctx) == (
        "Thresholds Crossed: 1 out of the last 1 datapoints [239.0 (03/12/25 10:00:00)] was greater than the "
        "upper thresholds [225.5] (minimum 1 datapoint for OK -> ALARM transition).")
    data = json.loads(state_reason_data(decision, ctx))
    assert data["recentUpperThresholds"] == [225.5] and "recentLowerThresholds" not in data
    assert data["evaluatedDatapoints"][0]["threshold"] == 225.5


@pytest.mark.parametrize("value,text", [(5.0, "5.0"), (20000.0, "20000.0"), (1e7, "1.0E7"), (-2.5e-4, "-2.5E-4"),
                                        (0.001, "0.001"), (3, "3.0")])
def test_numbers_as_java_prints_them(value, text):
    assert java_double(value) == text


@pytest.mark.parametrize("rule,states,holds", [
    ("ALARM(a) AND ALARM(b)", {"a": "ALARM", "b": "ALARM"}, True),
    ("ALARM(a) AND NOT ALARM(b)", {"a": "ALARM", "b": "ALARM"}, False),
    ('(ALARM("a") OR ALARM(b)) AND OK(c)', {"a": "OK", "b": "ALARM", "c": "OK"}, True),
    ("INSUFFICIENT_DATA(arn:aws:cloudwatch:us-east-1:123456789012:alarm:a)",
     {"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a": "INSUFFICIENT_DATA"}, True),
    ("TRUE", {}, True), ("FALSE OR NOT TRUE", {}, False),
    ("ALARM(a) OR ALARM(b) AND ALARM(c)", {"a": "ALARM", "b": "OK", "c": "OK"}, True),
])
def test_rules_evaluate(rule, states, holds):
    parsed = parse_rule(rule)
    assert evaluate_rule(parsed.tree, lambda name: states.get(name, "OK")) is holds


def test_rule_children_and_quoted_names():
    assert parse_rule('ALARM("my alarm") OR OK(b) OR ALARM(b)').children == ("my alarm", "b")


@pytest.mark.parametrize("rule,message", [
    ("()", "Unsupported token ')' at char 1"),
    ("ALARM(SampleQueue Oldest Age)", "Unsupported token 'Oldest' at char 18, must be: ')'"),
    ("ALARM(a) XOR ALARM(b)", "Unsupported token 'XOR' at char 9"),
    ("alarm(a)", "Unsupported token 'alarm' at char 0"),
])
def test_rule_syntax_errors(rule, message):
    with pytest.raises(AlarmRuleError) as error:
        parse_rule(rule)
    assert str(error.value) == message


def test_rule_limits():
    many = " OR ".join(f"ALARM(a{i})" for i in range(101))
    with pytest.raises(AlarmRuleError):
        parse_rule(many)
    assert len(parse_rule(" OR ".join(f"ALARM(a{i})" for i in range(100))).children) == 100
