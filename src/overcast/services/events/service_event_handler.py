"""The receiving end of ``cloud.service_events`` (``overcast.runtime.service_events``): each
``events.service_event`` timer carries one event an Overcast service published (S3's object
events, CloudWatch's alarm state changes, X-Ray's insight updates); it is built into AWS's
envelope, with the id and time fixed at publish time, and put on the default bus of its
account and region through ``accept_events``, where rules match it like any other event.
"""

from __future__ import annotations

import logging

from overcast.runtime.service_events import TIMER_KIND
from overcast.services.events.models import DEFAULT_BUS
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.events.service_events")


class ServiceEventHandler:
    """Registers itself for ``events.service_event`` timers (from the provider's ``__init__``)."""

    def __init__(self, provider):
        self.provider = provider
        provider.cloud.scheduler.on(TIMER_KIND, self.on_event)

    def on_event(self, payload: dict) -> None:
        provider = self.provider
        try:
            scope = Scope(payload["account"], payload["region"])
            envelope = provider.build_envelope(scope, source=payload["source"], detail_type=payload["detail_type"],
                                               detail=payload.get("detail") or {},
                                               resources=payload.get("resources") or (), time=payload.get("time"),
                                               event_id=payload.get("id"))
        except (KeyError, TypeError, ValueError):
            log.warning("a malformed service event was dropped: %r", payload)
            return
        bus = provider.bus_row(scope, DEFAULT_BUS)
        provider.accept_events(scope, bus, [envelope])
