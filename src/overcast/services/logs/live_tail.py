"""StartLiveTail (tail): written by its own helper (logs-contract)."""


class LiveTailOperations:
    pass
