"""Function names as Lambda accepts them: a name, a partial ARN (``123456789012:function:f``)
or a full ARN, each optionally ending in ``:<version or alias>``."""

from __future__ import annotations

import re

from overcast.storage.scope import Scope

# the model's FunctionName pattern, grouped
_NAME = re.compile(r"(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):)?"
                   r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9\-_]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9\-_]+))?")


def function_arn(scope: Scope, name: str) -> str:
    return f"arn:aws:lambda:{scope.region}:{scope.account}:function:{name}"


def split_function_name(value: str) -> tuple[str | None, str | None, str, str | None] | None:
    """(region, account, name, qualifier) of a function name or ARN, None when it is neither."""
    found = _NAME.fullmatch(value)
    if found is None:
        return None
    return found["region"], found["account"], found["name"], found["qualifier"]
