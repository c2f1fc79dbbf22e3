"""What the four id-keyed S3 configuration families share: metrics, analytics, inventory and
S3 Intelligent-Tiering configurations.

A bucket holds up to 1,000 configurations of each family, each named by an Id given twice
(the ``id`` query parameter and the document's ``Id``). Each is one ``bucket_configs`` row
whose kind is ``<family>/<id>`` (so no schema change: a bucket's deletion already removes
them, and listing is an indexed range scan in Id order). List operations answer 100 per
page with an opaque continuation token, as S3 documents.
"""

from __future__ import annotations

import json
import re

from overcast.errors import AwsError

from .bucket_config import _jsonable, malformed_xml
from .listing import decode_token, encode_token

# S3: "You can have up to 1,000 <family> configurations per bucket" (each Put operation's
# documentation) and "does not return more than 100 configurations at a time" (each List's)
MAX_CONFIGURATIONS = 1000
PAGE_SIZE = 100
# "The ID has a 64 character limit and can only contain letters, numbers, periods, dashes,
# and underscores." (MetricsConfiguration.Id; S3 holds the other families to the same rule)
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def invalid_argument(message: str, name: str | None = None, value=None) -> AwsError:
    fields = {}
    if name is not None:
        fields["ArgumentName"] = name
        if value is not None:
            fields["ArgumentValue"] = str(value)
    return AwsError("InvalidArgument", message, 400, fields=fields or None)


def check_document_id(query_id, document: dict) -> str:
    """The configuration's Id: the document's ``Id`` must be present and equal the query's
    ``id`` (S3's IdMismatch), and follow S3's Id rules."""
    document_id = document.get("Id")
    if document_id is None:
        raise malformed_xml()
    if document_id != query_id:
        raise AwsError("IdMismatch", "Document ID does not match the specified configuration ID.", 400)
    if not _ID.match(document_id):
        raise AwsError("InvalidConfigurationId", "The specified configuration id is invalid.", 400)
    return document_id


def check_tags(tags) -> None:
    """Tag filters: each Tag needs a Key and a Value, keys unique within the filter."""
    seen = set()
    for tag in tags or ():
        if not isinstance(tag, dict) or tag.get("Key") is None or tag.get("Value") is None:
            raise malformed_xml()
        if tag["Key"] in seen:
            raise invalid_argument("Duplicate Tag Keys are not allowed.")
        seen.add(tag["Key"])


def check_filter(given, extra: tuple[str, ...] = ()) -> None:
    """A filter holds exactly one of Prefix, Tag, ``extra`` (AccessPointArn for metrics) or
    And; an And holds at least one condition."""
    if given is None:
        return
    present = [name for name, value in given.items() if value is not None]
    allowed = ("Prefix", "Tag", "And") + extra
    if len(present) != 1 or present[0] not in allowed:
        raise malformed_xml()
    if "Tag" in present:
        check_tags([given["Tag"]])
    if "And" in present:
        conjunction = given["And"] or {}
        conditions = [name for name in ("Prefix",) + extra if conjunction.get(name) is not None]
        tags = conjunction.get("Tags") or []
        check_tags(tags)
        if not conditions and not tags:
            raise malformed_xml()


