"""Tags of EventBridge resources (buses and rules here; the other concerns' taggable resources
reuse ``write_tags``/``tags_of``/``drop_tags``): TagResource, UntagResource,
ListTagsForResource. Tags are stored by ARN (``tags``); a resource has at most 50, and keys
beginning ``aws:`` are AWS's own."""

from __future__ import annotations

from overcast.services.events.arns import split_arn
from overcast.services.events.errors import (ResourceNotFoundException, ValidationException, bus_not_found,
                                             managed_unchangeable, rule_not_found)
from overcast.services.events.validation import check_input

MAX_TAGS = 50  # "Maximum number of tags per resource: 50" (EventBridge quotas)


def tag_pairs(tags) -> list[tuple[str, str]]:
    """The (key, value) pairs of a ``Tags`` list (``[{Key, Value}]``)."""
    return [(t["Key"], t.get("Value", "")) for t in tags or () if isinstance(t, dict) and "Key" in t]


def check_tags(tags) -> None:
    for key, _ in tag_pairs(tags):
        if key.lower().startswith("aws:"):
            raise ValidationException("Invalid tag key: tag keys beginning with 'aws:' are reserved for AWS use.")


class TagOperations:
    # ------------------------------------------------------------------ shared helpers
    def tags_of(self, arn: str) -> dict[str, str]:
        return dict(self.db.query("SELECT key, value FROM tags WHERE arn = ? ORDER BY key", (arn,)))

    def write_tags(self, arn: str, tags) -> None:
        """Add or overwrite ``tags`` (a ``Tags`` list) on ``arn``, within the 50-tag limit."""
        pairs = tag_pairs(tags)
        check_tags(tags)
        if len(set(self.tags_of(arn)) | {k for k, _ in pairs}) > MAX_TAGS:
            raise ValidationException(f"The resource {arn} can have at most {MAX_TAGS} tags.")
        self.db.executemany("INSERT INTO tags (arn, key, value) VALUES (?, ?, ?) "
                            "ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value",
                            [(arn, k, v) for k, v in pairs])

    def drop_tags(self, arn: str) -> None:
        self.db.execute("DELETE FROM tags WHERE arn = ?", (arn,))

    def taggable_exists(self, arn: str) -> bool:
        """Whether ``arn`` names an existing bus or rule (a concern owning another taggable
        resource overrides this and calls ``super()``)."""
        found = split_arn(arn)
        if found is None:
            return False
        scope, resource = found
        if resource.startswith("event-bus/"):
            return self.bus_row(scope, arn) is not None
        if resource.startswith("rule/"):
            bus, _, rule = resource[len("rule/"):].rpartition("/")
            return self.rule_row(scope, bus or "default", rule) is not None
        return False

    def _require_taggable(self, ctx, arn: str, *, changing: bool = False) -> None:
        """ResourceNotFoundException for an ARN naming no bus or rule; ManagedRuleException
        when ``changing`` the tags of a managed rule."""
        if self.taggable_exists(arn):
            if changing:
                self._refuse_managed(arn)
            return
        found = split_arn(arn)
        resource = found[1] if found else ""
        if resource.startswith("rule/"):
            bus, _, rule = resource[len("rule/"):].rpartition("/")
            raise rule_not_found(rule, bus or "default")
        if resource.startswith("event-bus/"):
            raise bus_not_found(resource[len("event-bus/"):])
        raise ResourceNotFoundException(f"Resource {arn} does not exist.")

    def _refuse_managed(self, arn: str) -> None:
        scope, resource = split_arn(arn)
        if resource.startswith("rule/"):
            bus, _, rule = resource[len("rule/"):].rpartition("/")
            found = self.rule_row(scope, bus or "default", rule)
            if found is not None and found.managed_by:
                raise managed_unchangeable(found.name)

    # ------------------------------------------------------------------ operations
    def tag_resource(self, ctx, params: dict) -> dict:
        check_input("TagResource", params)
        self._require_taggable(ctx, params["ResourceARN"], changing=True)
        with self.db.transaction():
            self.write_tags(params["ResourceARN"], params["Tags"])
        return {}

    def untag_resource(self, ctx, params: dict) -> dict:
        check_input("UntagResource", params)
        self._require_taggable(ctx, params["ResourceARN"], changing=True)
        self.db.executemany("DELETE FROM tags WHERE arn = ? AND key = ?",
                            [(params["ResourceARN"], k) for k in params["TagKeys"]])
        return {}

    def list_tags_for_resource(self, ctx, params: dict) -> dict:
        check_input("ListTagsForResource", params)
        self._require_taggable(ctx, params["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in self.tags_of(params["ResourceARN"]).items()]}

