"""Strict mode checks a request's own parameters before authorizing it, as Logs orders them:
these are the operations' own checks (the operations run them again in open mode). Every
check is called ``check(params)``."""

from __future__ import annotations

CHECKS: dict = {}
