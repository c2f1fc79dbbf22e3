"""SNS subscription filter policies: compiled once when set, matched per delivered message.

``compile_filter_policy(text, scope)`` checks a FilterPolicy attribute as SNS does (raising
``InvalidFilterPolicy``, SNS's InvalidParameter, with SNS's texts) and returns a
``FilterPolicy``; ``FilterPolicy.matches(message_attributes, body)`` says whether a published
message reaches the subscription. ``message_attributes`` is Publish's MessageAttributes map
(name -> {"DataType", "StringValue" | "BinaryValue"}).

Operators: exact strings, numbers, true/false/null, prefix, suffix, equals-ignore-case,
anything-but (a value, a list, prefix, suffix, equals-ignore-case), numeric ranges, exists,
cidr, ``$or``, nested keys (MessageBody scope) and arrays (String.Array attributes, JSON arrays
in the body, where values taken from one element of an array are never mixed with values from
another element of the same array).
"""

from __future__ import annotations

import json
from decimal import Decimal

from overcast.errors import AwsError
from overcast.services.sns.attribute_errors import InvalidAttribute
from overcast.services.sns import filter_compiler
from overcast.services.sns import filter_json
from overcast.services.sns.filter_patterns import STRING, Pattern, Value

SCOPES = ("MessageAttributes", "MessageBody")

# Limits from https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_POLICY_BYTES = 256 * 1024


class InvalidFilterPolicy(InvalidAttribute):
    """SNS's InvalidParameter for a filter policy (``in_subscribe_attributes()`` for Subscribe)."""


def check_scope(scope: str) -> None:
    """Raises SNS's error for a FilterPolicyScope that is neither scope."""
    if scope not in SCOPES:
        raise AwsError(
            "InvalidParameter",
            f"Invalid parameter: FilterPolicyScope: Invalid value [{scope}]. "
            "Please use either MessageBody or MessageAttributes",
        )


def compile_filter_policy(text: str, scope: str) -> "FilterPolicy":
    """Checks a FilterPolicy attribute value for the given FilterPolicyScope and compiles it."""
    attribute_scope = scope != "MessageBody"
    if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise InvalidFilterPolicy("FilterPolicy: Filter policy is too large")
    try:
        branches, depth = filter_compiler.compile_branches(text, attribute_scope)
    except filter_json.PolicySyntaxError as error:
        raise InvalidFilterPolicy(f"FilterPolicy: {error}") from None
    except filter_compiler.PolicyRuleError as error:
        raise InvalidFilterPolicy(f"FilterPolicy: {error}") from None
    if attribute_scope and depth > 1:
        raise InvalidFilterPolicy(
            "Filter policy scope MessageAttributes does not support nested filter policy"
        )
    if max(len(branch) for branch in branches) > MAX_KEYS:
        raise InvalidFilterPolicy(f"FilterPolicy: Filter policy can not have more than {MAX_KEYS} keys")
    if combinations(branches) > MAX_COMBINATIONS:
        raise InvalidFilterPolicy("FilterPolicy: Filter policy is too complex")
    return FilterPolicy(branches, attribute_scope)


def combinations(branches) -> int:
    """SNS's complexity: per branch, the product of each key's value count times its depth;
    the branches of ``$or`` add up."""
    total = 0
    for branch in branches:
        product = 1
        for path, patterns in branch.items():
            product *= len(patterns) * len(path)
        total += product
    return total


class FilterPolicy:
    """A compiled filter policy."""

    def __init__(self, branches, attribute_scope: bool):
        # Each branch: [(dotted key, patterns)], the dotted key as SNS flattens nested keys.
        self.branches = [
            [(".".join(path), patterns) for path, patterns in branch.items()] for branch in branches
        ]
        self.attribute_scope = attribute_scope
        self.keys = {key for branch in self.branches for key, _ in branch}

    def matches(self, message_attributes: dict | None, body: str) -> bool:
        """Whether a message with these attributes and this body passes the policy."""
        if self.attribute_scope:
            values = _attribute_values(message_attributes or {}, self.keys)
        else:
            values = _body_values(body, self.keys)
            if values is None:
                return False
        return any(_branch_matches(branch, values) for branch in self.branches)


# -- the message's values ---------------------------------------------------------------------

# A value with the array elements it came from: ((array id, index), ...).
Located = tuple[Value, tuple]


def _attribute_values(attributes: dict, keys: set) -> dict[str, list[Located]]:
    found: dict[str, list[Located]] = {}
    for name in keys:
        attribute = attributes.get(name)
        if not isinstance(attribute, dict):
            continue
        data_type = str(attribute.get("DataType", ""))
        text = attribute.get("StringValue")
        # SNS filters on String, String.Array and Number attributes; Binary ones are ignored.
        if text is None or data_type.startswith("Binary"):
            continue
        if data_type == "String.Array":
            try:
                items = json.loads(text, parse_float=Decimal)
            except ValueError:
                continue
            if not isinstance(items, list):
                continue
            values = [Value.of_json(item) for item in items]
            found[name] = [(value, ()) for value in values if value is not None]
        elif data_type.startswith("Number"):
            found[name] = [(Value.of_number_text(text), ())]
        else:
            found[name] = [(Value(STRING, text), ())]
    return found


def _body_values(body: str, keys: set) -> dict[str, list[Located]] | None:
    """The body's leaf values under the policy's keys; None when the body is no JSON object."""
    try:
        document = json.loads(body, parse_float=Decimal)
    except (ValueError, TypeError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    found: dict[str, list[Located]] = {}
    arrays = [0]

    def wanted(prefix: str) -> bool:
        return any(key == prefix or key.startswith(prefix + ".") for key in keys)

    def walk(node, dotted: str, where: tuple) -> None:
        if isinstance(node, dict):
            for name, child in node.items():
                path = f"{dotted}.{name}" if dotted else name
                if wanted(path):
                    walk(child, path, where)
        elif isinstance(node, list):
            arrays[0] += 1
            array_id = arrays[0]
            for index, item in enumerate(node):
                walk(item, dotted, where + ((array_id, index),))
        elif dotted in keys:
            value = Value.of_json(node)
            if value is not None:
                found.setdefault(dotted, []).append((value, where))

    walk(document, "", ())
    return found


# -- matching ---------------------------------------------------------------------------------


def _candidates(patterns: list[Pattern], located: list[Located]) -> list[tuple]:
    """Where in the message each way of satisfying one key comes from."""
    if not located:
        return [()] if any(p.wants_absence for p in patterns) else []
    out = []
    seen = set()
    for value, where in located:
        if where in seen:
            continue
        if any(p.wants_presence or p.matches(value) for p in patterns):
            seen.add(where)
            out.append(where)
    return out


def _branch_matches(branch, values: dict) -> bool:
    choices = []
    for key, patterns in branch:
        candidates = _candidates(patterns, values.get(key, []))
        if not candidates:
            return False
        choices.append(candidates)
    # Values matched for different keys must not come from different elements of one array.
    choices.sort(key=len)
    return _consistent(choices, 0, {})


def _consistent(choices: list, index: int, chosen: dict) -> bool:
    if index == len(choices):
        return True
    for where in choices[index]:
        if all(chosen.get(array_id, position) == position for array_id, position in where):
            merged = dict(chosen)
            merged.update(where)
            if _consistent(choices, index + 1, merged):
                return True
    return False
