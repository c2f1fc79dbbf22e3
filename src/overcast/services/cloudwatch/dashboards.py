"""PutDashboard, GetDashboard, ListDashboards, DeleteDashboards.

Dashboards are global per account (their ARN is ``arn:aws:cloudwatch::<account>:dashboard/<name>``,
no region): every region's endpoint sees the same ones. The body is kept as it was put, once
``dashboard_validation.py`` accepted it.
"""

from __future__ import annotations

import base64
import binascii
import re

from overcast.services.cloudwatch.dashboard_validation import check_body, parse_body
from overcast.services.cloudwatch.errors import InvalidParameterValue, MissingParameter, ResourceNotFound
from overcast.services.cloudwatch.tags import check_tags
from overcast.storage.scope import GLOBAL_REGION, Scope, partition_of

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_PREFIX = re.compile(r"[A-Za-z0-9._-]*")
MAX_NAME = 255
PAGE_SIZE = 1000  # "ListDashboards returns up to 1000 results on one page"
MAX_DELETE = 100  # "You can specify up to 100 dashboards to delete"


def dashboard_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition_of(region)}:cloudwatch::{account}:dashboard/{name}"


def _check_name(name) -> str:
    if name is None or name == "":
        raise MissingParameter("The parameter DashboardName is required.")
    if not isinstance(name, str) or len(name) > MAX_NAME or not _NAME.fullmatch(name):
        raise InvalidParameterValue("The value for field DashboardName contains invalid characters. "
                                    "It can only contain alphanumerics, dash (-) and underscore (_).\n")
    return name


def _page_token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _after_token(token) -> str:
    try:
        name = base64.urlsafe_b64decode(token.encode()).decode() if isinstance(token, str) else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        name = None
    if not name or not _NAME.fullmatch(name):
        raise InvalidParameterValue("The value for parameter NextToken is invalid.")
    return name


class DashboardOperations:
    """The dashboard operations of the CloudWatch provider."""

    def put_dashboard(self, ctx, params: dict) -> dict:
        name = _check_name(params.get("DashboardName"))
        text = params.get("DashboardBody")
        if text is None:
            raise MissingParameter("The parameter DashboardBody is required.")
        check_body(parse_body(text))
        tags = check_tags(params["Tags"]) if params.get("Tags") else None
        account = ctx.account
        existed = self.db.query_one("SELECT 1 FROM dashboards WHERE account = ? AND name = ?", (account, name))
        self.db.execute(
            "INSERT INTO dashboards (account, name, body, last_modified) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (account, name) DO UPDATE SET body = excluded.body, last_modified = excluded.last_modified",
            (account, name, text, self.clock.now()))
        if tags and existed is None:  # Tags apply at creation; on an update AWS ignores them
            self.put_tags(Scope(account, GLOBAL_REGION), dashboard_arn(ctx.region, account, name), tags)
        return {"DashboardValidationMessages": []}

    def get_dashboard(self, ctx, params: dict) -> dict:
        name = _check_name(params.get("DashboardName"))
        row = self.db.query_one("SELECT body FROM dashboards WHERE account = ? AND name = ?", (ctx.account, name))
        if row is None:
            raise ResourceNotFound("Dashboard does not exist")
        return {"DashboardArn": dashboard_arn(ctx.region, ctx.account, name), "DashboardBody": row[0],
                "DashboardName": name}

    def list_dashboards(self, ctx, params: dict) -> dict:
        prefix = params.get("DashboardNamePrefix") or ""
        if not isinstance(prefix, str) or len(prefix) > MAX_NAME or not _PREFIX.fullmatch(prefix):
            raise InvalidParameterValue("The value for field DashboardNamePrefix contains invalid characters. "
                                        "It can only contain alphanumerics, dash (-), period (.) and underscore (_).\n")
        token = params.get("NextToken")
        after = _after_token(token) if token is not None else ""
        rows = self.db.query(
            "SELECT name, length(CAST(body AS BLOB)), last_modified FROM dashboards "
            "WHERE account = ? AND name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?",
            (ctx.account, after, len(prefix), prefix, PAGE_SIZE + 1))
        entries = [{"DashboardName": name, "DashboardArn": dashboard_arn(ctx.region, ctx.account, name),
                    "LastModified": modified, "Size": size} for name, size, modified in rows[:PAGE_SIZE]]
        out = {"DashboardEntries": entries}
        if len(rows) > PAGE_SIZE:
            out["NextToken"] = _page_token(entries[-1]["DashboardName"])
        return out

    def delete_dashboards(self, ctx, params: dict) -> dict:
        names = params.get("DashboardNames")
        if not names:
            raise MissingParameter("The parameter DashboardNames is required.")
        if len(names) > MAX_DELETE:
            raise InvalidParameterValue(f"The collection DashboardNames must not have a size greater than {MAX_DELETE}.")
        account = ctx.account
        missing = []
        with self.db.transaction():  # as many as possible are deleted; the missing ones are named
            for name in dict.fromkeys(names):
                if not self.db.execute("DELETE FROM dashboards WHERE account = ? AND name = ?", (account, name)):
                    missing.append(name)
                else:
                    self.forget_tags(Scope(account, GLOBAL_REGION), dashboard_arn(ctx.region, account, name))
        if missing:
            raise ResourceNotFound(f"The specified dashboard does not exist. [{', '.join(missing)}]")
        return {}

    # -- for TagResource & co (tags.py) ---------------------------------------------------------

    def resource_exists(self, scope, arn: str) -> bool:
        """Whether ``arn`` names a dashboard of ``scope``'s account."""
        head, _, name = arn.partition(":dashboard/")
        return bool(name) and head.endswith(f":cloudwatch::{scope[0]}") and self.db.query_one(
            "SELECT 1 FROM dashboards WHERE account = ? AND name = ?", (scope[0], name)) is not None
