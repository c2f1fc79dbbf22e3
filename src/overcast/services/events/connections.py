"""EventBridge connections (the authorization of API destinations): CreateConnection,
DescribeConnection, ListConnections, UpdateConnection, DeleteConnection, DeauthorizeConnection.

A connection holds one kind of authorization (``AuthorizationType``) and its parameters:
``BASIC`` (a username and password, sent as HTTP basic authentication), ``API_KEY`` (a header
name and value) or ``OAUTH_CLIENT_CREDENTIALS`` (a client ID and secret exchanged at the
``AuthorizationEndpoint`` for an access token, ``connection_oauth.py``), plus the header, query
string and body parameters every invocation carries (``InvocationHttpParameters``).

States, as the EventBridge user guide describes them: BASIC and API_KEY connections are
AUTHORIZED at once; an OAuth connection is AUTHORIZING until Overcast has really fetched a
token from its authorization endpoint, then AUTHORIZED, or DEAUTHORIZED with a StateReason
when the endpoint refused. DeauthorizeConnection removes the authorization parameters (the
answer says DEAUTHORIZING, the connection is then DEAUTHORIZED); DeleteConnection answers
DELETING and the connection is gone. A connection that is deleted or deauthorized leaves its
API destinations in place, INACTIVE.

Secrets: on AWS, EventBridge keeps the secret values in a Secrets Manager secret it manages
(``SecretArn``, ``events!connection/<name>/<uuid>``). Overcast has no Secrets Manager service
yet, so the values stay in the events database (``apidest_schema.py``); the API answers the
secret's ARN shaped as AWS shapes it and never a secret value, as AWS does.

``KmsKeyIdentifier`` is recorded and answered; as the secret is not in a Secrets Manager secret,
nothing is encrypted with that key and the key is not looked up.

Private connectivity (``InvocationConnectivityParameters``, ``ConnectivityParameters``: VPC
Lattice resource configurations) answers 501: Overcast has no VPC Lattice to reach them.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from dataclasses import dataclass

from overcast.errors import AwsError
from overcast.services.events import connection_oauth
from overcast.services.events.arns import events_arn
from overcast.services.events.errors import (ResourceAlreadyExistsException, ResourceNotFoundException,
                                             ValidationException)
from overcast.services.events.paging import make_token, read_token
from overcast.services.events.validation import check_input
from overcast.storage.scope import Scope, partition_of

# AuthorizationType -> the member of AuthParameters that carries its parameters
AUTH_MEMBERS = {"BASIC": "BasicAuthParameters", "API_KEY": "ApiKeyAuthParameters",
                "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters"}
# what each kind requires when it is given whole (CreateConnection's required members)
_REQUIRED = {"BasicAuthParameters": ("Username", "Password"), "ApiKeyAuthParameters": ("ApiKeyName", "ApiKeyValue"),
             "OAuthParameters": ("ClientParameters", "AuthorizationEndpoint", "HttpMethod")}
_SECRET_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
LIST_LIMIT = 100  # ListConnections' Limit: 1-100

COLUMNS = ("connection_id, account, region, name, arn, description, authorization_type, auth, secret_arn, "
           "kms_key_identifier, state, state_reason, token, token_expires, created, modified, last_authorized")


@dataclass
class ConnectionRow:
    connection_id: int
    account: str
    region: str
    name: str
    arn: str
    description: str | None
    authorization_type: str
    auth_text: str
    secret_arn: str | None
    kms_key_identifier: str | None
    state: str
    state_reason: str | None
    token: str | None
    token_expires: float | None
    created: float
    modified: float
    last_authorized: float | None

    @property
    def auth(self) -> dict:
        return json.loads(self.auth_text)

    @property
    def scope(self) -> Scope:
        return Scope(self.account, self.region)


def connection_not_found(name: str) -> AwsError:
    return ResourceNotFoundException(f"Failed to describe the connection(s). Connection '{name}' does not exist.")


def private_connectivity_refused() -> AwsError:
    return AwsError("NotImplemented", "Connections to private APIs (InvocationConnectivityParameters, "
                    "ConnectivityParameters) are not implemented by Overcast: it has no VPC Lattice resource "
                    "configurations to reach.", 501)


def _secret_arn(scope: Scope, name: str) -> str:
    """Shaped as the Secrets Manager secret EventBridge creates for a connection: the name
    ``events!connection/<name>/<uuid>`` and Secrets Manager's six random characters."""
    suffix = "".join(secrets.choice(_SECRET_CHARS) for _ in range(6))
    return (f"arn:{partition_of(scope.region)}:secretsmanager:{scope.region}:{scope.account}:secret:"
            f"events!connection/{name}/{uuid.uuid4()}-{suffix}")


