"""The rule index of one event bus: which rules an event matches, without testing every rule.

Each rule is filed under the exact string values of one field its pattern requires (in every
``$or`` branch), preferring ``source`` and ``detail-type`` as most rules name them. An event then
only tests the rules filed under its own values of those fields, plus the rules that could not be
filed (patterns with no exact-string field, e.g. only prefixes or anything-but), which are
scanned. Answers come in the order the rules were given.
"""

from __future__ import annotations

from overcast.services.event_ruler import patterns as pat

# Fields tried first when choosing where to file a rule: most patterns name them.
_PREFERRED = (("source",), ("detail-type",))


def _exact_strings(patterns) -> list[str] | None:
    """The values of a key whose every pattern is an exact string (None otherwise). A string
    that reads as an IP address matches other spellings of it, so it cannot be filed by text."""
    values = []
    for pattern in patterns:
        if type(pattern) is not pat.ExactString or pattern.address is not None:
            return None
        values.append(pattern.expected)
    return values


def _filing(branches) -> tuple[tuple, list[str]] | None:
    """(key path, values) to file a pattern under: one key every branch requires exactly."""
    candidates = None
    for branch in branches:
        exact = {}
        for key, patterns in branch:
            values = _exact_strings(patterns)
            if values is not None:
                exact[key] = values
        if candidates is None:
            candidates = exact
        else:
            candidates = {
                key: candidates[key] + values for key, values in exact.items() if key in candidates
            }
        if not candidates:
            return None
    if not candidates:
        return None
    for key in _PREFERRED:
        if key in candidates:
            return key, candidates[key]
    # Otherwise the key with the fewest values (the most selective one).
    key = min(candidates, key=lambda k: (len(candidates[k]), len(k), k))
    return key, candidates[key]


def _strings_at(event: dict, path: tuple) -> list[str]:
    """The event's string leaves at a key path (through arrays on the way)."""
    nodes = [event]
    for name in path:
        following = []
        for node in nodes:
            if isinstance(node, dict) and name in node:
                child = node[name]
                if isinstance(child, list):
                    following.extend(_flatten(child))
                else:
                    following.append(child)
        nodes = following
        if not nodes:
            return []
    return [node for node in nodes if isinstance(node, str)]


def _flatten(items: list) -> list:
    out = []
    for item in items:
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


class RuleIndex:
    """A bus's rules (key, EventPattern), filed for matching events quickly."""

    def __init__(self, rules: list[tuple[object, object]]):
        self.rules = list(rules)
        # key path -> value -> positions of the rules filed there
        self.filed: dict[tuple, dict[str, list[int]]] = {}
        self.scanned: list[int] = []
        for position, (_key, pattern) in enumerate(self.rules):
            filing = _filing(pattern.matcher.branches)
            if filing is None:
                self.scanned.append(position)
                continue
            path, values = filing
            by_value = self.filed.setdefault(path, {})
            for value in dict.fromkeys(values):
                by_value.setdefault(value, []).append(position)

    def match(self, event: dict) -> list[object]:
        """The keys of the rules whose pattern matches the event, in insertion order."""
        if not isinstance(event, dict):
            return []
        candidates = set(self.scanned)
        for path, by_value in self.filed.items():
            for value in _strings_at(event, path):
                positions = by_value.get(value)
                if positions:
                    candidates.update(positions)
        rules = self.rules
        return [
            rules[position][0]
            for position in sorted(candidates)
            if rules[position][1].matches(event)
        ]
