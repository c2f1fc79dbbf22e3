"""AWS IAM: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``users.py`` | CreateUser, GetUser, UpdateUser, DeleteUser, ListUsers |
| ``groups.py`` | Create/Get/Update/Delete/ListGroup(s), Add/RemoveUser(To/From)Group, ListGroupsForUser |
| ``roles.py`` | Create/Get/Update/Delete/ListRole(s), UpdateRoleDescription, UpdateAssumeRolePolicy |
| ``service_linked.py`` | Create/DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus |
| ``instance_profiles.py`` | instance profiles and their role |
| ``policies.py`` | managed policies and versions (``aws_managed.py``: AWS's own) |
| ``inline_policies.py`` | Put/Get/Delete/List User/Group/RolePolicy |
| ``attachments.py`` | Attach/Detach/ListAttached*, ListEntitiesForPolicy, permissions boundaries |
| ``access_keys.py`` | access keys (registered in ``cloud.credentials``) |
| ``service_credentials.py`` | Create/List/Update/Reset/DeleteServiceSpecificCredential |
| ``password_policy.py`` | Get/Update/DeleteAccountPasswordPolicy (checked by the login profile operations) |
| ``login_profiles.py`` | Create/Get/Update/DeleteLoginProfile, Create/Delete/ListAccountAliases |
| ``tags.py`` | Tag/Untag/List*Tags |
| ``oidc.py`` | OpenID Connect providers |
| ``authorization_details.py`` | GetAccountAuthorizationDetails, GetAccountSummary |
| ``simulation.py`` | SimulatePrincipalPolicy, SimulateCustomPolicy |
| ``context_keys.py`` | GetContextKeysForCustomPolicy, GetContextKeysForPrincipalPolicy |

Every operation's input is first checked against the model's constraints (``validation.py``).
In-process, for STS, strict mode and IMDS: ``role_record``, ``role_by_arn``, ``principal_policies``,
``instance_profile_roles``, ``oidc_provider``; for services receiving service-specific credentials
(CodeCommit's Git over HTTPS): ``authenticate_service_credential``.
"""

from __future__ import annotations

import functools

from overcast.services.base import Provider as BaseProvider
from overcast.services.iam.access_keys import AccessKeyOperations
from overcast.services.iam.attachments import ATTACH_OPERATIONS, AttachmentOperations, check_arn_syntax
from overcast.services.iam.authority import IamAuthority
from overcast.services.iam.authorization_details import AuthorizationDetailsOperations
from overcast.services.iam.context_keys import ContextKeyOperations
from overcast.services.iam.deleted_principals import DeletedPrincipals
from overcast.services.iam.entities import EntityLookups
from overcast.services.iam.groups import GroupOperations
from overcast.services.iam.inline_policies import InlinePolicyOperations
from overcast.services.iam.instance_profiles import InstanceProfileOperations
from overcast.services.iam.login_profiles import LoginProfileOperations
from overcast.services.iam.oidc import OidcOperations
from overcast.services.iam.password_policy import PasswordPolicyOperations
from overcast.services.iam.policies import PolicyOperations
from overcast.services.iam.principal_policies import PrincipalPolicyLookups
from overcast.services.iam.roles import RoleOperations
from overcast.services.iam.schema import MIGRATIONS
from overcast.services.iam.service_credentials import SELF_CHECKED_MEMBERS, ServiceCredentialOperations
from overcast.services.iam.service_linked import ServiceLinkedRoleOperations
from overcast.services.iam.simulation import SimulationOperations
from overcast.services.iam.tags import TagOperations
from overcast.services.iam.users import UserOperations
from overcast.services.iam.validation import check_input, service_model
from overcast.services.registry import snake_case


_READ_PREFIXES = ("Get", "List", "Simulate")


def _validated(provider, operation: str, method):
    reads_only = operation.startswith(_READ_PREFIXES)
    skip = SELF_CHECKED_MEMBERS.get(operation, ())

    @functools.wraps(method)
    def run(ctx, params):
        check_input(operation, params, skip)
        if reads_only:
            return method(ctx, params)
        try:
            return method(ctx, params)
        finally:
            provider.state_changed()  # cached principal policies may be stale now

    return run


class Provider(UserOperations, GroupOperations, RoleOperations, ServiceLinkedRoleOperations,
               InstanceProfileOperations, PolicyOperations, InlinePolicyOperations, AttachmentOperations,
               AccessKeyOperations, ServiceCredentialOperations, LoginProfileOperations, PasswordPolicyOperations,
               TagOperations, OidcOperations, AuthorizationDetailsOperations, SimulationOperations,
               ContextKeyOperations, PrincipalPolicyLookups, DeletedPrincipals, EntityLookups, IamAuthority,
               BaseProvider):
    service_name = "iam"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        # Each implemented operation checks its input against the model before it runs.
        for operation in service_model().operation_names:
            name = snake_case(operation)
            method = getattr(self, name, None)
            if method is not None:
                setattr(self, name, _validated(self, operation, method))

    def validate_request(self, ctx, params: dict) -> None:
        # IAM checks a request's parameters before it authorizes the caller (strict mode runs this
        # ahead of the authorizer; the operation checks them again in open mode).
        check_input(ctx.operation, params, SELF_CHECKED_MEMBERS.get(ctx.operation, ()))
        if ctx.operation in ATTACH_OPERATIONS:
            check_arn_syntax(params["PolicyArn"])

    async def start(self) -> None:
        self.register_all_keys()

    def reset(self) -> None:
        self.state_changed()
        self.cloud.credentials.clear()
