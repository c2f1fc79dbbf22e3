"""Function URL configs and the URLs themselves (esm)."""

from __future__ import annotations


class FunctionUrlOperations:
    pass
