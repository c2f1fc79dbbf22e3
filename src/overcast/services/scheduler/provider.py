"""Amazon EventBridge Scheduler: the provider is composed of one class per concern.

| module | what |
|---|---|
| ``groups.py`` (``GroupOperations``) | Create/Get/Delete/ListScheduleGroups, the default group |
| ``schedules.py`` (``ScheduleOperations``) | Create/Get/Update/Delete/ListSchedules |
| ``tags.py`` (``TagOperations``) | TagResource, UntagResource, ListTagsForResource (groups) |
| ``firing.py`` (``FiringOperations``) | runs on the cloud clock (at, rate, cron, time zones, windows) |
| ``invocations.py`` (``InvocationOperations``) | calling targets, retries, dead-letter queue |

``acting.py`` gives the execution role's context; ``target_calls.py`` what a target is;
``authority.py`` is Scheduler's side of strict-mode authorization.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.scheduler.acting import RoleSessions
from overcast.services.scheduler.authority import SchedulerAuthority
from overcast.services.scheduler.firing import FiringOperations
from overcast.services.scheduler.groups import GroupOperations
from overcast.services.scheduler.invocations import InvocationOperations
from overcast.services.scheduler.metrics import SchedulerMetrics
from overcast.services.scheduler.schedules import ScheduleOperations
from overcast.services.scheduler.schema import MIGRATIONS
from overcast.services.scheduler.tags import TagOperations
from overcast.services.scheduler.validation import check_input, service_model


class Provider(GroupOperations, ScheduleOperations, TagOperations, FiringOperations, InvocationOperations,
               SchedulerAuthority, BaseProvider):
    service_name = "scheduler"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        self.role_sessions = RoleSessions(self)
        self.scheduler_metrics = SchedulerMetrics(self)

    def validate_request(self, ctx, params: dict) -> None:
        """Strict mode: the model's constraints are checked before authorization, as AWS
        orders them (the operations check them again in open mode)."""
        if ctx.operation in service_model().operation_names:
            check_input(ctx.operation, params)

    async def start(self) -> None:
        await super().start()
        self.arm_all()
        self.arm_invocations()

    def reset(self) -> None:
        super().reset()
        self.state_epoch += 1
        self._default_groups.clear()
        self._armed.clear()
        self._retry_timers.clear()
        self.role_sessions.clear()
