"""CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases. An alias points at one
version and, with RoutingConfig, sends a share of invocations (0-1) to one more version: the
weighted choice is made per invocation (``alias_target``), which is how CodeDeploy shifts
traffic."""

from __future__ import annotations

import json
import random

from overcast.services.awslambda.errors import (InvalidParameterValueException, PreconditionFailedException,
                                                ResourceConflictException, ResourceNotFoundException,
                                                ValidationException, function_not_found)
from overcast.services.awslambda.function_refs import FunctionRef, function_ref, new_revision_id
from overcast.services.awslambda.models import LATEST
from overcast.services.awslambda.validation import check_input
from overcast.services.awslambda.versions import DEFAULT_PAGE, REVISION_MISMATCH
from overcast.storage.scope import Scope

_WEIGHTS = "routingConfig.additionalVersionWeights"


def _weights_of(params: dict) -> dict[str, float] | None:
    """RoutingConfig's AdditionalVersionWeights (None: not given; {}: cleared)."""
    routing = params.get("RoutingConfig")
    if routing is None:
        return None
    return dict(routing.get("AdditionalVersionWeights") or {})


class AliasOperations:
    def alias_target(self, function_id: int, alias: str) -> str | None:
        """The version an invocation of ``alias`` runs (weights applied), None when the
        function has no such alias."""
        row = self.db.query_one("SELECT function_version, routing FROM function_aliases WHERE function_id = ? "
                                "AND name = ?", (function_id, alias))
        if row is None:
            return None
        if row[1]:
            for version, weight in json.loads(row[1]).items():
                if random.random() < weight:
                    return version
        return row[0]

    def aliases_pointing_to(self, function_id: int, version: str) -> list[str]:
        """The aliases whose primary or additional version is ``version`` (a version they
        use cannot be deleted)."""
        rows = self.db.query("SELECT name, function_version, routing FROM function_aliases WHERE function_id = ? "
                             "ORDER BY name", (function_id,))
        return [name for name, primary, routing in rows
                if primary == version or version in json.loads(routing or "{}")]

    def _aliases_row(self, ref: FunctionRef, name: str):
        return self.db.query_one("SELECT name, function_version, description, routing, revision_id "
                                 "FROM function_aliases WHERE function_id = ? AND name = ?", (ref.function_id, name))

    def _aliases_answer(self, ref: FunctionRef, row) -> dict:
        name, version, description, routing, revision_id = row
        answer = {"AliasArn": ref.qualified_arn(name), "Name": name, "FunctionVersion": version,
                  "Description": description, "RevisionId": revision_id}
        if routing is not None:
            answer["RoutingConfig"] = {"AdditionalVersionWeights": json.loads(routing)}
        return answer

    def _aliases_require_version(self, ref: FunctionRef, version: str) -> None:
        found = self.db.query_one("SELECT 1 FROM function_versions WHERE function_id = ? AND version = ?",
                                  (ref.function_id, version))
        if found is None:
            raise function_not_found(ref.qualified_arn(version))

    def _aliases_check_routing(self, ref: FunctionRef, primary: str, weights: dict[str, float]) -> None:
        if len(weights) > 1:
            raise InvalidParameterValueException("Number of items in AdditionalVersionWeights cannot be greater "
                                                 "than 1")
        for version, weight in weights.items():
            shown = f"{{{version}={weight}}}"
            if not isinstance(weight, (int, float)) or not 0.0 <= weight <= 1.0:
                raise ValidationException(
                    f"1 validation error detected: Value '{shown}' at '{_WEIGHTS}' failed to satisfy constraint: "
                    "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member "
                    "must have value greater than or equal to 0.0, Member must not be null]")
            if not version.isdigit():
                raise ValidationException(
                    f"1 validation error detected: Value '{shown}' at '{_WEIGHTS}' failed to satisfy constraint: "
                    "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member "
                    "must have length greater than or equal to 1, Member must satisfy regular expression pattern: "
                    "[0-9]+, Member must not be null]")
            if version == primary:
                raise InvalidParameterValueException(f"Invalid function version {version}. Function version "
                                                     f"{version} is already included in routing configuration.")
            if primary == LATEST:
                raise InvalidParameterValueException("$LATEST is not supported for an alias pointing to more than "
                                                     "1 version")
            self._aliases_require_version(ref, version)

    def _aliases_ref(self, ctx, params: dict) -> FunctionRef:
        return function_ref(self, Scope.of(ctx), params["FunctionName"])

    def create_alias(self, ctx, params: dict) -> dict:
        check_input("CreateAlias", params)
        ref = self._aliases_ref(ctx, params)
        name, version = params["Name"], params["FunctionVersion"]
        self._aliases_require_version(ref, version)
        if self._aliases_row(ref, name) is not None:
            raise ResourceConflictException(f"Alias already exists: {ref.qualified_arn(name)}")
        weights = _weights_of(params)
        if weights:
            self._aliases_check_routing(ref, version, weights)
        self.db.execute("INSERT INTO function_aliases (function_id, name, function_version, description, routing, "
                        "revision_id) VALUES (?, ?, ?, ?, ?, ?)",
                        (ref.function_id, name, version, params.get("Description") or "",
                         json.dumps(weights) if weights else None, new_revision_id()))
        return self._aliases_answer(ref, self._aliases_row(ref, name))

    def _aliases_require(self, ref: FunctionRef, name: str):
        row = self._aliases_row(ref, name)
        if row is None:
            raise ResourceNotFoundException(f"Cannot find alias arn: {ref.qualified_arn(name)}")
        return row

    def get_alias(self, ctx, params: dict) -> dict:
        check_input("GetAlias", params)
        ref = self._aliases_ref(ctx, params)
        return self._aliases_answer(ref, self._aliases_require(ref, params["Name"]))

    def update_alias(self, ctx, params: dict) -> dict:
        check_input("UpdateAlias", params)
        ref = self._aliases_ref(ctx, params)
        name = params["Name"]
        _, version, description, routing, revision_id = self._aliases_require(ref, name)
        if params.get("RevisionId") and params["RevisionId"] != revision_id:
            raise PreconditionFailedException(REVISION_MISMATCH)
        if params.get("FunctionVersion") is not None:
            version = params["FunctionVersion"]
            self._aliases_require_version(ref, version)
        if params.get("Description") is not None:
            description = params["Description"]
        weights = _weights_of(params)
        if weights is not None:
            routing = json.dumps(weights) if weights else None
        if routing:
            self._aliases_check_routing(ref, version, json.loads(routing))
        self.db.execute("UPDATE function_aliases SET function_version = ?, description = ?, routing = ?, "
                        "revision_id = ? WHERE function_id = ? AND name = ?",
                        (version, description, routing, new_revision_id(), ref.function_id, name))
        return self._aliases_answer(ref, self._aliases_row(ref, name))

    def delete_alias(self, ctx, params: dict) -> dict:
        check_input("DeleteAlias", params)
        # deleting an alias that is not there succeeds: the model lists no not-found error for it
        ref = self._aliases_ref(ctx, params)
        with self.db.transaction():
            self.db.execute("DELETE FROM function_aliases WHERE function_id = ? AND name = ?",
                            (ref.function_id, params["Name"]))
            self.db.execute("DELETE FROM function_policies WHERE function_id = ? AND qualifier = ?",
                            (ref.function_id, params["Name"]))
        return {}

    def list_aliases(self, ctx, params: dict) -> dict:
        check_input("ListAliases", params)
        ref = self._aliases_ref(ctx, params)
        sql = ("SELECT name, function_version, description, routing, revision_id FROM function_aliases "
               "WHERE function_id = ?")
        args: list = [ref.function_id]
        if params.get("FunctionVersion"):
            sql += " AND function_version = ?"
            args.append(params["FunctionVersion"])
        if params.get("Marker"):
            sql += " AND name >= ?"
            args.append(params["Marker"])
        limit = params.get("MaxItems") or DEFAULT_PAGE
        rows = self.db.query(sql + " ORDER BY name LIMIT ?", (*args, limit + 1))
        answer = {"Aliases": [self._aliases_answer(ref, row) for row in rows[:limit]]}
        if len(rows) > limit:
            answer["NextMarker"] = rows[limit][0]
        return answer
