"""The entity of EntityMetricData, checked as PutMetricData's StrictEntityValidation describes.

KeyAttributes take five keys (Type, ResourceType, Identifier, Name, Environment); Type is one of
Service, Resource, AWS::Service, AWS::Resource, each with the keys it requires (the "How to add
related information to telemetry" guide); Attributes hold at most 10 entries; a request holds
at most two EntityMetricData. With StrictEntityValidation a bad entity fails the whole request
(400); without it the metrics are stored all the same. (AWS then also names the problem in an
``X-Amzn-Failure-Message`` response header, which Overcast's RPC serializers do not write.)
"""

from __future__ import annotations

from overcast.services.cloudwatch.errors import InvalidParameterValue

MAX_ENTITIES = 2
KEY_NAMES = frozenset({"Type", "ResourceType", "Identifier", "Name", "Environment"})
REQUIRED_BY_TYPE = {
    "Service": ("Type", "Name", "Environment"),
    "AWS::Service": ("Type", "Name"),
    "Resource": ("Type", "ResourceType", "Identifier"),
    "AWS::Resource": ("Type", "ResourceType", "Identifier"),
}
PROBLEMS = {
    "InvalidEntity": "The provided entity is invalid.",
    "InvalidKeyAttributes": "The provided KeyAttributes of an entity is invalid.",
    "InvalidAttributes": "The provided Attributes of an entity is invalid.",
    "InvalidTypeValue": "The provided Type in the KeyAttributes of an entity is invalid.",
    "EntitySizeTooLarge": "The number of EntityMetricData objects allowed is 2.",
    "MissingRequiredFields": "There are missing required fields in the KeyAttributes for the provided Type.",
}


def entity_problem(entity) -> str | None:
    """The failure AWS names for one entity, or None when it is valid."""
    if not isinstance(entity, dict):
        return "InvalidEntity"
    keys = entity.get("KeyAttributes")
    if not isinstance(keys, dict) or not keys or not set(keys) <= KEY_NAMES \
            or any(not isinstance(v, str) or not v for v in keys.values()):
        return "InvalidKeyAttributes"
    attributes = entity.get("Attributes") or {}
    if not isinstance(attributes, dict) or len(attributes) > 10:
        return "InvalidAttributes"
    required = REQUIRED_BY_TYPE.get(keys.get("Type"))
    if required is None:
        return "InvalidTypeValue" if "Type" in keys else "MissingRequiredFields"
    if any(key not in keys for key in required):
        return "MissingRequiredFields"
    return None


def check_entities(entity_data: list, strict: bool) -> str | None:
    """The first entity problem of the request (raised when ``strict``), or None."""
    problem = "EntitySizeTooLarge" if len(entity_data) > MAX_ENTITIES else None
    for entity_datum in entity_data:
        problem = problem or entity_problem(entity_datum.get("Entity"))
    if problem and strict:
        raise InvalidParameterValue(f"{problem}: {PROBLEMS[problem]}")
    return problem
