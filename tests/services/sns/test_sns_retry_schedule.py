"""The retry schedule SNS applies to SQS (and Lambda) endpoints, AWS's fixed policy: 3
immediate retries, 2 one second apart, 10 backing off from 1 to 20 seconds, then 100,000
twenty seconds apart; after those the delivery is given up (dead-lettered)."""

from __future__ import annotations

from overcast.services.sns.delivery_protocols import aws_managed_retry_delay


def test_phases():
    delays = [aws_managed_retry_delay(None, None, attempt) for attempt in range(1, 16)]
    assert delays[:3] == [0.0, 0.0, 0.0]
    assert delays[3:5] == [1.0, 1.0]
    backoff = delays[5:15]
    assert backoff == sorted(backoff) and 1.0 < backoff[0] < backoff[-1] == 20.0
    assert aws_managed_retry_delay(None, None, 16) == 20.0
    assert aws_managed_retry_delay(None, None, 15 + 100_000) == 20.0
    assert aws_managed_retry_delay(None, None, 15 + 100_001) is None
