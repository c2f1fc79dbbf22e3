"""The model's constraints on map keys and values, which ``validation.check_input`` does not walk
(it checks a map's size only). A target carries three maps (InputTransformer.InputPathsMap,
HttpParameters.HeaderParameters and QueryStringParameters); AWS answers a bad key or value
with the whole map and every constraint of the key (or value) shape::

    1 validation error detected: Value '{aws.events.rule-name=$.detail}' at
    'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Map keys
    must satisfy constraint: [Member must have length less than or equal to 256, Member must
    have length greater than or equal to 1, Member must satisfy regular expression pattern:
    [A-Za-z0-9\\_\\-]+]
"""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str):
    try:
        return re.compile(pattern)
    except re.error:  # a construct Python cannot read: left unchecked rather than failed
        return None


def _constraints(shape) -> list[str]:
    md = shape.metadata
    said = []
    if "max" in md:
        said.append(f"Member must have length less than or equal to {md['max']}")
    if "min" in md:
        said.append(f"Member must have length greater than or equal to {md['min']}")
    if "pattern" in md:
        said.append(f"Member must satisfy regular expression pattern: {md['pattern']}")
    return said


def _breaks(shape, text) -> bool:
    md = shape.metadata
    if not isinstance(text, str):
        return False
    if len(text) > md.get("max", len(text)) or len(text) < md.get("min", 0):
        return True
    compiled = _compiled(md["pattern"]) if "pattern" in md else None
    return compiled is not None and compiled.fullmatch(text) is None


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def map_problems(shape, value, path: str) -> list[str]:
    """The problems of every map under ``value`` (of ``shape``), worded as AWS words them."""
    problems: list[str] = []
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if value.get(name) is not None:
                problems += map_problems(member, value[name], f"{path}.{_lower_camel(name)}" if path else
                                         _lower_camel(name))
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value, 1):
            problems += map_problems(shape.member, item, f"{path}.{index}.member")
    elif kind == "map" and isinstance(value, dict):
        shown = "{" + ", ".join(f"{key}={item}" for key, item in value.items()) + "}"
        prefix = f"Value '{shown}' at '{path}' failed to satisfy constraint: "
        if any(_breaks(shape.key, key) for key in value):
            problems.append(prefix + f"Map keys must satisfy constraint: [{', '.join(_constraints(shape.key))}]")
        if any(_breaks(shape.value, item) for item in value.values()):
            problems.append(prefix + f"Map value must satisfy constraint: [{', '.join(_constraints(shape.value))}]")
    return problems
