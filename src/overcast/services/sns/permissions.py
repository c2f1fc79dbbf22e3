"""AddPermission and RemovePermission: statements added to and removed from the topic's Policy.

AddPermission writes one statement whose Sid is the Label, allowing the named accounts
(as ``arn:aws:iam::<account>:root`` principals) the named actions (``SNS:<Action>``) on the topic.
"""

from __future__ import annotations

import json
import re

from overcast.context import RequestContext
from overcast.services.sns.arns import invalid_parameter
from overcast.services.sns.store import TopicRecord
from overcast.services.sns.topic_attributes import default_policy

# The actions a topic policy can grant (Amazon SNS API permissions reference).
TOPIC_ACTIONS = frozenset({"AddPermission", "DeleteTopic", "GetDataProtectionPolicy", "GetTopicAttributes",
                           "ListSubscriptionsByTopic", "ListTagsForResource", "Publish", "PutDataProtectionPolicy",
                           "RemovePermission", "SetTopicAttributes", "Subscribe", "TagResource", "UntagResource"})
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_ACCOUNT = re.compile(r"^\d{12}$")


def _policy_of(topic: TopicRecord) -> dict:
    try:
        document = json.loads(topic.attributes.get("Policy") or "")
    except ValueError:
        document = None
    if not isinstance(document, dict):
        document = json.loads(default_policy(topic.arn, topic.account))
    statements = document.get("Statement")
    if isinstance(statements, dict):
        document["Statement"] = [statements]
    elif not isinstance(statements, list):
        document["Statement"] = []
    return document


class PermissionOperations:
    def _save_policy(self, topic: TopicRecord, document: dict) -> None:
        attributes = dict(topic.attributes)
        attributes["Policy"] = json.dumps(document, separators=(",", ":"))
        self.store.put_topic(TopicRecord(topic.arn, topic.account, topic.region, topic.name, topic.created,
                                         attributes, topic.tags, topic.data_protection_policy))

    def add_permission(self, ctx: RequestContext, params: dict) -> dict:
        label = params.get("Label")
        accounts = params.get("AWSAccountId") or []
        actions = params.get("ActionName") or []
        for name, value in (("Label", label), ("AWSAccountId", accounts or None), ("ActionName", actions or None)):
            if value is None:
                raise invalid_parameter(f"{name} Reason: no value for required parameter")
        if not _LABEL.match(label):
            raise invalid_parameter("Label")
        for account in accounts:
            if not _ACCOUNT.match(str(account)):
                raise invalid_parameter("AWSAccountId")
        for action in actions:
            if action not in TOPIC_ACTIONS and action != "*":
                raise invalid_parameter("Policy statement action out of service scope!")
        topic = self.topic_for(ctx, params.get("TopicArn"))
        document = _policy_of(topic)
        if any(isinstance(s, dict) and s.get("Sid") == label for s in document["Statement"]):
            raise invalid_parameter("Statement already exists")
        principals = [f"arn:aws:iam::{account}:root" for account in accounts]
        shown_actions = [f"SNS:{action}" for action in actions]
        document["Statement"].append({
            "Sid": label, "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": shown_actions[0] if len(shown_actions) == 1 else shown_actions,
            "Resource": topic.arn})
        self._save_policy(topic, document)
        return {}

    def remove_permission(self, ctx: RequestContext, params: dict) -> dict:
        label = params.get("Label")
        if label is None:
            raise invalid_parameter("Label Reason: no value for required parameter")
        topic = self.topic_for(ctx, params.get("TopicArn"))
        document = _policy_of(topic)
        kept = [s for s in document["Statement"] if not (isinstance(s, dict) and s.get("Sid") == label)]
        if len(kept) != len(document["Statement"]):
            document["Statement"] = kept
            self._save_policy(topic, document)
        return {}
