"""EC2 ``Filter.N`` matching (wildcards ``*`` and ``?``) and ``NextToken`` pagination."""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import Callable, Iterable

from overcast.services.ec2.errors import invalid_filter, invalid_next_token, invalid_value

# Values a filter name maps to for one item: a list of strings (any may match).
Extractor = Callable[[dict], Iterable[str]]

# DescribeInstances and DescribeTags: "You can specify a value between 5 and 1000".
MIN_RESULTS, MAX_RESULTS = 5, 1000


@lru_cache(maxsize=1024)
def _pattern(value: str) -> re.Pattern:
    """EC2 filter values: ``*`` any run of characters, ``?`` exactly one, ``\\`` escapes them."""
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            out.append(re.escape(next(chars, "\\")))
        elif char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


def _matches(candidates: Iterable[str], values: list[str]) -> bool:
    candidates = [c for c in candidates if c is not None]
    for value in values:
        if "*" in value or "?" in value:
            pattern = _pattern(value)
            if any(pattern.fullmatch(c) for c in candidates):
                return True
        elif value in candidates:
            return True
    return False


def compile_filters(filters: list[dict] | None, known: dict[str, Extractor],
                    prefixed: dict[str, Callable[[str], Extractor]] | None = None) -> Callable[[dict], bool]:
    """A predicate for ``Filters`` (all must match; any value of one filter may match).

    ``known`` maps filter names to extractors; ``prefixed`` maps prefixes such as ``tag:`` to
    a factory given the rest of the name. An unknown name is EC2's InvalidParameterValue.
    """
    checks: list[tuple[Extractor, list[str]]] = []
    for spec in filters or ():
        name = spec.get("Name")
        if not name:
            raise invalid_value("The filter 'null' is invalid")
        values = list(spec.get("Values") or ())
        extractor = known.get(name)
        if extractor is None:
            for prefix, factory in (prefixed or {}).items():
                if name.startswith(prefix) and len(name) > len(prefix):
                    extractor = factory(name[len(prefix):])
                    break
        if extractor is None:
            raise invalid_filter(name)
        checks.append((extractor, values))

    def predicate(item: dict) -> bool:
        return all(_matches(list(extract(item)), values) for extract, values in checks)

    return predicate


def check_max_results(max_results: int | None) -> None:
    if max_results is None:
        return
    if max_results < MIN_RESULTS:
        raise invalid_value(
            f"Value ( {max_results} ) for parameter maxResults is invalid. "
            f"Expecting a value greater than {MIN_RESULTS}."
        )
    if max_results > MAX_RESULTS:
        raise invalid_value(
            f"Value ( {max_results} ) for parameter maxResults is invalid. Expecting a value less than {MAX_RESULTS}."
        )


def page(items: list, max_results: int | None, next_token: str | None, kind: str) -> tuple[list, str | None]:
    """One page of ``items`` and the token of the next (None at the end)."""
    start = _decode(next_token, kind) if next_token else 0
    if max_results is None:
        return items[start:], None
    end = start + max_results
    return items[start:end], (_encode(end, kind) if end < len(items) else None)


def _encode(offset: int, kind: str) -> str:
    raw = json.dumps({"k": kind, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, kind: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        offset = data["o"]
        if data["k"] != kind or not isinstance(offset, int) or offset < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise invalid_next_token(token) from None
    return offset
