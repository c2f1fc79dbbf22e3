"""EventBridge API destinations: CreateApiDestination, DescribeApiDestination,
ListApiDestinations, UpdateApiDestination, DeleteApiDestination.

An API destination is an HTTP endpoint (``InvocationEndpoint``, whose ``*`` are filled from a
target's ``HttpParameters.PathParameterValues``), the method to call it with, the connection
whose authorization it carries, and the most invocations a second EventBridge makes to it
(``InvocationRateLimitPerSecond``, 300 when not given, the figure of the EventBridge quotas).
Delivery is ``api_destination_sender.py``.

State: ACTIVE while its connection is AUTHORIZED; INACTIVE while the connection is not (still
authorizing, deauthorized, or deleted).

Endpoints: "API destinations are HTTPS endpoints" (user guide), so an ``http://`` endpoint is
refused, except on a loopback address (localhost, 127.0.0.0/8, ::1): a local cloud must reach
the developer's own HTTP server, which has no certificate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from overcast.services.events import api_destination_sender
from overcast.services.events.arns import events_arn
from overcast.services.events.connection_oauth import endpoint_problem
from overcast.services.events.errors import (ResourceAlreadyExistsException, ResourceNotFoundException,
                                             ValidationException)
from overcast.services.events.paging import make_token, read_token
from overcast.services.events.validation import check_input
from overcast.storage.scope import Scope

DEFAULT_RATE_LIMIT = 300  # invocations per second per API destination (EventBridge quotas)
LIST_LIMIT = 100  # ListApiDestinations' Limit: 1-100

COLUMNS = ("destination_id, account, region, name, arn, description, connection_arn, endpoint, http_method, "
           "rate_limit, created, modified")


@dataclass
class ApiDestinationRow:
    destination_id: int
    account: str
    region: str
    name: str
    arn: str
    description: str | None
    connection_arn: str
    endpoint: str
    http_method: str
    rate_limit: int
    created: float
    modified: float


def destination_not_found(name: str):
    return ResourceNotFoundException(
        f"Failed to describe the api-destination(s). An api-destination '{name}' does not exist.")


def check_endpoint(endpoint: str) -> None:
    """An invocation endpoint must be an HTTPS URL (HTTP on a loopback address)."""
    problem = endpoint_problem(endpoint)
    if problem is not None:
        raise ValidationException(f"Invalid InvocationEndpoint: {endpoint}. {problem}")


def check_create_api_destination(params: dict) -> None:
    """CreateApiDestination's parameter checks (before authorization in strict mode)."""
    check_input("CreateApiDestination", params)
    check_endpoint(params["InvocationEndpoint"])


def check_update_api_destination(params: dict) -> None:
    check_input("UpdateApiDestination", params)
    if params.get("InvocationEndpoint") is not None:
        check_endpoint(params["InvocationEndpoint"])


