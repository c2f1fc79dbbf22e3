"""The keywords of the filter language and the type of value each compares with."""

from __future__ import annotations

BOOLEAN = "boolean"
NUMBER = "number"
STRING = "string"
ANY = "any"  # annotations hold strings, numbers or booleans

# Trace level, and inside service() / edge() blocks (where they describe the node or edge).
TRACE_KEYWORDS = {
    "ok": BOOLEAN, "error": BOOLEAN, "fault": BOOLEAN, "throttle": BOOLEAN, "partial": BOOLEAN,
    "responsetime": NUMBER, "duration": NUMBER, "http.status": NUMBER,
    "http.url": STRING, "http.method": STRING, "http.useragent": STRING, "http.clientip": STRING,
    "user": STRING,
}

ROOT_CAUSE_KINDS = ("fault", "error", "responsetime")

# Fields of rootcause.<kind>.service / rootcause.<kind>.entity.
ROOT_CAUSE_FIELDS = {
    "service": {"name": STRING, "type": STRING, "account.id": STRING, "inferred": BOOLEAN},
    "entity": {"name": STRING, "exception.name": STRING, "exception.message": STRING,
               "remote": BOOLEAN, "coverage": NUMBER},
}

GROUP_FIELDS = ("group.name", "group.arn")

STRING_OPERATORS = ("=", "!=", "CONTAINS", "BEGINSWITH", "ENDSWITH")
NUMBER_OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
BOOLEAN_OPERATORS = ("=", "!=")


def annotation_key(keyword: str) -> str | None:
    """The key of ``annotation.key`` or ``annotation[key]``; None for other keywords."""
    if keyword.startswith("annotation."):
        return keyword[len("annotation."):] or None
    if keyword.startswith("annotation[") and keyword.endswith("]"):
        return keyword[len("annotation["):-1] or None
    return None