def _public_http(params: dict | None) -> dict | None:
    """HTTP parameters as DescribeConnection answers them: a secret value is left out."""
    if params is None:
        return None
    shown = {}
    for member in ("HeaderParameters", "QueryStringParameters", "BodyParameters"):
        if member in params:
            shown[member] = [{k: v for k, v in item.items() if not (k == "Value" and item.get("IsValueSecret"))}
                             for item in params[member]]
    return shown


def public_auth(kind: str, auth: dict) -> dict:
    """AuthParameters without their secrets: the username, the API key's name, the OAuth
    client ID, endpoint and method, and the non-secret HTTP parameters."""
    shown: dict = {}
    if (basic := auth.get("BasicAuthParameters")) is not None:
        shown["BasicAuthParameters"] = {"Username": basic["Username"]}
    if (key := auth.get("ApiKeyAuthParameters")) is not None:
        shown["ApiKeyAuthParameters"] = {"ApiKeyName": key["ApiKeyName"]}
    if (oauth := auth.get("OAuthParameters")) is not None:
        shown["OAuthParameters"] = {"ClientParameters": {"ClientID": oauth["ClientParameters"]["ClientID"]},
                                    "AuthorizationEndpoint": oauth["AuthorizationEndpoint"],
                                    "HttpMethod": oauth["HttpMethod"]}
        if oauth.get("OAuthHttpParameters") is not None:
            shown["OAuthParameters"]["OAuthHttpParameters"] = _public_http(oauth["OAuthHttpParameters"])
    if auth.get("InvocationHttpParameters") is not None:
        shown["InvocationHttpParameters"] = _public_http(auth["InvocationHttpParameters"])
    return shown


def _check_auth_kind(kind: str, auth: dict, *, whole: bool, verb: str = "create") -> None:
    """The parameters given must be those of ``kind`` (and complete, when ``whole``)."""
    expected = AUTH_MEMBERS[kind]
    for member in AUTH_MEMBERS.values():
        if member != expected and auth.get(member) is not None:
            raise ValidationException(f"{member} is not valid for AuthorizationType {kind}; "
                                      f"only {expected} may be given.")
    if whole:
        given = auth.get(expected)
        if given is None:
            raise ValidationException(f"{expected} is required for AuthorizationType {kind}.")
        missing = [name for name in _REQUIRED[expected] if given.get(name) is None]
        if expected == "OAuthParameters" and not missing:
            client = given["ClientParameters"]
            missing = [f"ClientParameters.{name}" for name in ("ClientID", "ClientSecret") if client.get(name) is None]
        if missing:
            raise ValidationException(f"{expected} requires {', '.join(missing)}.")
    endpoint = (auth.get("OAuthParameters") or {}).get("AuthorizationEndpoint")
    if endpoint is not None and connection_oauth.endpoint_problem(endpoint) is not None:
        raise ValidationException(f"Failed to {verb} the connection(s). Parameter AuthorizationEndpoint is not valid. "
                                  f"Reason: Endpoint '{endpoint}' is invalid, please provide a valid HTTPS endpoint URL.")


def check_create_connection(params: dict) -> None:
    """CreateConnection's parameter checks (before authorization in strict mode)."""
    check_input("CreateConnection", params)
    auth = params["AuthParameters"]
    if params.get("InvocationConnectivityParameters") or auth.get("ConnectivityParameters"):
        raise private_connectivity_refused()
    _check_auth_kind(params["AuthorizationType"], auth, whole=True)


