"""metric filters (delivery): written by its own helper (logs-contract)."""


class MetricFilterOperations:
    pass
