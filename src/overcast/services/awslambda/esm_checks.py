"""The checks CreateEventSourceMapping and UpdateEventSourceMapping make of an SQS mapping's
own parameters, in AWS's words (texts as Lambda answers them: "StartingPosition is not valid
for SQS event sources.", "Unsupported '<member>' parameter for given event source mapping
type.", "Maximum batch window in seconds must be greater than 0 if maximum batch size is
greater than 10", "Invalid filter pattern definition.")."""

from __future__ import annotations

import json

from overcast.services.awslambda.errors import InvalidParameterValueException
from overcast.services.events.event_patterns import InvalidEventPattern, compile_event_pattern

# parameters of stream, Kafka, MQ and DocumentDB sources that an SQS mapping refuses
_NOT_FOR_SQS = ("ParallelizationFactor", "DestinationConfig", "MaximumRecordAgeInSeconds",
                "BisectBatchOnFunctionError", "MaximumRetryAttempts", "TumblingWindowInSeconds", "Topics", "Queues",
                "SourceAccessConfigurations", "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig",
                "SelfManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig", "LoggingConfig")
MAX_FILTERS = 5  # "Filters per event source mapping": 5 (Lambda quotas)
DEFAULT_BATCH_SIZE = 10
FIFO_MAX_BATCH_SIZE = 10


def _camel(name: str) -> str:
    return name[0].lower() + name[1:]


def check_sqs_parameters(params: dict) -> None:
    """Refuse what an SQS mapping does not take."""
    if params.get("StartingPosition") is not None or params.get("StartingPositionTimestamp") is not None:
        raise InvalidParameterValueException("StartingPosition is not valid for SQS event sources.")
    for name in _NOT_FOR_SQS:
        if params.get(name) is not None:
            raise InvalidParameterValueException(
                f"Unsupported '{_camel(name)}' parameter for given event source mapping type.")


def check_batching(batch_size: int, window: int, fifo: bool) -> None:
    if fifo and batch_size > FIFO_MAX_BATCH_SIZE:
        raise InvalidParameterValueException("Batch size must be between 1 and 10 for FIFO queues.")
    if fifo and window:
        raise InvalidParameterValueException(
            "Unsupported 'maximumBatchingWindowInSeconds' parameter for given event source mapping type.")
    if batch_size > DEFAULT_BATCH_SIZE and window <= 0:
        raise InvalidParameterValueException(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")


def check_filter_criteria(criteria) -> list[str]:
    """The filter patterns (texts) of FilterCriteria; each must be an event pattern."""
    filters = (criteria or {}).get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise InvalidParameterValueException("Invalid filter pattern definition.")
    patterns = []
    for item in filters:
        text = (item or {}).get("Pattern")
        if not isinstance(text, str) or not text:
            raise InvalidParameterValueException("Invalid filter pattern definition.")
        try:
            if not isinstance(json.loads(text), dict):
                raise ValueError(text)
            compile_event_pattern(text)
        except (ValueError, InvalidEventPattern):
            raise InvalidParameterValueException("Invalid filter pattern definition.") from None
        patterns.append(text)
    return patterns

