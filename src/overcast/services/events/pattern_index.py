"""The rule index of one event bus: which rules an event matches, without testing every rule.

Each rule is filed under the exact string values (or string prefixes) of one field its pattern
requires in every ``$or`` branch, preferring ``source`` and ``detail-type`` as most rules name
them. An event's values under the keys the rules name are read once; it then only tests the
rules filed under its own values of those fields, plus the rules that could not be filed (no
field with only exact strings or prefixes, e.g. only anything-but or numeric), which are
scanned. Answers come in the order the rules were given.
"""

from __future__ import annotations

from overcast.services.event_ruler import patterns as pat
from overcast.services.event_ruler.matching import collect_values

# Fields tried first when choosing where to file a rule: most patterns name them.
_PREFERRED = (("source",), ("detail-type",))


def _filable(patterns) -> list[tuple[bool, str]] | None:
    """(is prefix, text) for a key whose every pattern is an exact string or a prefix (None
    otherwise). A string that reads as an IP address matches other spellings of it, so it
    cannot be filed by its text."""
    entries = []
    for pattern in patterns:
        kind = type(pattern)
        if kind is pat.ExactString and pattern.address is None:
            entries.append((False, pattern.expected))
        elif kind is pat.Prefix:
            entries.append((True, pattern.prefix))
        else:
            return None
    return entries


def _filing(branches) -> tuple[tuple, list] | None:
    """(key path, entries) to file a pattern under: one key every branch requires this way."""
    candidates = None
    for branch in branches:
        filable = {}
        for key, patterns in branch:
            entries = _filable(patterns)
            if entries is not None:
                filable[key] = entries
        if candidates is None:
            candidates = filable
        else:
            candidates = {key: candidates[key] + e for key, e in filable.items() if key in candidates}
        if not candidates:
            return None
    if not candidates:
        return None
    for key in _PREFERRED:
        if key in candidates:
            return key, candidates[key]

    def selectivity(key):  # exact values before prefixes, then the fewest entries
        entries = candidates[key]
        return (sum(is_prefix for is_prefix, _ in entries), len(entries), len(key), key)

    key = min(candidates, key=selectivity)
    return key, candidates[key]


class _Shelf:
    """The rules filed under one key path: by exact value and by prefix."""

    def __init__(self):
        self.exact: dict[str, list[int]] = {}
        self.prefixes: dict[str, list[int]] = {}
        self.lengths: list[int] = []

    def add(self, is_prefix: bool, text: str, position: int) -> None:
        shelf = self.prefixes if is_prefix else self.exact
        positions = shelf.setdefault(text, [])
        if not positions or positions[-1] != position:
            positions.append(position)
        if is_prefix and len(text) not in self.lengths:
            self.lengths.append(len(text))

    def collect(self, text: str, into: set) -> None:
        positions = self.exact.get(text)
        if positions:
            into.update(positions)
        for length in self.lengths:
            if length <= len(text):
                positions = self.prefixes.get(text[:length])
                if positions:
                    into.update(positions)


class RuleIndex:
    """A bus's rules (key, EventPattern), filed for matching events quickly."""

    def __init__(self, rules: list[tuple[object, object]]):
        self.rules = list(rules)
        # How the patterns' dialect compares numbers: the event's values are read once with it.
        self.comparable = self.rules[0][1].matcher.comparable if self.rules else None
        # Every key any rule names, and the paths they are nested under: what is read of an event.
        self.keys: set = set()
        self.wanted: set = set()
        self.shelves: dict[tuple, _Shelf] = {}
        self.scanned: list[int] = []
        for position, (_key, pattern) in enumerate(self.rules):
            self.keys |= pattern.matcher.keys
            self.wanted |= pattern.matcher.wanted
            filing = _filing(pattern.matcher.branches)
            if filing is None:
                self.scanned.append(position)
                continue
            path, entries = filing
            shelf = self.shelves.setdefault(path, _Shelf())
            for is_prefix, text in entries:
                shelf.add(is_prefix, text, position)

    def match(self, event: dict) -> list[object]:
        """The keys of the rules whose pattern matches the event, in insertion order."""
        if not isinstance(event, dict) or not self.rules:
            return []
        values = collect_values(event, self.wanted, self.keys, self.comparable)
        candidates = set(self.scanned)
        for path, shelf in self.shelves.items():
            for value, _where in values.get(path, ()):
                if value.kind == pat.STRING:
                    shelf.collect(value.text, candidates)
        rules = self.rules
        return [
            rules[position][0]
            for position in sorted(candidates)
            if rules[position][1].matcher.matches_values(values)
        ]
