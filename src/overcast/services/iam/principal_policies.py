"""The policies that apply to a caller, for strict-mode authorization and the policy simulator.

``iam.principal_policies(credential) -> PrincipalPolicies(identity, boundary, tags)``:
- an IAM user: the user's inline and attached policies and those of each of its groups;
- an assumed-role session: the role's inline and attached policies, the role's boundary, the
  role's tags overridden by the session tags;
- the root user (or anything else): no identity policies.
Managed policies count with their default version.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

log = logging.getLogger("overcast.iam")


@dataclass
class PrincipalPolicies:
    identity: list = field(default_factory=list)
    boundary: object | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # A role session whose role is deleted, or re-created under the same name (another
    # unique id): it keeps no permission from the role, nor from policies naming the role.
    role_gone: bool = False


@functools.lru_cache(maxsize=4096)
def parsed(text: str, kind: str, source: str):
    """Stored documents were validated when written; parse each text once."""
    from overcast.auth.policy import parse_policy

    return parse_policy(text, kind, source)


_CACHE_LIMIT = 10_000


class PrincipalPolicyLookups:
    """``principal_policies`` runs on every strict-mode request: its answers are cached until
    the next IAM operation that may change something (``state_changed``)."""

    _policy_cache: dict | None = None

    def state_changed(self) -> None:
        self._policy_cache = None

    def entity_policy_texts(self, account: str, kind: str, key: str) -> list[tuple[str, str, str]]:
        """[(source type, source id, document)] of an entity's own inline and attached policies.

        Source types are the simulator's: user, group, role (inline), user-managed, aws-managed.
        """
        out = [(kind, name, doc) for name, doc in self.inline_documents(account, kind, key)]
        for arn in self.attached_arns(account, kind, key):
            policy = self.find_policy(account, arn)
            if policy is None:
                continue
            document = self.policy_document(account, policy)
            if document is not None:
                out.append(("aws-managed" if policy["aws"] else "user-managed", arn, document))
        return out

    def user_policy_texts(self, user) -> list[tuple[str, str, str]]:
        texts = self.entity_policy_texts(user.account, "user", user.key)
        for group in self.groups_of_user(user.account, user.key):
            texts += self.entity_policy_texts(user.account, "group", group.key)
        return texts

    def boundary_text(self, account: str, arn: str | None) -> str | None:
        if not arn:
            return None
        policy = self.find_policy(account, arn)
        return None if policy is None else self.policy_document(account, policy)

    def principal_policies(self, credential) -> PrincipalPolicies:
        if credential is None or credential.is_root:
            return PrincipalPolicies()
        cache = self._policy_cache
        if cache is None or len(cache) >= _CACHE_LIMIT:
            cache = self._policy_cache = {}
        found = cache.get(credential)
        if found is None:
            found = cache[credential] = self._principal_policies(credential)
        return PrincipalPolicies(list(found.identity), found.boundary, dict(found.tags), found.role_gone)

    def _principal_policies(self, credential) -> PrincipalPolicies:
        if credential.role_arn:
            role = self.role_by_arn(credential.role_arn)
            if role is None or not _same_role(role, credential):
                return PrincipalPolicies(role_gone=True)
            texts = self.entity_policy_texts(role.account, "role", role.key)
            boundary = self.boundary_text(role.account, role.boundary_arn)
            tags = {**role.tags, **dict(credential.session_tags)}
        elif credential.user_name:
            user = self.find_user(credential.account, credential.user_name)
            if user is None:
                return PrincipalPolicies()
            texts = self.user_policy_texts(user)
            boundary = self.boundary_text(user.account, user.boundary_arn)
            tags = dict(user.tags)
        else:
            return PrincipalPolicies()
        return PrincipalPolicies(
            identity=[p for p in (_readable(doc, "identity", source) for _, source, doc in texts) if p is not None],
            boundary=_readable(boundary, "boundary", "boundary") if boundary else None,
            tags=tags,
        )


def _same_role(role, credential) -> bool:
    """Whether a session was issued for this role and not an earlier one of the same name: a
    session's user id is ``<role's unique id>:<session name>`` (``AROA...``), as on AWS,
    where sessions are bound to the role's unique id."""
    return credential.user_id.partition(":")[0] == role.role_id


def _readable(text: str, kind: str, source: str):
    """The parsed policy; a stored document the engine no longer reads grants nothing (logged)."""
    from overcast.auth.policy import PolicyDocumentError

    try:
        return parsed(text, kind, source)
    except PolicyDocumentError as error:
        log.warning("stored policy %s is unreadable: %s", source, error.message)
        return None