class IdConfigs:
    """A bucket's configurations of one family, as ``bucket_configs`` rows."""

    def __init__(self, db, family: str):
        self.db = db
        self.family = family
        self._prefix = family + "/"

    def get(self, bucket, config_id: str):
        row = self.db.query_one("SELECT value FROM bucket_configs WHERE partition = ? AND bucket = ? AND kind = ?",
                                (bucket.partition, bucket.name, self._prefix + config_id))
        return None if row is None else json.loads(row[0])

    def exists(self, bucket, config_id: str) -> bool:
        return self.get(bucket, config_id) is not None

    def count(self, bucket) -> int:
        row = self.db.query_one("SELECT COUNT(*) FROM bucket_configs WHERE partition = ? AND bucket = ? "
                                "AND kind >= ? AND kind < ?", (bucket.partition, bucket.name, *self._range()))
        return int(row[0])

    def put(self, bucket, config_id: str, value: dict) -> None:
        """Store (or replace) a configuration; TooManyConfigurations for a new one beyond 1,000."""
        if not self.exists(bucket, config_id) and self.count(bucket) >= MAX_CONFIGURATIONS:
            raise AwsError("TooManyConfigurations", "You are attempting to create a new configuration but have "
                           "already reached the 1,000-configuration limit.", 400)
        self.db.execute("INSERT OR REPLACE INTO bucket_configs (partition, bucket, kind, value) VALUES (?, ?, ?, ?)",
                        (bucket.partition, bucket.name, self._prefix + config_id, json.dumps(_jsonable(value))))

    def delete(self, bucket, config_id: str) -> bool:
        """Remove a configuration; whether there was one."""
        return self.db.execute("DELETE FROM bucket_configs WHERE partition = ? AND bucket = ? AND kind = ?",
                               (bucket.partition, bucket.name, self._prefix + config_id)) > 0

    def page(self, bucket, token: str | None) -> dict:
        """One page of List<Family>Configurations: up to 100 in Id order after the token's Id."""
        low, high = self._range()
        after = None
        if token is not None:
            after = decode_token(token)
        rows = self.db.query("SELECT kind, value FROM bucket_configs WHERE partition = ? AND bucket = ? "
                             "AND kind > ? AND kind < ? ORDER BY kind LIMIT ?",
                             (bucket.partition, bucket.name, self._prefix + after if after is not None else low,
                              high, PAGE_SIZE + 1))
        configurations = [json.loads(value) for _, value in rows]
        result = {"IsTruncated": len(configurations) > PAGE_SIZE, "List": configurations[:PAGE_SIZE]}
        if token is not None:
            result["ContinuationToken"] = token
        if result["IsTruncated"]:
            result["NextContinuationToken"] = encode_token(configurations[PAGE_SIZE - 1]["Id"])
        return result

    def every(self):
        """(partition, bucket, configuration) of every configuration of this family."""
        low, high = self._range()
        for partition, name, value in self.db.query("SELECT partition, bucket, value FROM bucket_configs "
                                                    "WHERE kind >= ? AND kind < ?", (low, high)):
            yield partition, name, json.loads(value)

    def _range(self) -> tuple[str, str]:
        # every kind starting with "<family>/" sorts between "<family>/" and "<family>0"
        return self._prefix, self.family + chr(ord("/") + 1)


class IdConfigMixin:
    """The Get/Delete/List operations the four families share; each family's Put validates
    its own document and calls ``_put_id_config``."""

    def id_configs(self, family: str) -> IdConfigs:
        return IdConfigs(self.db, family)

    def _put_id_config(self, ctx, params: dict, family: str, config_id: str, value: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        self.id_configs(family).put(bucket, config_id, value)
        return {}

    def _get_id_config(self, ctx, params: dict, family: str) -> dict:
        bucket = self.config_bucket(ctx, params)
        found = self.id_configs(family).get(bucket, _query_id(params))
        if found is None:
            raise no_such_configuration()
        return found

    def _delete_id_config(self, ctx, params: dict, family: str) -> dict:
        bucket = self.config_bucket(ctx, params)
        if not self.id_configs(family).delete(bucket, _query_id(params)):
            raise no_such_configuration()
        return {"__status__": 204}

    def _list_id_configs(self, ctx, params: dict, family: str, list_name: str) -> dict:
        bucket = self.config_bucket(ctx, params)
        page = self.id_configs(family).page(bucket, params.get("ContinuationToken"))
        page[list_name] = page.pop("List")
        return page


def _query_id(params: dict) -> str:
    """The ``id`` query parameter of a Get/Delete (a request that names the subresource without
    one reaches here rather than GetBucket/DeleteBucket, see rest_routing.choose_route)."""
    config_id = params.get("Id")
    if not config_id:
        raise AwsError("InvalidConfigurationId", "The specified configuration id is invalid.", 400)
    return config_id


def no_such_configuration() -> AwsError:
    return AwsError("NoSuchConfiguration", "The specified configuration does not exist.", 404)
