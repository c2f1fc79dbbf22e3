"""Logs Insights (insights): written by its own helper (logs-contract)."""


class QueryOperations:
    pass
