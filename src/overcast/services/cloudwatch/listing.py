"""ListMetrics: filters, RecentlyActive, 500 a page with NextToken, linked accounts."""

from __future__ import annotations

import base64
import json

from overcast.services.cloudwatch.errors import InvalidNextToken, InvalidParameterValue, MissingParameter
from overcast.services.cloudwatch.validation import check_length

PAGE_SIZE = 500  # ListMetrics returns up to 500 results a call (its documentation)
RECENTLY_ACTIVE = {"PT3H": 3 * 3600}


def _token(index: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([index, fingerprint]).encode()).decode()


def _index_of(token: str, fingerprint: str) -> int:
    try:
        index, seen = json.loads(base64.urlsafe_b64decode(token.encode()))
        if seen == fingerprint and isinstance(index, int) and index >= 0:
            return index
    except (ValueError, TypeError):
        pass
    raise InvalidNextToken("The service returned an invalid token.")  # a token of another query


def list_metrics_page(store, scope, account: str, params: dict, now: float) -> dict:
    namespace, name = params.get("Namespace"), params.get("MetricName")
    if namespace is not None:
        check_length(namespace, "Namespace", 1, 255)
    if name is not None:
        check_length(name, "MetricName", 1, 255)
    filters = params.get("Dimensions") or []
    if len(filters) > 10:
        raise InvalidParameterValue("The collection Dimensions must not have a size greater than 10.")
    for i, dimension in enumerate(filters, 1):
        if dimension.get("Name") is None:
            raise MissingParameter(f"The parameter Dimensions.member.{i}.Name is required.")
        check_length(dimension["Name"], f"Dimensions.member.{i}.Name", 1, 255)
        if dimension.get("Value") is not None:
            check_length(dimension["Value"], f"Dimensions.member.{i}.Value", 1, 1024)
    active = params.get("RecentlyActive")
    if active is not None and active not in RECENTLY_ACTIVE:
        raise InvalidParameterValue(f"The value {active} for parameter RecentlyActive is invalid.")
    since = now - RECENTLY_ACTIVE[active] if active else None
    owner = params.get("OwningAccount")
    # no account is linked to this monitoring account: only its own metrics exist here
    metrics = store.list_metrics(scope, namespace, name, filters, since) if owner in (None, account) else []
    fingerprint = json.dumps([namespace, name, filters, active, owner], sort_keys=True, default=str)
    start = _index_of(params["NextToken"], fingerprint) if params.get("NextToken") else 0
    page = metrics[start:start + PAGE_SIZE]
    out: dict = {"Metrics": [
        {"Namespace": ns, "MetricName": metric, "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()]}
        for ns, metric, dims in page]}
    if params.get("IncludeLinkedAccounts"):
        out["OwningAccounts"] = [account] * len(page)
    if start + PAGE_SIZE < len(metrics):
        out["NextToken"] = _token(start + PAGE_SIZE, fingerprint)
    return out
