"""SQS queues operations (being written)."""


class QueueOperations:
    """Operations of this concern; until written, they answer NotImplemented (501)."""
