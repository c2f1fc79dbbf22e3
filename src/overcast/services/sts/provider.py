"""AWS Security Token Service."""

from __future__ import annotations

from overcast.context import RequestContext
from overcast.services.base import Provider as BaseProvider


class Provider(BaseProvider):
    service_name = "sts"

    def get_caller_identity(self, ctx: RequestContext, params: dict) -> dict:
        """Who signed the request: account, ARN and user id of the caller."""
        return {"UserId": ctx.user_id, "Account": ctx.account, "Arn": ctx.principal_arn}
