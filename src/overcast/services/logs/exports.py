"""export tasks (delivery): written by its own helper (logs-contract)."""


class ExportOperations:
    pass
