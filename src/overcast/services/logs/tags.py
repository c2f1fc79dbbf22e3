"""Tags of log groups."""


class TagOperations:
    pass
