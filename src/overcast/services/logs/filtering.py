"""FilterLogEvents, TestMetricFilter (patterns): written by its own helper (logs-contract)."""


class FilterOperations:
    pass
