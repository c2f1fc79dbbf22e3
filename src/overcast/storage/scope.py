"""How services scope state by account and region, as AWS does.

The convention: every table holding resources carries the scope in its first columns and
its primary key, so two accounts (or two regions) never see each other's resources, and a
PostgreSQL backend can index and partition on them:

- Regional resources (SQS queues, Lambda functions, alarms...): ``account``, ``region``::

      CREATE TABLE queues (account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
                           ..., PRIMARY KEY (account, region, name))

      scope = Scope.of(ctx)
      db.query_one("SELECT ... FROM queues WHERE account = ? AND region = ? AND name = ?",
                   (*scope, name))

- Global resources of an account (IAM users and roles): ``account``, ``region = ''``, via
  ``Scope.global_of(ctx)`` — the same query shape, one scope per account.

- Resources whose names are unique per partition but owned by an account (S3 buckets):
  key on ``partition`` and the name, and keep ``account`` (owner) and ``region`` (location)
  as plain columns::

      CREATE TABLE buckets (partition TEXT NOT NULL, name TEXT NOT NULL, account TEXT NOT NULL,
                            region TEXT NOT NULL, ..., PRIMARY KEY (partition, name))

Child rows (messages of a queue, objects of a bucket) reference their parent's key, so they
inherit its scope without repeating the checks.
"""

from __future__ import annotations

from typing import NamedTuple

GLOBAL_REGION = ""


def partition_of(region: str) -> str:
    """The AWS partition of a region (``aws``, ``aws-cn``, ``aws-us-gov``...)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


class Scope(NamedTuple):
    """``(account, region)``: spread it into query parameters with ``(*scope, ...)``."""

    account: str
    region: str

    @classmethod
    def of(cls, ctx) -> "Scope":
        """The scope of a regional resource for this request's caller."""
        return cls(ctx.account, ctx.region)

    @classmethod
    def global_of(cls, ctx) -> "Scope":
        """The scope of an account-wide (global) resource for this request's caller."""
        return cls(ctx.account, GLOBAL_REGION)

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    # The WHERE fragment matching this scope, for ``f"... WHERE {Scope.WHERE} AND ..."``.
    WHERE = "account = ? AND region = ?"
