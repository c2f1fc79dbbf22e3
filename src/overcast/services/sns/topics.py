"""Topic operations: CreateTopic, DeleteTopic, Get/SetTopicAttributes, ListTopics, and the
data protection policy (Get/PutDataProtectionPolicy), which SNS stores with the topic."""

from __future__ import annotations

import json
import re

from overcast.context import RequestContext
from overcast.services.sns import topic_attributes as attrs
from overcast.services.sns.archive import ARCHIVE_START, retention_days
from overcast.services.sns.arns import invalid_parameter, parse_topic_arn, required, topic_not_found
from overcast.services.sns.paging import page
from overcast.services.sns.store import TopicRecord, topic_arn
from overcast.services.sns.topic_tags import checked_tag_list

_STANDARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
_FIFO_NAME_TEXT = ("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase "
                   "ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")


class TopicOperations:
    def topic_for(self, ctx: RequestContext, arn, name: str = "TopicArn") -> TopicRecord:
        """The topic a parameter names (InvalidParameter for a malformed ARN or another
        region's, NotFound for none)."""
        if arn is None:
            raise invalid_parameter(f"{name} Reason: no value for required parameter")
        region, _, _ = parse_topic_arn(arn, name)
        if region != ctx.region:
            raise invalid_parameter(name)
        topic = self.store.topic(arn)
        if topic is None:
            raise topic_not_found()
        return topic

    def create_topic(self, ctx: RequestContext, params: dict) -> dict:
        name = required(params, "Name")
        given = params.get("Attributes") or {}
        fifo = str(given.get("FifoTopic", "false")).lower() == "true"
        if fifo and not _FIFO_NAME.match(name):
            raise invalid_parameter(_FIFO_NAME_TEXT)
        if not fifo and not _STANDARD_NAME.match(name):
            raise invalid_parameter("Topic Name")
        arn = topic_arn(ctx.region, ctx.account, name)
        attributes = attrs.checked_creation_attributes(given, arn, fifo)
        tags = checked_tag_list(params.get("Tags"))
        dpp = params.get("DataProtectionPolicy")
        existing = self.store.topic(arn)
        if existing is not None:
            if any(existing.attributes.get(k) != v for k, v in attributes.items()):
                raise invalid_parameter("Attributes Reason: Topic already exists with different attributes")
            if tags and any(existing.tags.get(k) != v for k, v in tags.items()):
                raise invalid_parameter("Tags Reason: Topic already exists with different tags")
            return {"TopicArn": arn}
        if fifo:
            attributes["FifoTopic"] = "true"
            attributes.setdefault("ContentBasedDeduplication", "false")
        if retention_days(attributes.get("ArchivePolicy")) is not None:
            attributes[ARCHIVE_START] = str(self.clock.now())
        attributes.setdefault("Policy", attrs.default_policy(arn, ctx.account))
        attributes.setdefault("DisplayName", "")
        self.store.put_topic(TopicRecord(arn, ctx.account, ctx.region, name, self.clock.now(), attributes, tags,
                                         dpp or None))
        return {"TopicArn": arn}

    def delete_topic(self, ctx: RequestContext, params: dict) -> dict:
        arn = params.get("TopicArn")
        if arn is None:
            raise invalid_parameter("TopicArn Reason: no value for required parameter")
        region, _, _ = parse_topic_arn(arn)
        if region != ctx.region:
            raise invalid_parameter("TopicArn")
        topic = self.store.topic(arn)
        if topic is not None:  # deleting a topic that does not exist succeeds, as on AWS
            self.store.delete_topic(topic)
            self.discard_archive(topic.arn)
        return {}

    def get_topic_attributes(self, ctx: RequestContext, params: dict) -> dict:
        topic = self.topic_for(ctx, params.get("TopicArn"))
        subs = self.store.subscriptions_of(topic.arn)
        confirmed = sum(1 for s in subs if s.confirmed)
        out = {k: v for k, v in topic.attributes.items() if not k.startswith("_")}
        out.pop("DataProtectionPolicy", None)
        beginning = self.beginning_archive_time(topic)
        if beginning is not None:
            out["BeginningArchiveTime"] = beginning
        out.update({
            "Owner": topic.account, "TopicArn": topic.arn,
            "SubscriptionsConfirmed": str(confirmed), "SubscriptionsPending": str(len(subs) - confirmed),
            "SubscriptionsDeleted": str(self.store.deleted_subscriptions(topic.arn)),
            "EffectiveDeliveryPolicy": topic.attributes.get("DeliveryPolicy")
            or attrs.DEFAULT_EFFECTIVE_DELIVERY_POLICY,
        })
        return {"Attributes": out}

    def set_topic_attributes(self, ctx: RequestContext, params: dict) -> dict:
        name = params.get("AttributeName")
        if name is None:
            raise invalid_parameter("AttributeName Reason: no value for required parameter")
        topic = self.topic_for(ctx, params.get("TopicArn"))
        if name == "FifoTopic":
            raise invalid_parameter("AttributeName")
        value = attrs.checked_value(name, params.get("AttributeValue"), topic.arn, topic.is_fifo)
        attributes = dict(topic.attributes)
        if name == "Policy" and value == "":
            attributes["Policy"] = attrs.default_policy(topic.arn, topic.account)
        elif value == "" and name not in ("DisplayName",):
            attributes.pop(name, None)
        else:
            attributes[name] = value
        if name == "ArchivePolicy":  # archiving starts now, or stops and its archive goes
            if retention_days(attributes.get("ArchivePolicy")) is None:
                attributes.pop(ARCHIVE_START, None)
                self.discard_archive(topic.arn)
            else:
                attributes.setdefault(ARCHIVE_START, str(self.clock.now()))
        self.store.put_topic(TopicRecord(topic.arn, topic.account, topic.region, topic.name, topic.created,
                                         attributes, topic.tags, topic.data_protection_policy))
        return {}

    def list_topics(self, ctx: RequestContext, params: dict) -> dict:
        topics, token = page(self.store.topics(ctx.account, ctx.region), lambda t: t.arn, params.get("NextToken"))
        out: dict = {"Topics": [{"TopicArn": t.arn} for t in topics]}
        if token:
            out["NextToken"] = token
        return out

    # -- data protection policy ------------------------------------------------------------

    def put_data_protection_policy(self, ctx: RequestContext, params: dict) -> dict:
        policy = params.get("DataProtectionPolicy")
        if policy is None:
            raise invalid_parameter("DataProtectionPolicy Reason: no value for required parameter")
        topic = self.topic_for(ctx, params.get("ResourceArn"), "ResourceArn")
        if policy:
            try:
                document = json.loads(policy)
            except ValueError:
                document = None
            if not isinstance(document, dict):
                raise invalid_parameter("DataProtectionPolicy Reason: Failed to parse data protection policy")
        self.store.put_topic(TopicRecord(topic.arn, topic.account, topic.region, topic.name, topic.created,
                                         topic.attributes, topic.tags, policy or None))
        return {}

    def get_data_protection_policy(self, ctx: RequestContext, params: dict) -> dict:
        topic = self.topic_for(ctx, params.get("ResourceArn"), "ResourceArn")
        return {"DataProtectionPolicy": topic.data_protection_policy or ""}