def check_update_connection(params: dict) -> None:
    """UpdateConnection's parameter checks (those that need no stored connection)."""
    check_input("UpdateConnection", params)
    update = params.get("AuthParameters") or {}
    if params.get("InvocationConnectivityParameters") or update.get("ConnectivityParameters"):
        raise private_connectivity_refused()
    if params.get("AuthorizationType"):
        _check_auth_kind(params["AuthorizationType"], update, whole=False, verb="update")


def _merge_auth(kind: str, old_kind: str, old: dict, update: dict) -> dict:
    """UpdateConnection's AuthParameters over the stored ones: the members given replace
    those stored, member by member; another AuthorizationType starts from its own."""
    member = AUTH_MEMBERS[kind]
    merged = {name: value for name, value in old.items() if name == "InvocationHttpParameters"}
    if kind == old_kind and member in old:
        merged[member] = old[member]
    if member in update:
        base = dict(merged.get(member) or {})
        for name, value in update[member].items():
            if name == "ClientParameters":
                base[name] = {**(base.get(name) or {}), **value}
            else:
                base[name] = value
        merged[member] = base
    if "InvocationHttpParameters" in update:
        merged["InvocationHttpParameters"] = update["InvocationHttpParameters"]
    return merged


def _wire_times(row: ConnectionRow) -> dict:
    times = {"CreationTime": row.created, "LastModifiedTime": row.modified}
    if row.last_authorized is not None:
        times["LastAuthorizedTime"] = row.last_authorized
    return times


