"""SQS messages operations (being written)."""


class MessageOperations:
    """Operations of this concern; until written, they answer NotImplemented (501)."""
