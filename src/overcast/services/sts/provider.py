"""AWS Security Token Service: the provider is composed of one class per concern.

| module | operations |
|---|---|
| ``identity.py`` | GetCallerIdentity, GetAccessKeyInfo, GetSessionToken, GetFederationToken |
| ``roles.py`` | AssumeRole (and ``issue_role_session`` for the metadata endpoint) |
| ``web_identity.py`` | AssumeRoleWithWebIdentity |
| ``authorization_messages.py`` | DecodeAuthorizationMessage (the format: ``auth/authorization/messages.py``) |

Every session is kept in ``sts.db`` (``sessions.py``) and registered with the cloud's
credential store, so it signs requests until it expires, across restarts.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.sts.authorization_messages import AuthorizationMessageOperations
from overcast.services.sts.identity import IdentityOperations
from overcast.services.sts.roles import RoleOperations
from overcast.services.sts.schema import MIGRATIONS
from overcast.services.sts.sessions import SessionStore
from overcast.services.sts.validation import validate

# The operations whose parameters STS checks before it authorizes the caller (strict mode runs
# ``validate_request`` ahead of the authorizer): a malformed RoleArn is a ValidationError even
# to a caller who may not call sts:AssumeRole at all.
_VALIDATED_FIRST = ("AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")
from overcast.services.sts.web_identity import WebIdentityOperations


class Provider(
    IdentityOperations, RoleOperations, WebIdentityOperations, AuthorizationMessageOperations, BaseProvider
):
    service_name = "sts"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        self.sessions = SessionStore(self)

    def validate_request(self, ctx, params: dict) -> None:
        if ctx.operation in _VALIDATED_FIRST:
            validate(ctx.operation, params)

    async def start(self) -> None:
        self.sessions.restore()

    def reset(self) -> None:
        self.sessions.forget_all()
        self._jwks = None  # issuers' keys fetched for web identity tokens
