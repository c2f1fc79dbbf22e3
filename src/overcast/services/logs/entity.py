"""PutLogEvents' ``entity``: the telemetry entity the events belong to. A bad entity does
not fail the request: AWS stores the events and names the problem in ``rejectedEntityInfo``
(its ``errorType``). The rules are the "How to add related information to telemetry" guide's:
five key names; Type one of Service, AWS::Service, Resource, AWS::Resource, each with the keys
it requires; 2 to 4 key attributes; at most 10 attributes."""

from __future__ import annotations

KEY_NAMES = frozenset({"Type", "ResourceType", "Identifier", "Name", "Environment"})
REQUIRED_BY_TYPE = {
    "Service": ("Type", "Name", "Environment"),
    "AWS::Service": ("Type", "Name"),
    "Resource": ("Type", "ResourceType", "Identifier"),
    "AWS::Resource": ("Type", "ResourceType", "Identifier"),
}
MAX_ATTRIBUTES = 10


def entity_problem(entity) -> str | None:
    """The ``errorType`` of a rejected entity, or None when it is accepted."""
    if not isinstance(entity, dict):
        return "InvalidEntity"
    keys = entity.get("keyAttributes")
    if not isinstance(keys, dict) or not 2 <= len(keys) <= 4 or not set(keys) <= KEY_NAMES \
            or any(not isinstance(v, str) or not v for v in keys.values()):
        return "InvalidKeyAttributes"
    attributes = entity.get("attributes") or {}
    if not isinstance(attributes, dict) or len(attributes) > MAX_ATTRIBUTES:
        return "InvalidAttributes"
    required = REQUIRED_BY_TYPE.get(keys.get("Type"))
    if required is None:
        return "InvalidTypeValue" if "Type" in keys else "MissingRequiredFields"
    if any(key not in keys for key in required):
        return "MissingRequiredFields"
    return None
