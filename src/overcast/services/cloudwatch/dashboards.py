"""PutDashboard, GetDashboard, ListDashboards, DeleteDashboards (owned by the "servicemetrics" helper; empty until written: its operations answer 501)."""

from __future__ import annotations


class DashboardOperations:
    """The PutDashboard,GetDashboard,ListDashboards,DeleteDashboards operations of the CloudWatch provider."""
