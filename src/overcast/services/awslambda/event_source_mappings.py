"""Event source mappings and their pollers (esm)."""

from __future__ import annotations


class EventSourceMappingOperations:
    pass