class ConnectionOperations:
    """The connections of an account and region, and the OAuth authorizations in flight."""

    @property
    def _authorizing(self) -> dict[int, asyncio.Task]:
        """connection_id -> the task fetching its first token (CreateConnection, UpdateConnection)."""
        return self.__dict__.setdefault("_authorizations_in_flight", {})

    # -- lookups other concerns use (API destinations, the sender)

    def connection_row(self, scope: Scope, name: str) -> ConnectionRow | None:
        row = self.db.query_one(f"SELECT {COLUMNS} FROM connections WHERE account = ? AND region = ? AND name = ?",
                                (*scope, name))
        return ConnectionRow(*row) if row else None

    def connection_by_arn(self, arn: str) -> ConnectionRow | None:
        row = self.db.query_one(f"SELECT {COLUMNS} FROM connections WHERE arn = ?", (arn,))
        return ConnectionRow(*row) if row else None

    def _require_connection(self, scope: Scope, name: str) -> ConnectionRow:
        row = self.connection_row(scope, name)
        if row is None:
            raise connection_not_found(name)
        self._resume_authorizing(row)
        return row

    # -- operations

    def create_connection(self, ctx, params: dict) -> dict:
        check_create_connection(params)
        auth = params["AuthParameters"]
        kind = params["AuthorizationType"]
        scope = Scope.of(ctx)
        name = params["Name"]
        if self.connection_row(scope, name) is not None:
            raise ResourceAlreadyExistsException(f"Connection {name} already exists.")
        now = int(self.clock.now())
        oauth = kind == "OAUTH_CLIENT_CREDENTIALS"
        state = "AUTHORIZING" if oauth else "AUTHORIZED"
        arn = events_arn(scope, f"connection/{name}/{uuid.uuid4()}")
        self.db.execute(
            "INSERT INTO connections (account, region, name, arn, description, authorization_type, auth, secret_arn, "
            "kms_key_identifier, state, created, modified, last_authorized) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*scope, name, arn, params.get("Description"), kind, json.dumps(auth), _secret_arn(scope, name),
             params.get("KmsKeyIdentifier"), state, now, now, None if oauth else now))
        if oauth:
            self._resume_authorizing(self.connection_row(scope, name))
        return {"ConnectionArn": arn, "ConnectionState": state, "CreationTime": now, "LastModifiedTime": now}

    def describe_connection(self, ctx, params: dict) -> dict:
        check_input("DescribeConnection", params)
        row = self._require_connection(Scope.of(ctx), params["Name"])
        answer = {"ConnectionArn": row.arn, "Name": row.name, "ConnectionState": row.state,
                  "AuthorizationType": row.authorization_type}
        if row.description is not None:
            answer["Description"] = row.description
        if row.state_reason:
            answer["StateReason"] = row.state_reason
        if row.secret_arn:
            answer["SecretArn"] = row.secret_arn
        if row.kms_key_identifier:
            answer["KmsKeyIdentifier"] = row.kms_key_identifier
        answer["AuthParameters"] = public_auth(row.authorization_type, row.auth)
        return {**answer, **_wire_times(row)}

    def list_connections(self, ctx, params: dict) -> dict:
        check_input("ListConnections", params)
        scope = Scope.of(ctx)
        limit = params.get("Limit") or LIST_LIMIT
        after = read_token(params.get("NextToken")) or ""
        prefix = params.get("NamePrefix") or ""
        sql = (f"SELECT {COLUMNS} FROM connections WHERE account = ? AND region = ? AND name > ? "
               "AND substr(name, 1, ?) = ?")
        args: list = [*scope, after, len(prefix), prefix]
        if params.get("ConnectionState"):
            sql += " AND state = ?"
            args.append(params["ConnectionState"])
        rows = [ConnectionRow(*row) for row in self.db.query(sql + " ORDER BY name LIMIT ?", (*args, limit + 1))]
        listed = []
        for row in rows[:limit]:
            item = {"ConnectionArn": row.arn, "Name": row.name, "ConnectionState": row.state,
                    "AuthorizationType": row.authorization_type}
            if row.state_reason:
                item["StateReason"] = row.state_reason
            listed.append({**item, **_wire_times(row)})
        answer = {"Connections": listed}
        if len(rows) > limit:
            answer["NextToken"] = make_token(rows[limit - 1].name)
        return answer

    def update_connection(self, ctx, params: dict) -> dict:
        check_update_connection(params)
        update = params.get("AuthParameters") or {}
        scope = Scope.of(ctx)
        row = self._require_connection(scope, params["Name"])
        kind = params.get("AuthorizationType") or row.authorization_type
        _check_auth_kind(kind, update, whole=kind != row.authorization_type, verb="update")
        auth = _merge_auth(kind, row.authorization_type, row.auth, update)
        reauthorize = bool(update) or kind != row.authorization_type
        if reauthorize:
            _check_auth_kind(kind, auth, whole=True, verb="update")
        now = int(self.clock.now())
        state, reason, last_authorized, token = row.state, row.state_reason, row.last_authorized, row.token
        token_expires = row.token_expires
        if reauthorize:
            oauth = kind == "OAUTH_CLIENT_CREDENTIALS"
            state, reason, token, token_expires = ("AUTHORIZING" if oauth else "AUTHORIZED"), None, None, None
            if not oauth:
                last_authorized = now
        self.db.execute(
            "UPDATE connections SET description = ?, authorization_type = ?, auth = ?, secret_arn = ?, "
            "kms_key_identifier = ?, state = ?, state_reason = ?, token = ?, token_expires = ?, modified = ?, "
            "last_authorized = ? WHERE connection_id = ?",
            (params.get("Description", row.description), kind, json.dumps(auth),
             row.secret_arn or _secret_arn(scope, row.name), params.get("KmsKeyIdentifier", row.kms_key_identifier),
             state, reason, token, token_expires, now, last_authorized, row.connection_id))
        self._forget_authorizing(row.connection_id)
        if state == "AUTHORIZING":
            self._resume_authorizing(self.connection_row(scope, row.name))
        answer = {"ConnectionArn": row.arn, "ConnectionState": state, "CreationTime": row.created,
                  "LastModifiedTime": now}
        if last_authorized is not None:
            answer["LastAuthorizedTime"] = last_authorized
        return answer

    def deauthorize_connection(self, ctx, params: dict) -> dict:
        check_input("DeauthorizeConnection", params)
        row = self._require_connection(Scope.of(ctx), params["Name"])
        now = int(self.clock.now())
        self.db.execute(
            "UPDATE connections SET auth = '{}', secret_arn = NULL, state = 'DEAUTHORIZED', state_reason = NULL, "
            "token = NULL, token_expires = NULL, modified = ? WHERE connection_id = ?", (now, row.connection_id))
        self._forget_authorizing(row.connection_id)
        return {"ConnectionArn": row.arn, "ConnectionState": "DEAUTHORIZING", **_wire_times(row),
                "LastModifiedTime": now}

    def delete_connection(self, ctx, params: dict) -> dict:
        check_input("DeleteConnection", params)
        row = self._require_connection(Scope.of(ctx), params["Name"])
        self.db.execute("DELETE FROM connections WHERE connection_id = ?", (row.connection_id,))
        self._forget_authorizing(row.connection_id)
        return {"ConnectionArn": row.arn, "ConnectionState": "DELETING", **_wire_times(row)}

    # -- state changes made by delivery (connection_oauth.py, api_destination_sender.py)

    def set_connection_authorized(self, row: ConnectionRow, token: str | None, expires: float | None) -> None:
        """The token fetched for ``row`` (kept only if its parameters have not changed since)."""
        self.db.execute(
            "UPDATE connections SET state = 'AUTHORIZED', state_reason = NULL, token = ?, token_expires = ?, "
            "last_authorized = ? WHERE connection_id = ? AND auth = ?",
            (token, expires, int(self.clock.now()), row.connection_id, row.auth_text))

    def set_connection_deauthorized(self, row: ConnectionRow, reason: str) -> None:
        """EventBridge deauthorizes a connection whose OAuth token cannot be fetched, or whose
        endpoint answers a BASIC or API_KEY invocation 401 or 407 (user guide, "De-authorizing
        connections")."""
        self.db.execute(
            "UPDATE connections SET state = 'DEAUTHORIZED', state_reason = ?, token = NULL, token_expires = NULL, "
            "modified = ? WHERE connection_id = ? AND auth = ?",
            (reason[:512], int(self.clock.now()), row.connection_id, row.auth_text))

    # -- OAuth authorizations in flight

    def _resume_authorizing(self, row: ConnectionRow | None) -> None:
        """Starts fetching the token of an AUTHORIZING connection unless that is under way (a
        restart in the middle of one resumes here, on the connection's next use)."""
        if row is None or row.state != "AUTHORIZING":
            return
        tasks = self._authorizing
        if row.connection_id in tasks and not tasks[row.connection_id].done():
            return
        tasks[row.connection_id] = asyncio.get_running_loop().create_task(self._authorize(row))

    def reset(self) -> None:
        # an authorization in flight must not write into the next test's connections
        for task in self._authorizing.values():
            task.cancel()
        self._authorizing.clear()
        super().reset()

    def _forget_authorizing(self, connection_id: int) -> None:
        task = self._authorizing.pop(connection_id, None)
        if task is not None and not task.done():
            task.cancel()

    async def _authorize(self, row: ConnectionRow) -> None:
        try:
            await self.connection_token(row, renew=True)
        except connection_oauth.TokenRefused:
            pass  # the connection is DEAUTHORIZED with the reason

    async def connection_token(self, row: ConnectionRow, *, renew: bool = False) -> str:
        """A valid access token of an OAuth connection: the stored one, or a new one when there
        is none, it expires within ``connection_oauth.REFRESH_BEFORE`` seconds or ``renew``
        (the endpoint answered 401 or 407). Raises TokenRefused (the connection is then
        DEAUTHORIZED)."""
        now = self.clock.now()
        fresh = row.token and (row.token_expires is None or row.token_expires - now > connection_oauth.REFRESH_BEFORE)
        if fresh and not renew:
            return row.token
        try:
            token, expires_in = await connection_oauth.fetch_token(row.auth)
        except connection_oauth.TokenRefused as refused:
            self.set_connection_deauthorized(row, str(refused))
            raise
        self.set_connection_authorized(row, token, now + expires_in if expires_in is not None else None)
        return token

