"""ListMetrics: namespace, name and dimension filters, RecentlyActive PT3H, the two-week
window, 500 a page with NextToken, IncludeLinkedAccounts and OwningAccount."""

from __future__ import annotations

from cw_helpers import NAMESPACE, advance_clock, cw, error_of  # noqa: F401


def _put(cw, name, dims=(), namespace=NAMESPACE):
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": name, "Dimensions": [{"Name": k, "Value": v} for k, v in dims], "Value": 1.0}])


def _names(metrics):
    return [(m["Namespace"], m["MetricName"], tuple((d["Name"], d["Value"]) for d in m["Dimensions"]))
            for m in metrics]


def test_filters(cw):
    _put(cw, "A", [("Host", "h1")])
    _put(cw, "A", [("Host", "h2"), ("Disk", "d1")])
    _put(cw, "B", [("Host", "h1")])
    _put(cw, "A", namespace="Other/Space")
    assert len(cw.list_metrics()["Metrics"]) == 4
    assert _names(cw.list_metrics(Namespace=NAMESPACE, MetricName="A")["Metrics"]) == [
        (NAMESPACE, "A", (("Disk", "d1"), ("Host", "h2"))), (NAMESPACE, "A", (("Host", "h1"),))]
    assert _names(cw.list_metrics(Dimensions=[{"Name": "Host", "Value": "h1"}])["Metrics"]) == [
        (NAMESPACE, "A", (("Host", "h1"),)), (NAMESPACE, "B", (("Host", "h1"),))]
    assert _names(cw.list_metrics(Dimensions=[{"Name": "Disk"}])["Metrics"]) == [
        (NAMESPACE, "A", (("Disk", "d1"), ("Host", "h2")))]
    assert cw.list_metrics(Namespace="Nothing/Here")["Metrics"] == []


def test_recently_active_and_the_two_week_window(cw, server):
    _put(cw, "Old")
    advance_clock(server, 4 * 3600)
    _put(cw, "New")
    assert [m["MetricName"] for m in cw.list_metrics(Namespace=NAMESPACE, RecentlyActive="PT3H")["Metrics"]] == ["New"]
    assert [m["MetricName"] for m in cw.list_metrics(Namespace=NAMESPACE)["Metrics"]] == ["New", "Old"]
    advance_clock(server, 14 * 86400 - 3600)
    assert [m["MetricName"] for m in cw.list_metrics(Namespace=NAMESPACE)["Metrics"]] == ["New"]


def test_pages_of_500(cw):
    for chunk in range(3):
        cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
            {"MetricName": f"m{chunk * 400 + i:04d}", "Value": 1.0} for i in range(400)])
    first = cw.list_metrics(Namespace=NAMESPACE)
    second = cw.list_metrics(Namespace=NAMESPACE, NextToken=first["NextToken"])
    third = cw.list_metrics(Namespace=NAMESPACE, NextToken=second["NextToken"])
    assert (len(first["Metrics"]), len(second["Metrics"]), len(third["Metrics"])) == (500, 500, 200)
    assert "NextToken" not in third
    names = [m["MetricName"] for page in (first, second, third) for m in page["Metrics"]]
    assert names == sorted(names) and len(set(names)) == 1200
    paginated = cw.get_paginator("list_metrics").paginate(Namespace=NAMESPACE)
    assert sum(len(page["Metrics"]) for page in paginated) == 1200
    assert error_of(cw.list_metrics, Namespace=NAMESPACE, NextToken="garbage")[0] == "InvalidNextToken"


def test_linked_accounts(cw):
    _put(cw, "Mine")
    out = cw.list_metrics(Namespace=NAMESPACE, IncludeLinkedAccounts=True)
    assert len(out["OwningAccounts"]) == 1
    account = out["OwningAccounts"][0]
    assert len(cw.list_metrics(Namespace=NAMESPACE, OwningAccount=account)["Metrics"]) == 1
    assert cw.list_metrics(Namespace=NAMESPACE, OwningAccount="999999999999")["Metrics"] == []
    assert "OwningAccounts" not in cw.list_metrics(Namespace=NAMESPACE)



def test_recently_active_takes_pt3h_only(cw):
    assert error_of(cw.list_metrics, RecentlyActive="PT1H") == (
        "InvalidParameterValue", "The value PT1H for parameter RecentlyActive is invalid.", 400)
