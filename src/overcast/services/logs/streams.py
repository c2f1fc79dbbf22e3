"""Create/Delete/DescribeLogStreams."""


class StreamOperations:
    pass
