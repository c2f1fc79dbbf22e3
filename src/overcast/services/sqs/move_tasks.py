"""SQS move_tasks operations (being written)."""


class MoveTaskOperations:
    """Operations of this concern; until written, they answer NotImplemented (501)."""
