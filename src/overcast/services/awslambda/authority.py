"""Lambda's side of strict-mode authorization: the ARNs the action table names (a function's
ARN as the call names it, qualified or not; a layer's) and a function's tags as its
aws:ResourceTag/* keys (the function's resource policy is the permissions concern's)."""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority
from overcast.services.awslambda.arns import split_function_name
from overcast.storage.scope import Scope, partition_of


class LambdaAuthority(ResourceAuthority):
    def authorization_values(self, ctx, params: dict) -> dict:
        values = super().authorization_values(ctx, params)
        name = params.get("FunctionName")
        if isinstance(name, str) and name:
            values["FunctionArn"] = _function_arn(ctx, name, params.get("Qualifier"))
        layer = params.get("LayerName")
        if isinstance(layer, str) and layer:
            layer_arn = layer if layer.startswith("arn:") else (
                f"arn:{partition_of(ctx.region)}:lambda:{ctx.region}:{ctx.account}:layer:{layer}")
            values["LayerArn"] = layer_arn
            if params.get("VersionNumber") is not None:
                values["LayerVersionArn"] = f"{layer_arn}:{params['VersionNumber']}"
        return values

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        # a qualified ARN carries its function's tags
        return self.tags_of(":".join(arn.split(":")[:7]))


def _function_arn(ctx, name: str, qualifier) -> str:
    """The ARN a policy sees for the function a call names (the call's region and account
    unless its ARN names others)."""
    parts = split_function_name(name)
    if parts is None:
        return name
    region, account, function, inline = parts
    scope = Scope(account or ctx.account, region or ctx.region)
    arn = f"arn:{partition_of(scope.region)}:lambda:{scope.region}:{scope.account}:function:{function}"
    qualifier = qualifier if isinstance(qualifier, str) and qualifier else inline
    return f"{arn}:{qualifier}" if qualifier else arn
