"""Strict-mode authorization: which IAM action and resources each operation needs (the
per-service tables under ``actions/``), the request context policies' conditions read, and the
decision (``Authorizer``) made by the policy engine before an operation runs."""

from overcast.auth.authorization.table import Check, checks_for, load_table, table_services

__all__ = ["Check", "checks_for", "load_table", "table_services"]
