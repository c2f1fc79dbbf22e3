"""CreateTags, DeleteTags, DescribeTags and the tag rows other operations read."""

from __future__ import annotations

from overcast.context import RequestContext
from overcast.services.ec2.errors import Ec2Error, dry_run, instances_not_found, invalid_id, invalid_value
from overcast.services.ec2.errors import missing_parameter
from overcast.services.ec2.filters import check_max_results, compile_filters, page
from overcast.services.ec2.ids import INSTANCE_ID, RESOURCE_TYPES, id_prefix

# EC2 tag limits: 50 user tags per resource, keys 1-128 and values 0-256 characters,
# and keys starting with "aws:" are reserved.
MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256


def validate_tags(tags: list[dict]) -> list[tuple[str, str]]:
    """(key, value) pairs of ``Tag.N`` input, checked as EC2 checks them."""
    out = []
    for tag in tags:
        key = tag.get("Key")
        value = tag.get("Value") or ""
        if key is None or key == "":
            raise invalid_value("Tag key cannot be null or empty")
        if len(key) > MAX_KEY:
            raise invalid_value(f"Tag key exceeds the maximum length of {MAX_KEY} characters")
        if len(value) > MAX_VALUE:
            raise invalid_value(f"Tag value exceeds the maximum length of {MAX_VALUE} characters")
        if key.lower().startswith("aws:"):
            raise invalid_value(
                f"Value ( {key} ) for parameter key is invalid. "
                f"Tag keys starting with 'aws:' are reserved for internal use"
            )
        out.append((key, value))
    return out


def tag_limit_exceeded() -> Ec2Error:
    return Ec2Error("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")


class TagStore:
    """The ``tags`` table (every taggable resource's tags, by resource id)."""

    def __init__(self, provider):
        self.provider = provider

    @property
    def db(self):
        return self.provider.db

    def put(self, account: str, region: str, resource_id: str, pairs: list[tuple[str, str]]) -> None:
        """Add or overwrite tags (inside the caller's transaction when there is one)."""
        current = self.of(resource_id)
        if len(set(current) | {key for key, _ in pairs}) > MAX_TAGS:
            raise tag_limit_exceeded()
        resource_type = RESOURCE_TYPES.get(id_prefix(resource_id) or "", "instance")
        self.db.executemany(
            "INSERT INTO tags (resource_id, key, account, region, resource_type, value) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (resource_id, key) DO UPDATE SET value = excluded.value",
            [(resource_id, key, account, region, resource_type, value) for key, value in pairs],
        )

    def of(self, resource_id: str) -> dict[str, str]:
        rows = self.db.query("SELECT key, value FROM tags WHERE resource_id = ? ORDER BY key", (resource_id,))
        return dict(rows)

    def of_many(self, resource_ids: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {resource_id: {} for resource_id in resource_ids}
        for start in range(0, len(resource_ids), 500):
            chunk = resource_ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for resource_id, key, value in self.db.query(
                f"SELECT resource_id, key, value FROM tags WHERE resource_id IN ({marks}) ORDER BY key", chunk
            ):
                out[resource_id][key] = value
        return out

    def scope(self, account: str, region: str) -> list[tuple[str, str, str, str]]:
        """(resource_type, resource_id, key, value) of every tag in an account's region."""
        return self.db.query(
            "SELECT resource_type, resource_id, key, value FROM tags WHERE account = ? AND region = ? "
            "ORDER BY resource_type, resource_id, key",
            (account, region),
        )


class TagOperations:
    """CreateTags, DeleteTags, DescribeTags."""

    def _taggable(self, ctx: RequestContext, resources: list[str]) -> None:
        """Every id names an existing resource of this account and region (instances here)."""
        if not resources:
            raise missing_parameter("ResourceId")
        for resource_id in resources:
            if not INSTANCE_ID.match(resource_id):
                raise invalid_id(resource_id)
        found = self.instances.by_ids(ctx.account, ctx.region, list(dict.fromkeys(resources)))
        missing = [resource_id for resource_id in dict.fromkeys(resources) if resource_id not in found]
        if missing:
            raise instances_not_found(missing)

    def create_tags(self, ctx: RequestContext, params: dict) -> dict:
        resources = params.get("Resources") or []
        if not params.get("Tags"):
            raise missing_parameter("Tag")
        pairs = validate_tags(params["Tags"])
        self._taggable(ctx, resources)
        for resource_id in dict.fromkeys(resources):
            current = self.tags.of(resource_id)
            if len(set(current) | {key for key, _ in pairs}) > MAX_TAGS:
                raise tag_limit_exceeded()
        if params.get("DryRun"):
            raise dry_run()
        with self.db.transaction():
            for resource_id in dict.fromkeys(resources):
                self.tags.put(ctx.account, ctx.region, resource_id, pairs)
        return {}

    def delete_tags(self, ctx: RequestContext, params: dict) -> dict:
        resources = params.get("Resources") or []
        tags = params.get("Tags")
        self._taggable(ctx, resources)
        for tag in tags or ():
            if not tag.get("Key"):
                raise invalid_value("Tag key cannot be null or empty")
        if params.get("DryRun"):
            raise dry_run()
        with self.db.transaction():
            for resource_id in dict.fromkeys(resources):
                if not tags:  # no Tag.N: every tag of the resource goes
                    self.db.execute("DELETE FROM tags WHERE resource_id = ?", (resource_id,))
                    continue
                for tag in tags:
                    if "Value" in tag and tag["Value"] is not None:
                        # A value given (even empty) deletes the tag only when it holds that value.
                        self.db.execute("DELETE FROM tags WHERE resource_id = ? AND key = ? AND value = ?",
                                        (resource_id, tag["Key"], tag["Value"]))
                    else:
                        self.db.execute("DELETE FROM tags WHERE resource_id = ? AND key = ?",
                                        (resource_id, tag["Key"]))
        return {}

    def describe_tags(self, ctx: RequestContext, params: dict) -> dict:
        check_max_results(params.get("MaxResults"))
        matches = compile_filters(
            params.get("Filters"),
            {
                "key": lambda t: [t["Key"]],
                "value": lambda t: [t["Value"]],
                "resource-id": lambda t: [t["ResourceId"]],
                "resource-type": lambda t: [t["ResourceType"]],
            },
            # tag:<key>: the tags under that key whose value matches
            {"tag:": lambda key: (lambda t: [t["Value"]] if t["Key"] == key else [])},
        )
        if params.get("DryRun"):
            raise dry_run()
        visible = {row.instance_id for row in self.instances.scope(ctx.account, ctx.region)}
        items = [
            {"ResourceType": resource_type, "ResourceId": resource_id, "Key": key, "Value": value}
            for resource_type, resource_id, key, value in self.tags.scope(ctx.account, ctx.region)
            if resource_type != "instance" or resource_id in visible
        ]
        items = [item for item in items if matches(item)]
        selected, token = page(items, params.get("MaxResults"), params.get("NextToken"), "tags")
        result = {"Tags": selected}
        if token:
            result["NextToken"] = token
        return result