class ApiDestinationOperations:
    async def start(self) -> None:
        # registered at start, not in __init__: dispatch (earlier in the provider's MRO) makes
        # its table of senders after the mixins below it are initialised
        await super().start()
        self.register_sender("api-destination", self._send_to_api_destination)

    async def _send_to_api_destination(self, delivery) -> None:
        """Dispatch's sender for targets whose ARN names an API destination."""
        from overcast.services.events.dispatch import DeliveryFailure

        try:
            await api_destination_sender.send(self, target=delivery.target, event=delivery.event,
                                              input_text=delivery.input_text)
        except api_destination_sender.Refused as refused:
            raise DeliveryFailure(refused.code, refused.message, refused.retryable) from None

    def api_destination_row(self, scope: Scope, name: str) -> ApiDestinationRow | None:
        row = self.db.query_one(
            f"SELECT {COLUMNS} FROM api_destinations WHERE account = ? AND region = ? AND name = ?", (*scope, name))
        return ApiDestinationRow(*row) if row else None

    def api_destination_by_arn(self, arn: str) -> ApiDestinationRow | None:
        row = self.db.query_one(f"SELECT {COLUMNS} FROM api_destinations WHERE arn = ?", (arn,))
        return ApiDestinationRow(*row) if row else None

    def api_destination_state(self, row: ApiDestinationRow) -> str:
        connection = self.connection_by_arn(row.connection_arn)
        return "ACTIVE" if connection is not None and connection.state == "AUTHORIZED" else "INACTIVE"

    def _require_api_destination(self, scope: Scope, name: str) -> ApiDestinationRow:
        row = self.api_destination_row(scope, name)
        if row is None:
            raise destination_not_found(name)
        return row

    def _require_connection_arn(self, scope: Scope, arn: str, verb: str) -> None:
        connection = self.connection_by_arn(arn)
        if connection is None or connection.scope != scope:
            name = arn.split("/")[1] if arn.count("/") >= 2 else arn
            raise ResourceNotFoundException(
                f"Failed to {verb} the api-destination(s). Connection '{name}' does not exist.")
        self._resume_authorizing(connection)

    def create_api_destination(self, ctx, params: dict) -> dict:
        check_create_api_destination(params)
        scope = Scope.of(ctx)
        name = params["Name"]
        if self.api_destination_row(scope, name) is not None:
            raise ResourceAlreadyExistsException(f"An api-destination '{name}' already exists.")
        self._require_connection_arn(scope, params["ConnectionArn"], "create")
        now = int(self.clock.now())
        arn = events_arn(scope, f"api-destination/{name}/{uuid.uuid4()}")
        self.db.execute(
            "INSERT INTO api_destinations (account, region, name, arn, description, connection_arn, endpoint, "
            "http_method, rate_limit, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*scope, name, arn, params.get("Description"), params["ConnectionArn"], params["InvocationEndpoint"],
             params["HttpMethod"], params.get("InvocationRateLimitPerSecond") or DEFAULT_RATE_LIMIT, now, now))
        row = self.api_destination_row(scope, name)
        return {"ApiDestinationArn": arn, "ApiDestinationState": self.api_destination_state(row),
                "CreationTime": now, "LastModifiedTime": now}

    def describe_api_destination(self, ctx, params: dict) -> dict:
        check_input("DescribeApiDestination", params)
        return self._shown(self._require_api_destination(Scope.of(ctx), params["Name"]))

    def list_api_destinations(self, ctx, params: dict) -> dict:
        check_input("ListApiDestinations", params)
        limit = params.get("Limit") or LIST_LIMIT
        prefix = params.get("NamePrefix") or ""
        sql = (f"SELECT {COLUMNS} FROM api_destinations WHERE account = ? AND region = ? AND name > ? "
               "AND substr(name, 1, ?) = ?")
        args: list = [*Scope.of(ctx), read_token(params.get("NextToken")) or "", len(prefix), prefix]
        if params.get("ConnectionArn"):
            sql += " AND connection_arn = ?"
            args.append(params["ConnectionArn"])
        rows = [ApiDestinationRow(*row) for row in self.db.query(sql + " ORDER BY name LIMIT ?", (*args, limit + 1))]
        answer = {"ApiDestinations": [self._shown(row, listed=True) for row in rows[:limit]]}
        if len(rows) > limit:
            answer["NextToken"] = make_token(rows[limit - 1].name)
        return answer

    def update_api_destination(self, ctx, params: dict) -> dict:
        check_update_api_destination(params)
        scope = Scope.of(ctx)
        row = self._require_api_destination(scope, params["Name"])
        if params.get("ConnectionArn") is not None:
            self._require_connection_arn(scope, params["ConnectionArn"], "update")
        now = int(self.clock.now())
        self.db.execute(
            "UPDATE api_destinations SET description = ?, connection_arn = ?, endpoint = ?, http_method = ?, "
            "rate_limit = ?, modified = ? WHERE destination_id = ?",
            (params.get("Description", row.description), params.get("ConnectionArn") or row.connection_arn,
             params.get("InvocationEndpoint") or row.endpoint, params.get("HttpMethod") or row.http_method,
             params.get("InvocationRateLimitPerSecond") or row.rate_limit, now, row.destination_id))
        row = self.api_destination_row(scope, row.name)
        return {"ApiDestinationArn": row.arn, "ApiDestinationState": self.api_destination_state(row),
                "CreationTime": row.created, "LastModifiedTime": now}

    def delete_api_destination(self, ctx, params: dict) -> dict:
        check_input("DeleteApiDestination", params)
        row = self._require_api_destination(Scope.of(ctx), params["Name"])
        self.db.execute("DELETE FROM api_destinations WHERE destination_id = ?", (row.destination_id,))
        return {}

    def _shown(self, row: ApiDestinationRow, listed: bool = False) -> dict:
        shown = {"ApiDestinationArn": row.arn, "Name": row.name}
        if row.description is not None and not listed:
            shown["Description"] = row.description
        shown.update({"ApiDestinationState": self.api_destination_state(row), "ConnectionArn": row.connection_arn,
                      "InvocationEndpoint": row.endpoint, "HttpMethod": row.http_method,
                      "InvocationRateLimitPerSecond": row.rate_limit, "CreationTime": row.created,
                      "LastModifiedTime": row.modified})
        return shown
