"""Topic tags: TagResource, UntagResource, ListTagsForResource, and CreateTopic's Tags.

Limits ("Amazon SNS tags"): 50 tags per topic; keys 1-128 characters, values 0-256.
"""

from __future__ import annotations

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.sns.arns import invalid_parameter, parse_topic_arn
from overcast.services.sns.store import TopicRecord

MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256


def checked_tag_list(tags) -> dict[str, str]:
    """A request's Tags list ([{Key, Value}]) as a map, each tag checked."""
    if not tags:
        return {}
    out: dict[str, str] = {}
    for tag in tags:
        key, value = tag.get("Key"), tag.get("Value")
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY:
            raise invalid_parameter("Tags Reason: Tag keys must be between 1 and 128 characters in length")
        if value is None:
            value = ""
        if len(value) > MAX_VALUE:
            raise invalid_parameter("Tags Reason: Tag values must be between 0 and 256 characters in length")
        if key in out:
            raise invalid_parameter("Duplicated keys are not allowed.")
        out[key] = value
    if len(out) > MAX_TAGS:
        raise _too_many()
    return out


def _too_many() -> AwsError:
    return AwsError("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")


class TagOperations:
    def _tagged_topic(self, ctx: RequestContext, arn) -> TopicRecord:
        if arn is None:
            raise invalid_parameter("ResourceArn Reason: no value for required parameter")
        try:
            parse_topic_arn(arn, "ResourceArn")
        except AwsError:
            raise AwsError("ResourceNotFound", "Resource does not exist") from None
        topic = self.store.topic(arn)
        if topic is None or topic.region != ctx.region:
            raise AwsError("ResourceNotFound", "Resource does not exist")
        return topic

    def _save_tags(self, topic: TopicRecord, tags: dict[str, str]) -> None:
        self.store.put_topic(TopicRecord(topic.arn, topic.account, topic.region, topic.name, topic.created,
                                         topic.attributes, tags, topic.data_protection_policy))

    def tag_resource(self, ctx: RequestContext, params: dict) -> dict:
        topic = self._tagged_topic(ctx, params.get("ResourceArn"))
        added = checked_tag_list(params.get("Tags") or [])
        merged = {**topic.tags, **added}
        if len(merged) > MAX_TAGS:
            raise _too_many()
        self._save_tags(topic, merged)
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict) -> dict:
        topic = self._tagged_topic(ctx, params.get("ResourceArn"))
        keys = set(params.get("TagKeys") or [])
        self._save_tags(topic, {k: v for k, v in topic.tags.items() if k not in keys})
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict) -> dict:
        topic = self._tagged_topic(ctx, params.get("ResourceArn"))
        return {"Tags": [{"Key": k, "Value": v} for k, v in topic.tags.items()]}
