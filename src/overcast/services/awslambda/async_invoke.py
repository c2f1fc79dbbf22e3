"""Invoke with InvocationType Event, event invoke configs, InvokeAsync (async)."""

from __future__ import annotations


class AsyncInvokeOperations:
    pass
