"""The engine's data: who asks (``Principal``), what is asked (``AuthzRequest``), which
policies apply (``PolicySet``) and the answer (``Decision``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from overcast.auth.policy.document import Policy

ContextValue = "str | list[str] | bool | int | float"


@dataclass
class Principal:
    """The caller. ``arn`` is what GetCallerIdentity answers (``...:root``, ``...:user/x``,
    ``arn:aws:sts::<acct>:assumed-role/<role>/<session>``); ``role_arn`` is the role behind an
    assumed-role session; ``service`` the service principal (``ec2.amazonaws.com``)."""

    arn: str
    account: str
    kind: str  # root | user | assumed-role | federated-user | web-identity | saml | service | anonymous
    user_id: str = ""
    role_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    username: str | None = None
    service: str | None = None


@dataclass
class AuthzRequest:
    """One action on one resource by one principal, with the request's context keys
    (names case-insensitive; values strings or lists of strings, bools/numbers tolerated)."""

    principal: Principal
    action: str
    resource: str
    context: dict = field(default_factory=dict)
    resource_account: str | None = None
    # Keys the request cannot know yet (its body is not read) count in the caller's favour: a
    # condition on an absent key holds in an Allow statement and fails in a Deny statement.
    absent_keys_favour_caller: bool = False


@dataclass
class PolicySet:
    """The policies that apply to one request. Empty ``session`` = no session policy passed."""

    identity: list["Policy"] = field(default_factory=list)
    resource: "Policy | None" = None
    boundary: "Policy | None" = None
    session: list["Policy"] = field(default_factory=list)


@dataclass
class MatchedStatement:
    """A statement that applied to the request (for reports and decoded messages)."""

    source: str
    sid: str | None
    effect: str
    policy_type: str  # identity | resource | boundary | session


@dataclass
class Decision:
    """The outcome: ``reason`` is allowed | explicit_deny | implicit_deny; ``denied_by`` names
    the policy type that decided a denial (None when allowed, or no policy allowed at all)."""

    allowed: bool
    reason: str
    matched: list[MatchedStatement] = field(default_factory=list)
    denied_by: str | None = None
