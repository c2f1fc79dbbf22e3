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
from overcast.services.event_ruler import compiler as ruler_compiler
from overcast.services.event_ruler import json_reader
from overcast.services.event_ruler.dialect import Dialect, rounded_to
from overcast.services.event_ruler.matching import Matcher
from overcast.services.event_ruler.patterns import STRING, Value
from overcast.services.sns.attribute_errors import InvalidAttribute

SCOPES = ("MessageAttributes", "MessageBody")

# Limits from https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_POLICY_BYTES = 256 * 1024

# SNS compares numbers with five digits of accuracy after the decimal point (same page); it has
# no wildcard operator.
_COMPARABLE = rounded_to(5)
_BODY = Dialect(comparable=_COMPARABLE)
_ATTRIBUTES = Dialect(comparable=_COMPARABLE, null_matches_absent=True)


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
        branches, depth = ruler_compiler.compile_branches(
            text, _ATTRIBUTES if attribute_scope else _BODY
        )
    except json_reader.RulerSyntaxError as error:
        raise InvalidFilterPolicy(f"FilterPolicy: {error}") from None
    except ruler_compiler.RuleError as error:
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
        # Nested keys are flattened with dots, as SNS does.
        self.matcher = Matcher(branches, _COMPARABLE, dotted=True)
        self.attribute_scope = attribute_scope

    def matches(self, message_attributes: dict | None, body: str) -> bool:
        """Whether a message with these attributes and this body passes the policy."""
        if self.attribute_scope:
            values = _attribute_values(message_attributes or {}, self.matcher.keys)
            return self.matcher.matches_values(values)
        try:
            document = json.loads(body, parse_float=Decimal)
        except (ValueError, TypeError, RecursionError):
            return False
        if not isinstance(document, dict):
            return False
        return self.matcher.matches_document(document)


def _attribute_values(attributes: dict, keys: set) -> dict[str, list]:
    """The message attributes under the policy's keys, as located values (never in arrays)."""
    found: dict[str, list] = {}
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
            values = [Value.of_json(item, _COMPARABLE) for item in items]
            found[name] = [(value, ()) for value in values if value is not None]
        elif data_type.startswith("Number"):
            found[name] = [(Value.of_number_text(text, _COMPARABLE), ())]
        else:
            found[name] = [(Value(STRING, text), ())]
    return found
