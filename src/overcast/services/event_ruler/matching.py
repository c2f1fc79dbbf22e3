"""Matching a decoded JSON document against a compiled pattern's branches.

A document matches when, for some branch, every key of the branch has a value (or, for
``exists: false``, no value) its patterns accept. Values taken from one element of an array are
never mixed with values from another element of the same array, as event-ruler does.
"""

from __future__ import annotations

from overcast.services.event_ruler.patterns import Pattern, Value

# A value with the array elements it came from: ((array id, index), ...).
Located = tuple[Value, tuple]


class Matcher:
    """A pattern's branches ready to test documents. ``dotted`` keys (SNS) join nested names with
    "." so ``{"a.b": ...}`` and ``{"a": {"b": ...}}`` are one key; otherwise keys are name tuples."""

    def __init__(self, branches, comparable, *, dotted: bool):
        self.comparable = comparable
        self.dotted = dotted
        self.branches = [
            [(self.key(path), patterns) for path, patterns in branch.items()] for branch in branches
        ]
        self.keys = {key for branch in self.branches for key, _ in branch}
        # Every key and every key it is nested under: the parts of a document worth walking.
        self.wanted: set = set(self.keys)
        for key in self.keys:
            if dotted:
                self.wanted.update(key[:i] for i, ch in enumerate(key) if ch == ".")
            else:
                self.wanted.update(key[:i] for i in range(1, len(key)))

    def key(self, path: tuple):
        return ".".join(path) if self.dotted else tuple(path)

    def matches_document(self, document: dict) -> bool:
        return self.matches_values(self.document_values(document))

    def matches_values(self, values: dict) -> bool:
        """Whether values found per key (``{key: [Located]}``) satisfy some branch."""
        for branch in self.branches:
            if _branch_matches(branch, values):
                return True
        return False

    def document_values(self, document: dict) -> dict:
        """The document's leaf values under the pattern's keys."""
        return collect_values(document, self.wanted, self.keys, self.comparable, dotted=self.dotted)


def collect_values(document: dict, wanted: set, keys: set, comparable, *, dotted: bool = False) -> dict:
    """The document's leaf values under ``keys`` (``{key: [Located]}``), walking only into the
    paths in ``wanted`` (the keys and every path they are nested under). Iterative, so a deeply
    nested document costs no recursion; a value's array positions say which element of which
    array it came from."""
    found: dict = {}
    array_count = 0
    stack = [(document, "" if dotted else (), ())]
    while stack:
        node, path, where = stack.pop()
        if isinstance(node, dict):
            for name, child in node.items():
                if dotted:
                    child_path = f"{path}.{name}" if path else name
                else:
                    child_path = path + (name,)
                if child_path in wanted:
                    stack.append((child, child_path, where))
        elif isinstance(node, list):
            array_count += 1
            for index, item in enumerate(node):
                stack.append((item, path, where + ((array_count, index),)))
        elif path in keys:
            value = Value.of_json(node, comparable)
            if value is not None:
                found.setdefault(path, []).append((value, where))
    return found


def _candidates(patterns: list[Pattern], located: list[Located]) -> list[tuple]:
    """Where in the document each way of satisfying one key comes from."""
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
    in_arrays = False
    for key, patterns in branch:
        candidates = _candidates(patterns, values.get(key, ()))
        if not candidates:
            return False
        if len(candidates) > 1 or candidates[0]:
            in_arrays = True
        choices.append(candidates)
    if not in_arrays:  # no value came from an array: nothing to keep consistent
        return True
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
