"""Strict mode: the checks of a request's own parameters EventBridge makes before it authorizes
the call (operation -> check(params)); the operations make them again in open mode."""

from __future__ import annotations

CHECKS: dict = {}
