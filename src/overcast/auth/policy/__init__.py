"""The IAM policy engine: parse and validate policy documents, match actions, resources,
principals and conditions, and decide a request the way AWS's policy evaluation logic does.
Pure Python, no server state."""

from overcast.auth.policy.document import Condition, Policy, Statement, parse_policy, policy_size
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate, request_context
from overcast.auth.policy.model import (
    AuthzRequest,
    Decision,
    MatchedStatement,
    Principal,
    PolicySet,
)

__all__ = [
    "AuthzRequest", "Condition", "Decision", "MatchedStatement", "Policy", "PolicyDocumentError",
    "PolicySet", "Principal", "Statement", "evaluate", "parse_policy", "policy_size",
    "request_context",
]
