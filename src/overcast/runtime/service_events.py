"""The one way Overcast's services put their own AWS events on EventBridge's default bus.

AWS services send events to the default bus of the account and region the resource lives in
(S3's ``Object Created``, CloudWatch's ``CloudWatch Alarm State Change``, X-Ray's insight
updates...). A service publishes here::

    cloud.service_events.publish(scope, source="aws.cloudwatch",
                                 detail_type="CloudWatch Alarm State Change",
                                 detail={...}, resources=[alarm_arn], time=alarm.state_updated)

and the call costs one durable timer row (``events.service_event``, due now), as S3
notifications do: the event survives a crash, and the events provider (which registers the
timer's handler in its ``__init__``) matches it against the bus's rules on the event loop
right after. The event's id and time are fixed here, at publish time, so a handler run twice
after a crash puts the same event twice (at least once, as AWS's delivery is), not two.

This module knows nothing of the events service (the runtime imports no service): the cloud
hands it ``consumer_ready``, which says whether an events provider exists and makes sure it
is loaded, so a timer never waits parked for a provider nobody loads.
"""

from __future__ import annotations

import logging
import uuid
from typing import Callable, Iterable

from overcast.runtime.clock import Clock
from overcast.runtime.scheduler import Scheduler

log = logging.getLogger("overcast.service_events")

TIMER_KIND = "events.service_event"


class ServiceEvents:
    """The publisher behind ``cloud.service_events``."""

    def __init__(self, clock: Clock, scheduler: Scheduler, consumer_ready: Callable[[], bool]):
        self.clock = clock
        self.scheduler = scheduler
        self._consumer_ready = consumer_ready
        self.published = 0

    def publish(self, scope, *, source: str, detail_type: str, detail: dict, resources: Iterable[str] = (),
                time: float | None = None, event_id: str | None = None) -> None:
        """Queue one event for the default bus of ``scope`` (``(account, region)``).

        ``time`` is when it happened (epoch seconds; default now on the cloud clock) and
        ``event_id`` the envelope's id when the service already gave it one (S3 does). Never
        raises: a service's own work must not fail because its event could not be queued.
        """
        try:
            if not self._consumer_ready():
                log.debug("%s event %r dropped: no events service", source, detail_type)
                return
            account, region = scope[0], scope[1]
            payload = {"account": account, "region": region, "source": source, "detail_type": detail_type,
                       "detail": detail, "resources": list(resources),
                       "time": self.clock.now() if time is None else float(time),
                       "id": event_id or str(uuid.uuid4())}
            self.scheduler.schedule(self.clock.now(), TIMER_KIND, payload)
            self.published += 1
        except Exception:  # noqa: BLE001 - see the docstring
            log.exception("queueing the %s event %r failed", source, detail_type)
