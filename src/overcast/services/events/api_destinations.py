"""EventBridge API destinations: CreateApiDestination, DescribeApiDestination,
ListApiDestinations, UpdateApiDestination, DeleteApiDestination.

An API destination is an HTTP endpoint (``InvocationEndpoint``, whose ``*`` are filled from a
target's ``HttpParameters.PathParameterValues``), the method to call it with, the connection
whose authorization it carries, and the most invocations a second EventBridge makes to it
(``InvocationRateLimitPerSecond``, 300 when not given, the figure of the EventBridge quotas).
Delivery is ``api_destination_sender.py``.

State: ACTIVE while its connection is AUTHORIZED; INACTIVE while the connection is not (still
authorizing, deauthorized, or deleted).

Endpoints: EventBridge refuses an endpoint that is not HTTPS ("Endpoint '...' is invalid, please
provide a valid HTTPS endpoint URL."); Overcast also takes HTTP on a loopback address (localhost,
127.0.0.0/8): a local cloud must reach the developer's own HTTP server, which has no certificate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from overcast.services.events import api_destination_sender
from overcast.services.events.arns import events_arn
from overcast.services.events.connection_oauth import endpoint_problem
from overcast.services.events.errors import (LimitExceededException, ResourceAlreadyExistsException,
                                             ResourceNotFoundException, ValidationException)
from overcast.services.events.paging import make_token, read_token
from overcast.services.events.validation import check_input
from overcast.storage.scope import Scope

# invocations per second per API destination: the default and the most EventBridge accepts
# without a quota increase ("Invocations rate limit per API destination", EventBridge quotas)
DEFAULT_RATE_LIMIT = 300
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


def destination_not_found(name: str, verb: str = "describe"):
    return ResourceNotFoundException(
        f"Failed to {verb} the api-destination(s). An api-destination '{name}' does not exist.")


def check_endpoint(endpoint: str, verb: str) -> None:
    """An invocation endpoint must be an HTTPS URL (HTTP on a loopback address)."""
    if endpoint_problem(endpoint) is not None:
        raise ValidationException(f"Failed to {verb} the api-destination(s). Parameter InvocationEndpoint is not "
                                  f"valid. Reason: Endpoint '{endpoint}' is invalid, please provide a valid HTTPS "
                                  "endpoint URL.")


def check_rate(params: dict, verb: str) -> None:
    rate = params.get("InvocationRateLimitPerSecond")
    if rate is not None and rate > DEFAULT_RATE_LIMIT:
        raise LimitExceededException(
            f"Failed to {verb} the api-destination(s). Invalid Invocation Rate Limit: Rate specified '{rate}' for "
            f"'{params['Name']}' exceeds maximum allowed of '{DEFAULT_RATE_LIMIT}'.")


def check_create_api_destination(params: dict) -> None:
    """CreateApiDestination's parameter checks (before authorization in strict mode)."""
    check_input("CreateApiDestination", params)
    check_endpoint(params["InvocationEndpoint"], "create")
    check_rate(params, "create")


def check_update_api_destination(params: dict) -> None:
    check_input("UpdateApiDestination", params)
    if params.get("InvocationEndpoint") is not None:
        check_endpoint(params["InvocationEndpoint"], "update")
    check_rate(params, "update")


def check_list_api_destinations(params: dict) -> None:
    check_input("ListApiDestinations", params)
    if params.get("NamePrefix") and params.get("ConnectionArn"):
        raise ValidationException("Failed to list the api-destination(s). Request failed because only one filter "
                                  "is supported per request, either ConnectionArn or NamePrefix.")


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
            await api_destination_sender.send(self, target=delivery.target, input_text=delivery.input_text)
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

    def _require_api_destination(self, scope: Scope, name: str, verb: str) -> ApiDestinationRow:
        row = self.api_destination_row(scope, name)
        if row is None:
            raise destination_not_found(name, verb)
        return row

    def _require_connection_arn(self, scope: Scope, arn: str, verb: str) -> None:
        connection = self.connection_by_arn(arn)
        if connection is None or connection.scope != scope:
            raise ResourceNotFoundException(f"Failed to {verb} the api-destination(s). Connection '{arn}' does not exist.")
        self._resume_authorizing(connection)

    def create_api_destination(self, ctx, params: dict) -> dict:
        check_create_api_destination(params)
        scope = Scope.of(ctx)
        name = params["Name"]
        if self.api_destination_row(scope, name) is not None:
            raise ResourceAlreadyExistsException(
                f"Failed to create the api-destination(s). An api-destination with name '{name}' already exists.")
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
        return self._shown(self._require_api_destination(Scope.of(ctx), params["Name"], "describe"))

    def list_api_destinations(self, ctx, params: dict) -> dict:
        check_list_api_destinations(params)
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
        row = self._require_api_destination(scope, params["Name"], "update")
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
        row = self._require_api_destination(Scope.of(ctx), params["Name"], "delete")
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
