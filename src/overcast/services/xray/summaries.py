"""TraceSummary, in the shape GetTraceSummaries returns, built from a ``TraceView``."""

from __future__ import annotations

from overcast.services.xray.root_causes import flag_root_causes, response_time_root_causes
from overcast.services.xray.trace_view import TraceView, walk


def _annotation_value(value) -> dict | None:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, (int, float)):
        return {"NumberValue": float(value)}
    if isinstance(value, str):
        return {"StringValue": value}
    return None


def _annotations(view: TraceView) -> dict:
    """key -> [{AnnotationValue, ServiceIds}], one entry per distinct value."""
    out: dict[str, list] = {}
    for node in view.nodes.values():
        if node.inferred:
            continue
        for seg in node.entities:
            for entity in walk(seg):
                annotations = entity.get("annotations")
                if not isinstance(annotations, dict):
                    continue
                for key, raw in annotations.items():
                    value = _annotation_value(raw)
                    if value is None:
                        continue
                    entries = out.setdefault(key, [])
                    entry = next((e for e in entries if e["AnnotationValue"] == value), None)
                    if entry is None:
                        entry = {"AnnotationValue": value, "ServiceIds": []}
                        entries.append(entry)
                    if node.service_id() not in entry["ServiceIds"]:
                        entry["ServiceIds"].append(node.service_id())
    return out


def _users(view: TraceView) -> list[dict]:
    users: dict[str, list] = {}
    for seg in view.segments:
        if isinstance(seg.get("user"), str):
            ids = users.setdefault(seg["user"], [])
            service = view.owner[seg["id"]].service_id()
            if service not in ids:
                ids.append(service)
    return [{"UserName": name, "ServiceIds": ids} for name, ids in users.items()]


def _aws_fields(view: TraceView) -> tuple[list, list, list]:
    arns, instances, zones = [], [], []
    for seg in view.segments:
        arn = seg.get("resource_arn")
        if isinstance(arn, str) and {"ARN": arn} not in arns:
            arns.append({"ARN": arn})
        aws = seg.get("aws") if isinstance(seg.get("aws"), dict) else {}
        ec2 = aws.get("ec2") if isinstance(aws.get("ec2"), dict) else {}
        if isinstance(ec2.get("instance_id"), str) and {"Id": ec2["instance_id"]} not in instances:
            instances.append({"Id": ec2["instance_id"]})
        if isinstance(ec2.get("availability_zone"), str) and {"Name": ec2["availability_zone"]} not in zones:
            zones.append({"Name": ec2["availability_zone"]})
    return arns, instances, zones


def _http(view: TraceView) -> dict:
    request, response = view.root_http()
    out = {}
    for source, field, key in ((request, "url", "HttpURL"), (request, "method", "HttpMethod"),
                               (request, "user_agent", "UserAgent"), (request, "client_ip", "ClientIp")):
        if isinstance(source.get(field), str):
            out[key] = source[field]
    status = response.get("status")
    if isinstance(status, int) and not isinstance(status, bool):
        out["HttpStatus"] = status
    return out


def trace_summary(view: TraceView, revision: int, matched_event_time: float | None = None) -> dict:
    """The TraceSummary of one trace."""
    arns, instances, zones = _aws_fields(view)
    summary = {
        "Id": view.id,
        "StartTime": view.start_time,
        "HasFault": view.root_flag("fault"),
        "HasError": view.root_flag("error"),
        "HasThrottle": view.root_flag("throttle"),
        "IsPartial": view.partial,
        "Http": _http(view),
        "Annotations": _annotations(view),
        "Users": _users(view),
        "ServiceIds": [node.service_id() for node in view.nodes.values()],
        "ResourceARNs": arns,
        "InstanceIds": instances,
        "AvailabilityZones": zones,
        "FaultRootCauses": flag_root_causes(view, "fault"),
        "ErrorRootCauses": flag_root_causes(view, "error"),
        "ResponseTimeRootCauses": response_time_root_causes(view),
        "Revision": revision,
    }
    if view.duration is not None:
        summary["Duration"] = view.duration
    if view.response_time is not None:
        summary["ResponseTime"] = view.response_time
    entry = view.entry_point()
    if entry is not None:
        summary["EntryPoint"] = entry.service_id()
    if matched_event_time is not None:
        summary["MatchedEventTime"] = matched_event_time
    return summary
