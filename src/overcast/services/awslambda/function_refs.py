"""What the versions, aliases, permissions and concurrency operations name: a function (by
name, partial or full ARN) and the qualifier given in its ARN or the ``Qualifier`` parameter,
without choosing an alias's weighted version as an invocation does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from overcast.services.awslambda.arns import split_function_name
from overcast.services.awslambda.errors import InvalidParameterValueException
from overcast.storage.scope import Scope


@dataclass(frozen=True)
class FunctionRef:
    function_id: int
    name: str
    arn: str  # unqualified
    qualifier: str | None  # a version, $LATEST, an alias, or None

    def qualified_arn(self, qualifier: str | None = None) -> str:
        qualifier = qualifier if qualifier is not None else self.qualifier
        return f"{self.arn}:{qualifier}" if qualifier else self.arn


def new_revision_id() -> str:
    return str(uuid.uuid4())


def function_ref(provider, scope: Scope, name_or_arn: str, qualifier: str | None = None) -> FunctionRef:
    """The function ``name_or_arn`` names (ResourceNotFoundException as core words it when
    there is none); a qualifier both in the ARN and in ``Qualifier`` must agree, as on AWS."""
    parts = split_function_name(name_or_arn or "")
    arn_qualifier = parts[3] if parts else None
    if qualifier and arn_qualifier and qualifier != arn_qualifier:
        raise InvalidParameterValueException("The derived qualifier from the function name does not match the "
                                             "specified qualifier.")
    # no qualifier: $LATEST, and a missing function is named by its unqualified ARN
    latest = provider.resolve_function(scope, name_or_arn.rsplit(":", 1)[0] if arn_qualifier else name_or_arn)
    return FunctionRef(latest.function_id, latest.name, latest.arn, qualifier or arn_qualifier)
