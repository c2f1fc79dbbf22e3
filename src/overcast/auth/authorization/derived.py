"""Values the action tables use besides the request parameters: the partition, region and
account of every request, and what the request's own service reads out of its parameters
(``ResourceAuthority.authorization_values``: a queue URL's name, a copy source, an IAM
entity's path, the role an EC2 instance profile passes)."""

from __future__ import annotations

from overcast.storage.scope import partition_of


def derived_values(ctx, params: dict, authority=None) -> dict:
    """The placeholders of ``ctx.service``'s table that are not plain request parameters
    (``authority``: the request's service provider, or None)."""
    credential = ctx.credential
    values = {
        "Partition": partition_of(ctx.region),
        "Region": ctx.region,
        "Account": ctx.account,
    }
    if credential is not None and credential.user_name:
        values["CallerUserName"] = credential.user_name
    if authority is not None:
        values.update(authority.authorization_values(ctx, params))
    return values
