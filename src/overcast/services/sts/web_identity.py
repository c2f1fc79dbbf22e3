"""AssumeRoleWithWebIdentity: a role session for the holder of a token from a trusted OIDC issuer.

The token's issuer (``iss``) must be exactly the URL of an OpenID Connect provider registered
in IAM in the role's account; its signature must verify with the keys that provider publishes
(read from the registered https URL, never from where the token points); its audience must
be one of the provider's client ids; ``exp``/``nbf`` are read on the cloud's clock. The role's
trust policy must then allow ``sts:AssumeRoleWithWebIdentity`` for the provider (Principal
``{"Federated": <provider arn>}``), with the token's claims as ``<issuer>:sub``/``:aud``/``:amr``
condition keys. The call itself is unsigned (the token is the credential).
"""

from __future__ import annotations

from overcast.context import RequestContext
from overcast.services.sts.errors import (
    AccessDenied,
    ExpiredTokenException,
    IDPRejectedClaim,
    InvalidIdentityToken,
    MalformedPolicyDocument,
)
from overcast.services.sts.jwt import KeyCache, Token, verify_signature
from overcast.services.sts.roles import DEFAULT_ROLE_DURATION, check_duration
from overcast.services.sts.session_policies import packed_policy_size, session_policy_texts
from overcast.services.sts.validation import validate

_NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"


def provider_key(issuer: str) -> str:
    """``https://host/path`` -> ``host/path``: the provider's name in its ARN and condition keys."""
    return (issuer.split("://", 1)[1] if "://" in issuer else issuer).rstrip("/")


class WebIdentityOperations:
    _jwks: KeyCache | None = None

    async def assume_role_with_web_identity(self, ctx: RequestContext, params: dict) -> dict:
        validate("AssumeRoleWithWebIdentity", params)
        token = Token(params["WebIdentityToken"])
        issuer = token.claims.get("iss")
        if not isinstance(issuer, str) or not issuer:
            raise InvalidIdentityToken(message="Missing a required claim: iss")
        role = self._role(params["RoleArn"])
        iam = self._iam()
        account = params["RoleArn"].split(":")[4] if params["RoleArn"].count(":") >= 5 else ctx.account
        provider = iam.oidc_provider(account, issuer) if iam is not None else None
        if provider is None or issuer != provider["url"]:
            # the issuer must be the registered URL itself (scheme included), not merely name
            # the same host: the keys come from the registered URL only
            raise InvalidIdentityToken(message=f"No OpenIDConnect provider found in your account for {issuer}")
        if self._jwks is None:
            self._jwks = KeyCache()
        await verify_signature(token, provider, self._jwks)
        now = int(self.clock.now())
        exp = token.claims.get("exp")
        if not isinstance(exp, (int, float)):
            raise InvalidIdentityToken(message="Missing a required claim: exp")
        if now >= exp:
            raise ExpiredTokenException(
                message=f"Token expired: current date/time {now} must be before the expiration date/time {int(exp)}"
            )
        nbf = token.claims.get("nbf")
        if isinstance(nbf, (int, float)) and now < nbf:
            raise IDPRejectedClaim(
                message=f"Token is not yet valid: current date/time {now} must be after the not-before date/time {int(nbf)}"
            )
        audience = token.claims.get("azp") if isinstance(token.claims.get("azp"), str) else None
        audiences = [audience] if audience else token.audiences
        if not any(aud in provider["client_ids"] for aud in audiences):
            raise InvalidIdentityToken(message="Incorrect token audience")
        if role is None:
            raise AccessDenied(message=_NOT_AUTHORIZED)
        duration = params.get("DurationSeconds") or DEFAULT_ROLE_DURATION
        check_duration(role, duration, chained=False)
        self._check_web_trust(role, provider, token, audiences[0], params["RoleSessionName"])
        policies = await session_policy_texts(ctx, params)
        packed = packed_policy_size(policies, [])
        subject = str(token.claims.get("sub", ""))
        session = self._role_session(
            role, params["RoleSessionName"], duration, policies, (), None, provider["arn"], kind="web-identity",
            region=ctx.region,
        )
        result = {
            "Credentials": session.credentials(),
            "SubjectFromWebIdentityToken": subject,
            "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.principal_arn},
            "Provider": provider["arn"],
            "Audience": audiences[0],
        }
        if packed is not None:
            result["PackedPolicySize"] = packed
        return result

    def _check_web_trust(self, role, provider: dict, token: Token, audience: str, session_name: str) -> None:
        from overcast.auth.policy import AuthzRequest, PolicyDocumentError, PolicySet, Principal, evaluate, parse_policy

        account = role.arn.split(":")[4]
        key = provider_key(provider["url"])
        context = {
            f"{key}:aud": audience,
            f"{key}:sub": str(token.claims.get("sub", "")),
            "sts:RoleSessionName": session_name,
            "aws:FederatedProvider": provider["arn"],
        }
        amr = token.claims.get("amr")
        if amr is not None:
            context[f"{key}:amr"] = [str(v) for v in amr] if isinstance(amr, list) else str(amr)
        principal = Principal(arn=provider["arn"], account=account, kind="web-identity", service=key)
        try:
            trust = parse_policy(role.trust_policy, "trust", f"trust policy of {role.arn}")
        except PolicyDocumentError as exc:
            raise MalformedPolicyDocument(message=exc.message) from None
        request = AuthzRequest(principal, "sts:AssumeRoleWithWebIdentity", role.arn, context, account)
        # A federated principal has no identity policies: the trust policy alone decides.
        if not evaluate(request, PolicySet(identity=[], resource=trust)).allowed:
            raise AccessDenied(message=_NOT_AUTHORIZED)
