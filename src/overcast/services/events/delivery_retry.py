"""A target's RetryPolicy and the time of the next attempt.

"By default, EventBridge retries sending the event for 24 hours and up to 185 times with an
exponential back off and jitter, or randomized delay" (Event retry policy and using
dead-letter queues). A target's ``RetryPolicy`` narrows either limit
(MaximumRetryAttempts 0-185, MaximumEventAgeInSeconds 60-86,400).

The back-off: the first retry about a second after the failure, doubling up to a cap, each
delay drawn in its upper half (jitter that never collapses to zero). The cap is ten minutes,
so 185 attempts spread over about the 24 hours AWS documents for the defaults.
"""

from __future__ import annotations

import random

MAX_RETRIES = 0
MAX_EVENT_AGE = 1
DEFAULT_MAX_RETRIES = 185
DEFAULT_MAX_EVENT_AGE = 86_400
_FIRST_DELAY = 1.0
_CAP = 600.0


def retry_policy(target: dict) -> tuple[int, int]:
    """(MaximumRetryAttempts, MaximumEventAgeInSeconds) of a target, AWS's defaults filled in."""
    policy = target.get("RetryPolicy") or {}
    retries = policy.get("MaximumRetryAttempts")
    age = policy.get("MaximumEventAgeInSeconds")
    return (DEFAULT_MAX_RETRIES if retries is None else int(retries),
            DEFAULT_MAX_EVENT_AGE if age is None else int(age))


def next_attempt_delay(attempt: int) -> float:
    """Seconds between failed attempt number ``attempt`` (1-based) and the next one."""
    ceiling = min(_CAP, _FIRST_DELAY * (2 ** min(attempt - 1, 20)))
    return ceiling / 2 + random.random() * ceiling / 2
