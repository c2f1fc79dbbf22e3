"""Amazon EC2: the provider is composed of one class per concern.

| module | operations |
|---|---|
| ``launch.py`` (``LaunchOperations``) | RunInstances |
| ``instances.py`` (``InstanceOperations``) | DescribeInstances, StartInstances, StopInstances, TerminateInstances |
| ``tags.py`` (``TagOperations``) | CreateTags, DeleteTags, DescribeTags |
| ``regions.py`` (``RegionOperations``) | DescribeRegions, DescribeAvailabilityZones |

Instances are records (no VM runs); the instance metadata endpoint (``overcast.imds``)
serves as one of them, chosen here (``imds_choice`` / ``choose_for_imds``).
"""

from __future__ import annotations

import json

from overcast.services.base import Provider as BaseProvider
from overcast.services.ec2.authority import Ec2Authority
from overcast.services.ec2.instance_store import TIMER_KIND, InstanceRow, InstanceStore
from overcast.services.ec2.instances import InstanceOperations
from overcast.services.ec2.launch import LaunchOperations
from overcast.services.ec2.regions import RegionOperations
from overcast.services.ec2.schema import MIGRATIONS
from overcast.services.ec2.tags import TagOperations, TagStore


class Provider(LaunchOperations, InstanceOperations, TagOperations, RegionOperations, Ec2Authority, BaseProvider):
    service_name = "ec2"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        self.instances = InstanceStore(self)
        self.tags = TagStore(self)
        cloud.scheduler.on(TIMER_KIND, self._on_transition)

    def _on_transition(self, payload: dict) -> None:
        self.instances.settle_one(payload.get("instance_id", ""))

    # -- for the instance metadata endpoint ------------------------------------------------

    def imds_choice(self) -> dict:
        """What ``POST /_overcast/imds`` chose: {"instance_id"} or {"instance_profile", "account"}, or {}."""
        row = self.db.query_one("SELECT value FROM imds_choice WHERE name = 'choice'")
        return json.loads(row[0]) if row else {}

    def choose_for_imds(self, choice: dict) -> None:
        """Remember whom IMDS serves as (``{}``: the most recently launched running instance)."""
        self.db.execute(
            "INSERT INTO imds_choice (name, value) VALUES ('choice', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (json.dumps(choice),),
        )

    def imds_instance(self) -> InstanceRow | None:
        """The instance IMDS serves as: the chosen one, else the latest running one (or None)."""
        choice = self.imds_choice()
        if choice.get("instance_id"):
            return self.instances.one(choice["instance_id"])
        if choice.get("instance_profile"):
            return None
        return self.instances.latest_running()

    def instance_tags(self, instance_id: str) -> dict[str, str]:
        return self.tags.of(instance_id)
