"""A metric filter's metricTransformations: checked as PutMetricFilter checks them, and applied
to a matching event (the value and dimensions it publishes).

AWS's rules (PutMetricFilter and MetricTransformation references, "Creating metrics from log
events using filters"): exactly one transformation; metricName and metricNamespace required
(at most 255 characters, none of ``:*$``); metricValue required (at most 100 characters): a
number, or ``$.field`` of a JSON pattern or ``$name`` of a space-delimited pattern; at most
three dimensions whose values are such field references, only for JSON or space-delimited
patterns, never together with defaultValue; unit one of CloudWatch's standard units.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from overcast.services.logs.errors import InvalidParameterException

MAX_DIMENSIONS = 3  # "One metric filter can include as many as three dimensions."
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _is_selector(value: str) -> bool:
    return len(value) > 1 and value.startswith("$")


@dataclass(frozen=True)
class Transformation:
    """One checked metricTransformation, ready to apply to matches."""

    name: str
    namespace: str
    value: str                      # a literal number or a field selector
    literal: float | None           # the number, for a literal value
    default: float | None
    dimensions: tuple[tuple[str, str], ...]  # (dimension name, selector), sorted by name
    unit: str

    def as_dict(self) -> dict:
        """The transformation as DescribeMetricFilters shows it."""
        out = {"metricName": self.name, "metricNamespace": self.namespace, "metricValue": self.value}
        if self.default is not None:
            out["defaultValue"] = self.default
        if self.dimensions:
            out["dimensions"] = dict(self.dimensions)
        if self.unit != "None":
            out["unit"] = self.unit
        return out

    def apply(self, match) -> tuple[float, tuple[tuple[str, str], ...]] | None:
        """(value, dimensions) one matching event publishes, or None when a field it needs is
        missing or not a number (the event then adds nothing to the metric)."""
        if self.literal is not None:
            value = self.literal
        else:
            value = _number(match.field(self.value))
            if value is None:
                return None
        if not self.dimensions:
            return value, ()
        dims = []
        for name, selector in self.dimensions:
            found = match.field(selector)
            if found is None or found == "":
                return None
            dims.append((name, _text(found)))
        return value, tuple(dims)


def _number(found) -> float | None:
    if isinstance(found, bool) or found is None:
        return None
    if isinstance(found, (int, float)):
        value = float(found)
    else:
        text = str(found).strip()
        if not _NUMBER.match(text):
            return None
        value = float(text)
    return value if math.isfinite(value) else None


def _text(found) -> str:
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, float) and found.is_integer():
        return str(int(found))
    return str(found)


def check_transformations(transformations: list, pattern_kind: str) -> Transformation:
    """The one transformation of a PutMetricFilter (its model constraints already checked by
    ``validation.check_input``), checked for what the model cannot say (``pattern_kind``: the
    compiled pattern's ``kind``); raises AWS's error."""
    item = transformations[0]
    value = item["metricValue"]
    literal = None
    if _NUMBER.match(value.strip()):
        literal = float(value)
    elif not _is_selector(value):
        raise InvalidParameterException(f"Invalid metric value: {value}. The metric value must be a number or a "
                                        "field reference such as $.field or $field.")
    default = item.get("defaultValue")
    dimensions = item.get("dimensions") or {}
    if dimensions:
        if default is not None:
            raise InvalidParameterException("Invalid metric transformation: dimensions and default value are "
                                            "mutually exclusive properties")
        if len(dimensions) > MAX_DIMENSIONS:
            raise InvalidParameterException(f"Invalid metric transformation: the maximum number of dimensions "
                                            f"is {MAX_DIMENSIONS}")
        if pattern_kind not in ("json", "space_delimited"):
            raise InvalidParameterException("The specified filter pattern does not support dimensions")
        for name, selector in dimensions.items():
            if not _is_selector(selector):
                raise InvalidParameterException(f"Invalid dimension value: {selector}. A dimension value must be a "
                                                "field reference such as $.field or $field.")
    return Transformation(item["metricName"], item["metricNamespace"], value, literal,
                          float(default) if default is not None else None,
                          tuple(sorted(dimensions.items())), item.get("unit") or "None")


def transformation_from_dict(item: dict) -> Transformation:
    """A stored transformation (``as_dict``'s shape), rebuilt without checks."""
    value = item["metricValue"]
    literal = float(value) if _NUMBER.match(value.strip()) else None
    default = item.get("defaultValue")
    return Transformation(item["metricName"], item["metricNamespace"], value, literal,
                          float(default) if default is not None else None,
                          tuple(sorted((item.get("dimensions") or {}).items())), item.get("unit") or "None")
