"""DescribeInstances, StartInstances, StopInstances, TerminateInstances."""

from __future__ import annotations

from overcast.context import RequestContext
from overcast.services.ec2 import instance_view
from overcast.services.ec2.errors import (
    dry_run,
    incorrect_state,
    instances_not_found,
    invalid_combination,
    malformed_instance_id,
    missing_parameter,
)
from overcast.services.ec2.filters import check_max_results, compile_filters, page
from overcast.services.ec2.ids import INSTANCE_ID
from overcast.services.ec2.instance_store import InstanceRow

# DescribeInstances filters Overcast answers (EC2 has more; an unknown one is an error).
_INSTANCE_FILTERS = {
    "instance-id": lambda i: [i["InstanceId"]],
    "instance-type": lambda i: [i["InstanceType"]],
    "instance-state-name": lambda i: [i["State"]["Name"]],
    "instance-state-code": lambda i: [str(i["State"]["Code"])],
    "image-id": lambda i: [i["ImageId"]],
    "availability-zone": lambda i: [i["Placement"]["AvailabilityZone"]],
    "private-ip-address": lambda i: [i.get("PrivateIpAddress")],
    "private-dns-name": lambda i: [i["PrivateDnsName"]],
    "key-name": lambda i: [i.get("KeyName")],
    "subnet-id": lambda i: [i.get("SubnetId")],
    "vpc-id": lambda i: [i.get("VpcId")],
    "reservation-id": lambda i: [i["_reservation"]],
    "owner-id": lambda i: [i["_owner"]],
    "iam-instance-profile.arn": lambda i: [(i.get("IamInstanceProfile") or {}).get("Arn")],
    "tag-key": lambda i: [t["Key"] for t in i.get("Tags", ())],
    "tag-value": lambda i: [t["Value"] for t in i.get("Tags", ())],
}
_TAG_FILTER = {"tag:": lambda key: (lambda i: [t["Value"] for t in i.get("Tags", ()) if t["Key"] == key])}


class InstanceOperations:
    """Reads and state changes of recorded instances."""

    def _named(self, ctx: RequestContext, instance_ids: list[str] | None, required: bool = True) -> list[InstanceRow]:
        """The instances named, in the order given; malformed or unknown ids are EC2's errors."""
        if not instance_ids:
            if required:
                raise missing_parameter("InstanceId")
            return []
        for instance_id in instance_ids:
            if not INSTANCE_ID.match(instance_id):
                raise malformed_instance_id(instance_id)
        unique = list(dict.fromkeys(instance_ids))
        found = self.instances.by_ids(ctx.account, ctx.region, unique)
        missing = [instance_id for instance_id in unique if instance_id not in found]
        if missing:
            raise instances_not_found(missing)
        return [found[instance_id] for instance_id in unique]

    def describe_instances(self, ctx: RequestContext, params: dict) -> dict:
        instance_ids = params.get("InstanceIds")
        max_results = params.get("MaxResults")
        if instance_ids and max_results is not None:
            raise invalid_combination("The parameter instancesSet cannot be used with the parameter maxResults")
        check_max_results(max_results)
        matches = compile_filters(params.get("Filters"), _INSTANCE_FILTERS, _TAG_FILTER)
        rows = self._named(ctx, instance_ids, required=False) if instance_ids else \
            self.instances.scope(ctx.account, ctx.region)
        if params.get("DryRun"):
            raise dry_run()
        tags = self.tags.of_many([row.instance_id for row in rows])
        selected = []
        for row in rows:
            item = instance_view.instance(row, tags[row.instance_id])
            item["_reservation"], item["_owner"] = row.reservation_id, row.account
            if matches(item):
                selected.append((row, item))
        selected, token = page(selected, max_results, params.get("NextToken"), "instances")
        reservations: dict[str, dict] = {}
        for row, item in selected:
            del item["_reservation"], item["_owner"]
            reservation = reservations.setdefault(row.reservation_id, {
                "ReservationId": row.reservation_id, "OwnerId": row.account, "Groups": [], "Instances": [],
            })
            reservation["Instances"].append(item)
        result = {"Reservations": list(reservations.values())}
        if token:
            result["NextToken"] = token
        return result

    def _change(self, ctx: RequestContext, params: dict, allowed, target: str, action: str) -> list[dict]:
        """Move each named instance from a state in ``allowed`` to ``target``; the others
        either already are where the call leads (no change) or are EC2's IncorrectInstanceState."""
        rows = self._named(ctx, params.get("InstanceIds"))
        leads_to = {"pending": ("pending", "running"), "stopping": ("stopping", "stopped"),
                    "shutting-down": ("shutting-down", "terminated")}[target]
        for row in rows:
            if row.state not in allowed and row.state not in leads_to:
                raise incorrect_state(row.instance_id, action)
        if params.get("DryRun"):
            raise dry_run()
        now = self.clock.now()
        changes = []
        with self.db.transaction():
            for row in rows:
                previous = row.state
                if previous in allowed:
                    if target == "pending":
                        self.instances.move(row, target, "pending", "")
                    else:  # stopping / shutting-down carry the reason from the start, as on EC2
                        self.instances.move(row, target, "Client.UserInitiatedShutdown",
                                            instance_view.user_initiated(now))
                changes.append({
                    "InstanceId": row.instance_id,
                    "CurrentState": instance_view.state(row.state),
                    "PreviousState": instance_view.state(previous),
                })
        return changes

    def start_instances(self, ctx: RequestContext, params: dict) -> dict:
        return {"StartingInstances": self._change(ctx, params, ("stopped",), "pending", "started")}

    def stop_instances(self, ctx: RequestContext, params: dict) -> dict:
        return {"StoppingInstances": self._change(ctx, params, ("running",), "stopping", "stopped")}

    def terminate_instances(self, ctx: RequestContext, params: dict) -> dict:
        allowed = ("pending", "running", "stopping", "stopped")
        return {"TerminatingInstances": self._change(ctx, params, allowed, "shutting-down", "terminated")}
