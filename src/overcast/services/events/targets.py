"""EventBridge: PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget (the targets helper)."""

from __future__ import annotations


class TargetOperations:
    pass
