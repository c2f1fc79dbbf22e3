"""Condition operators, as the IAM User Guide's condition-operator pages define them.

- Several operators in one Condition block, and several keys under one operator: all must
  match (AND). Several values for one key: any may match (OR); negated operators (``...Not...``,
  ``NotIpAddress``) match when the request value matches none of them.
- A key missing from the request: positive operators do not match, negated ones do;
  ``...IfExists`` matches; ``ForAllValues:`` matches (empty set), ``ForAnyValue:`` does not;
  ``Null`` tests exactly that.
- ``ForAllValues:`` every request value must match; ``ForAnyValue:`` at least one.
"""

from __future__ import annotations

import ipaddress

from overcast.auth.policy.dates import parse_date
from overcast.auth.policy.document import Condition, base_operator, condition_text
from overcast.auth.policy.matching import Unresolved, glob_match, substitute

NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
# Operators whose policy values may carry policy variables.
_VARIABLE_OPERATORS = ("StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _ordered(parse, test):
    def compare(policy_value: str, request_value: str) -> bool:
        left, right = parse(request_value), parse(policy_value)
        if left is None or right is None:
            return False
        return test(left, right)
    return compare


def _ip_match(policy_value: str, request_value: str) -> bool:
    try:
        network = ipaddress.ip_network(policy_value.strip(), strict=False)
        address = ipaddress.ip_address(request_value.strip())
    except ValueError:
        return False
    return address.version == network.version and address in network


def _arn_match(policy_value: str, request_value: str) -> bool:
    return glob_match(policy_value, request_value, arn=policy_value.startswith("arn:"))


_COMPARE = {
    "StringEquals": lambda p, r: p == r,
    "StringEqualsIgnoreCase": lambda p, r: p.casefold() == r.casefold(),
    "StringLike": lambda p, r: glob_match(p, r),
    "NumericEquals": _ordered(_number, lambda r, p: r == p),
    "NumericLessThan": _ordered(_number, lambda r, p: r < p),
    "NumericLessThanEquals": _ordered(_number, lambda r, p: r <= p),
    "NumericGreaterThan": _ordered(_number, lambda r, p: r > p),
    "NumericGreaterThanEquals": _ordered(_number, lambda r, p: r >= p),
    "DateEquals": _ordered(parse_date, lambda r, p: r == p),
    "DateLessThan": _ordered(parse_date, lambda r, p: r < p),
    "DateLessThanEquals": _ordered(parse_date, lambda r, p: r <= p),
    "DateGreaterThan": _ordered(parse_date, lambda r, p: r > p),
    "DateGreaterThanEquals": _ordered(parse_date, lambda r, p: r >= p),
    "Bool": lambda p, r: p.lower() == r.lower(),
    "BinaryEquals": lambda p, r: p == r,
    "IpAddress": _ip_match,
    "ArnEquals": _arn_match,
    "ArnLike": _arn_match,
}


def request_values(context: dict, key: str) -> list[str] | None:
    """The request's values for ``key`` as strings; None when the key is absent."""
    value = context.get(key.lower())
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return [condition_text(item) for item in value]
    return [condition_text(value)]


def condition_matches(condition: Condition, context: dict, variables: bool) -> bool:
    """Whether one (operator, key, values) triple holds for the request context (keys of
    ``context`` lower-cased)."""
    operator = condition.operator
    base = base_operator(operator)
    found = request_values(context, condition.key)
    if base == "Null":
        present = bool(found)
        return any((value.lower() == "true") != present for value in condition.values)
    set_operator = operator.split(":", 1)[0] if ":" in operator else None
    if_exists = operator.endswith("IfExists")
    negated = base in NEGATED
    positive = NEGATED.get(base, base)
    compare = _COMPARE.get(positive)
    if compare is None:  # an unknown operator with no keys never reaches here; be safe
        return False
    if found is None or (not found and set_operator is None):
        if if_exists:
            return True
        if set_operator == "ForAllValues":
            return True
        if set_operator == "ForAnyValue":
            return False
        return negated
    try:
        policy_values = [
            substitute(value, context, variables) if positive in _VARIABLE_OPERATORS else value
            for value in condition.values
        ]
    except Unresolved:
        return False
    if positive in ("StringLike", "ArnEquals", "ArnLike") and variables:
        # Patterns keep their wildcards; variables become literal text.
        def hit(value: str) -> bool:
            return any(glob_match(pattern, value, context=context, variables=True,
                                  arn=positive != "StringLike" and pattern.startswith("arn:"))
                       for pattern in condition.values)
    else:
        def hit(value: str) -> bool:
            return any(compare(pattern, value) for pattern in policy_values)

    if set_operator == "ForAllValues":
        return all(hit(value) != negated for value in found)
    if set_operator == "ForAnyValue":
        return any(hit(value) != negated for value in found)
    matched = any(hit(value) for value in found)
    return matched != negated


def conditions_match(conditions, context: dict, variables: bool, absent_as: bool | None = None) -> bool:
    """All of a statement's conditions hold (an empty block always does). With ``absent_as``,
    a condition on a key the context lacks is taken as that value (unknown keys)."""
    return all(absent_as if absent_as is not None and request_values(context, condition.key) is None
               else condition_matches(condition, context, variables) for condition in conditions)
