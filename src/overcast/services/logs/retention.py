"""Expired events deleted on the cloud clock."""


class RetentionOperations:
    pass
