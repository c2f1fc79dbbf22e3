"""Functions: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
DeleteFunction, UpdateFunctionCode, UpdateFunctionConfiguration (core), and the interfaces the
other concerns use: ``resolve_function``, ``code_dir``, ``add_function_listener``."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

from overcast.services.awslambda.arns import function_arn, split_function_name
from overcast.services.awslambda.errors import (InvalidParameterValueException, PreconditionFailedException,
                                                ResourceConflictException, function_not_found)
from overcast.services.awslambda.execution_role import ROLE_REFUSED, role_refused
from overcast.services.awslambda.function_code import CodeStore, check_code_source
from overcast.services.awslambda.function_config import (as_in_progress, check_environment, check_image,
                                                         check_runtime, new_configuration, updated_configuration)
from overcast.services.awslambda.models import LATEST, FunctionVersion
from overcast.services.awslambda.validation import check_input
from overcast.storage.scope import Scope

# $LATEST first, then the published versions by number
_VERSION_ORDER = "(CASE v.version WHEN '$LATEST' THEN 0 ELSE CAST(v.version AS INTEGER) END)"
LIST_PAGE = 50  # ListFunctions answers at most 50 functions a page
REVISION_MISMATCH = ("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
                     "API to retrieve the latest Revision Id")


class FunctionOperations:
    def __init__(self, cloud):
        # before super(): a concern later in the MRO may register its listener in its __init__
        self._function_listeners = []
        super().__init__(cloud)
        self.code_store = CodeStore(self)

    # ---- interfaces for the other concerns (binding: lambda-contract) ----

    def add_function_listener(self, fn) -> None:
        """``fn(scope, name, change)`` is called after a function is created, updated
        ("code" or "configuration") or deleted."""
        self._function_listeners.append(fn)

    def _functions_notify(self, scope: Scope, name: str, change: str) -> None:
        for fn in list(self._function_listeners):
            fn(scope, name, change)

    def resolve_function(self, scope: Scope, name_or_arn: str, qualifier: str | None = None) -> FunctionVersion:
        """The version a call names: ``qualifier`` (or the ARN's own) a version or an alias,
        $LATEST when neither names one."""
        parts = split_function_name(name_or_arn or "")
        name = parts[2] if parts else name_or_arn
        arn_qualifier = parts[3] if parts else None
        if parts and ((parts[0] and parts[0] != scope.region) or (parts[1] and parts[1] != scope.account)):
            raise function_not_found(function_arn(Scope(parts[1] or scope.account, parts[0] or scope.region), name))
        if qualifier and arn_qualifier and qualifier != arn_qualifier:
            raise InvalidParameterValueException("The derived qualifier from the function name does not match the "
                                                 "specified qualifier.")
        qualifier = qualifier or arn_qualifier
        arn = function_arn(scope, name)
        row = self.db.query_one("SELECT function_id FROM functions WHERE account = ? AND region = ? AND name = ?",
                                (scope.account, scope.region, name))
        if row is None:
            raise function_not_found(f"{arn}:{qualifier}" if qualifier else arn)
        function_id = row[0]
        version = qualifier or LATEST
        if qualifier and qualifier != LATEST and not qualifier.isdigit():
            target = self.alias_target(function_id, qualifier)
            if target is None:
                raise function_not_found(f"{arn}:{qualifier}")
            version = target
        fv = self._functions_version(function_id, version)
        if fv is None:
            raise function_not_found(f"{arn}:{qualifier}" if qualifier else arn)
        return fv

    def _functions_version(self, function_id: int, version: str) -> FunctionVersion | None:
        row = self.db.query_one(
            "SELECT f.function_id, f.account, f.region, f.name, f.arn, v.version, v.config, v.code_sha256, "
            "v.code_size FROM functions f JOIN function_versions v ON v.function_id = f.function_id "
            "WHERE f.function_id = ? AND v.version = ?", (function_id, version))
        if row is None:
            return None
        return FunctionVersion(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7], row[8])

    def code_dir(self, fv: FunctionVersion) -> Path:
        """The directory ``fv``'s code is extracted to (once per CodeSha256), ready to run."""
        return self._functions_extracted(fv)

    def _functions_extracted(self, fv: FunctionVersion) -> Path:
        row = self.db.query_one("SELECT code_blob FROM function_versions WHERE function_id = ? AND version = ?",
                                (fv.function_id, fv.version))
        if row is None:
            raise function_not_found(fv.qualified_arn())
        return self.code_store.directory(row[0], fv.code_sha256)

    # ---- operations ----

    async def create_function(self, ctx, params: dict) -> dict:
        check_input("CreateFunction", params)
        check_image(params)
        check_runtime(params.get("Runtime"), params.get("Handler"), required=True)
        check_code_source(params.get("Code") or {}, operation="CreateFunction")
        check_environment(params.get("Environment"))
        if role_refused(self, params["Role"]):
            raise InvalidParameterValueException(ROLE_REFUSED)
        scope = Scope.of(ctx)
        name = self._functions_own_name(scope, params["FunctionName"])
        if self._functions_id(scope, name) is not None:
            raise ResourceConflictException(f"Function already exist: {name}")
        layers = self.layer_references(scope, params.get("Layers") or [])
        code = await self.code_store.take(ctx, params["Code"], operation="CreateFunction")
        now = self.clock.now()
        arn = function_arn(scope, name)
        config = new_configuration(name, arn, params, code, now, layers)
        try:
            await asyncio.to_thread(self.code_store.directory, code.blob_id, code.sha256)
            with self.db.transaction():
                if self._functions_id(scope, name) is not None:  # a concurrent create won
                    raise ResourceConflictException(f"Function already exist: {name}")
                self.db.execute("INSERT INTO functions (account, region, name, arn, created) VALUES (?, ?, ?, ?, ?)",
                                (scope.account, scope.region, name, arn, now))
                function_id = self._functions_id(scope, name)
                self._functions_store(function_id, LATEST, config, code.blob_id, code.sha256, code.size, now)
                for key, value in (params.get("Tags") or {}).items():
                    self.db.execute("INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?, ?, ?)",
                                    (arn, key, value))
        except BaseException:
            self._functions_drop_unused([code.blob_id])
            raise
        self._functions_notify(scope, name, "create")
        answer = as_in_progress(config, creating=True)
        if params.get("Publish"):
            answer = self._functions_publish(ctx, scope, name, answer)
        return answer

    def get_function_configuration(self, ctx, params: dict) -> dict:
        check_input("GetFunctionConfiguration", params)
        return self.resolve_function(Scope.of(ctx), params["FunctionName"], params.get("Qualifier")).config

    def get_function(self, ctx, params: dict) -> dict:
        check_input("GetFunction", params)
        fv = self.resolve_function(Scope.of(ctx), params["FunctionName"], params.get("Qualifier"))
        settings = self.cloud.settings
        # the Host the client reached Overcast by; an in-process call has none: the listening address
        base = f"{'https' if ctx.secure else 'http'}://{ctx.host or f'{settings.host}:{settings.port}'}"
        answer = {"Configuration": fv.config,
                  "Code": {"RepositoryType": "S3",
                           "Location": self.code_store.location(base, fv.function_id, fv.version, fv.code_sha256)}}
        tags = self.tags_of(fv.arn)
        if tags:
            answer["Tags"] = tags
        limit = self.concurrency_limit(fv)
        if limit is not None:
            answer["Concurrency"] = {"ReservedConcurrentExecutions": limit}
        return answer

    def list_functions(self, ctx, params: dict) -> dict:
        check_input("ListFunctions", params)
        scope = Scope.of(ctx)
        size = min(params.get("MaxItems") or LIST_PAGE, LIST_PAGE)
        all_versions = params.get("FunctionVersion") == "ALL"
        start = _marker_position(params.get("Marker"))
        rows = self.db.query(
            f"SELECT f.name, {_VERSION_ORDER}, v.config FROM functions f JOIN function_versions v ON v.function_id = "
            f"f.function_id WHERE f.account = ? AND f.region = ? AND (? OR v.version = ?) AND "
            f"(f.name > ? OR (f.name = ? AND {_VERSION_ORDER} >= ?)) ORDER BY f.name, {_VERSION_ORDER} LIMIT ?",
            (scope.account, scope.region, all_versions, LATEST, start[0], start[0], start[1], size + 1))
        answer: dict = {"Functions": [json.loads(row[2]) for row in rows[:size]]}
        if len(rows) > size:
            answer["NextMarker"] = _marker_of(rows[size][0], rows[size][1])
        return answer

    def delete_function(self, ctx, params: dict) -> dict:
        check_input("DeleteFunction", params)
        scope = Scope.of(ctx)
        qualifier = params.get("Qualifier")
        fv = self.resolve_function(scope, params["FunctionName"], qualifier if qualifier and qualifier.isdigit()
                                   else None)
        inline = (split_function_name(params["FunctionName"]) or (None,) * 4)[3]
        qualifier = qualifier or inline
        if qualifier == LATEST:
            raise InvalidParameterValueException("$LATEST version cannot be deleted without deleting the function.")
        if qualifier is not None and not qualifier.isdigit():
            raise InvalidParameterValueException("Deletion of aliases is not currently supported.")
        blobs = [row[0] for row in self.db.query(
            "SELECT code_blob FROM function_versions WHERE function_id = ? AND (? IS NULL OR version = ?)",
            (fv.function_id, qualifier, qualifier))]
        with self.db.transaction():
            if qualifier is not None:
                self.db.execute("DELETE FROM function_versions WHERE function_id = ? AND version = ?",
                                (fv.function_id, qualifier))
            else:
                self.db.execute("DELETE FROM function_versions WHERE function_id = ?", (fv.function_id,))
                self.db.execute("DELETE FROM functions WHERE function_id = ?", (fv.function_id,))
                self.db.execute("DELETE FROM tags WHERE arn = ?", (fv.arn,))
        self._functions_drop_unused(blobs)
        self._functions_notify(scope, fv.name, "delete")
        return {"StatusCode": 204}  # deleted at once: 204 No Content, as AWS answers

    async def update_function_code(self, ctx, params: dict) -> dict:
        check_input("UpdateFunctionCode", params)
        check_code_source(params, operation="UpdateFunctionCode")
        scope = Scope.of(ctx)
        fv = self._functions_latest(scope, params["FunctionName"])
        self._functions_check_revision(fv, params.get("RevisionId"))
        code = await self.code_store.take(ctx, params, operation="UpdateFunctionCode")
        try:
            await asyncio.to_thread(self.code_store.directory, code.blob_id, code.sha256)
        except BaseException:
            self._functions_drop_unused([code.blob_id])
            raise
        config = updated_configuration(fv.config, {}, self.clock.now())
        config.update(CodeSha256=code.sha256, CodeSize=code.size)
        if params.get("Architectures"):
            config["Architectures"] = params["Architectures"]
        if params.get("DryRun"):
            self._functions_drop_unused([code.blob_id])
            return as_in_progress(config, creating=False)
        replaced = self.db.query_one("SELECT code_blob FROM function_versions WHERE function_id = ? AND version = ?",
                                     (fv.function_id, LATEST))
        try:
            with self.db.transaction():
                self._functions_check_revision(self._functions_latest(scope, fv.name), params.get("RevisionId"))
                self._functions_store(fv.function_id, LATEST, config, code.blob_id, code.sha256, code.size,
                                      self.clock.now())
        except BaseException:
            self._functions_drop_unused([code.blob_id])
            raise
        self._functions_drop_unused([replaced[0]] if replaced else [])
        self._functions_notify(scope, fv.name, "code")
        answer = as_in_progress(config, creating=False)
        if params.get("Publish"):
            answer = self._functions_publish(ctx, scope, fv.name, answer)
        return answer

    def update_function_configuration(self, ctx, params: dict) -> dict:
        check_input("UpdateFunctionConfiguration", params)
        if params.get("ImageConfig") is not None:
            raise InvalidParameterValueException("Please don't provide ImageConfig when updating a function with "
                                                 "packageType Zip.")
        scope = Scope.of(ctx)
        fv = self._functions_latest(scope, params["FunctionName"])
        check_runtime(params.get("Runtime"), None, required=False)
        check_environment(params.get("Environment"))
        if params.get("Role") is not None and role_refused(self, params["Role"]):
            raise InvalidParameterValueException(ROLE_REFUSED)
        layers = self.layer_references(scope, params["Layers"]) if params.get("Layers") is not None else None
        self._functions_check_revision(fv, params.get("RevisionId"))
        config = updated_configuration(fv.config, params, self.clock.now(), layers)
        with self.db.transaction():
            self._functions_check_revision(self._functions_latest(scope, fv.name), params.get("RevisionId"))
            self.db.execute("UPDATE function_versions SET config = ? WHERE function_id = ? AND version = ?",
                            (json.dumps(config), fv.function_id, LATEST))
        self._functions_notify(scope, fv.name, "configuration")
        return as_in_progress(config, creating=False)

    # ---- helpers ----

    def _functions_publish(self, ctx, scope: Scope, name: str, answer: dict) -> dict:
        """Publish (CreateFunction / UpdateFunctionCode): the new version's configuration is the
        answer, through the versions concern's PublishVersion."""
        publish = getattr(self, "publish_version", None)
        if publish is None:
            return answer
        published = publish(ctx, {"FunctionName": name})
        return {**published, "State": answer.get("State", published.get("State")),
                **{k: v for k, v in answer.items() if k.startswith(("StateReason", "LastUpdateStatus"))}}

    def _functions_own_name(self, scope: Scope, value: str) -> str:
        """The name CreateFunction creates (an ARN names the caller's own region and account)."""
        parts = split_function_name(value)
        if parts is None:
            return value
        region, account, name, qualifier = parts
        if qualifier is not None or (region and region != scope.region) or (account and account != scope.account):
            raise InvalidParameterValueException("Unsupported function name: qualified ARNs and other accounts' or "
                                                 "regions' ARNs cannot create a function.")
        return name

    def _functions_drop_unused(self, blob_ids: list[str]) -> None:
        """Delete the packages no version refers to any more (published versions share
        $LATEST's blob when they were published from it)."""
        for blob_id in set(blob_ids):
            if self.db.query_one("SELECT 1 FROM function_versions WHERE code_blob = ?", (blob_id,)) is None:
                self.code_store.blobs.delete(blob_id)

    def _functions_id(self, scope: Scope, name: str) -> int | None:
        row = self.db.query_one("SELECT function_id FROM functions WHERE account = ? AND region = ? AND name = ?",
                                (scope.account, scope.region, name))
        return row[0] if row else None

    def _functions_latest(self, scope: Scope, name_or_arn: str) -> FunctionVersion:
        """$LATEST of the function a change names (a change applies to $LATEST only)."""
        parts = split_function_name(name_or_arn)
        if parts is not None and parts[3] is not None and parts[3] != LATEST:
            raise InvalidParameterValueException("Current operation does not support versions other than $LATEST. "
                                                 "Please set version to $LATEST or do not set a version in your "
                                                 "request.")
        return self.resolve_function(scope, name_or_arn.rsplit(":" + LATEST, 1)[0] if parts and parts[3] else
                                     name_or_arn)

    @staticmethod
    def _functions_check_revision(fv: FunctionVersion, revision: str | None) -> None:
        if revision is not None and revision != fv.config.get("RevisionId"):
            raise PreconditionFailedException(REVISION_MISMATCH)

    def _functions_store(self, function_id: int, version: str, config: dict, blob_id: str, sha256: str, size: int,
                         now: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO function_versions (function_id, version, config, code_blob, code_sha256, "
            "code_size, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (function_id, version, json.dumps(config), blob_id, sha256, size, now))


def _marker_of(name: str, version: int) -> str:
    """ListFunctions' NextMarker: where the next page starts (opaque to the client)."""
    return base64.urlsafe_b64encode(json.dumps([name, version]).encode()).decode()


def _marker_position(marker) -> tuple[str, int]:
    if not marker:
        return "", -1
    try:
        name, version = json.loads(base64.urlsafe_b64decode(marker.encode()))
        if isinstance(name, str) and isinstance(version, int):
            return name, version
    except (ValueError, TypeError):
        pass
    raise InvalidParameterValueException("Invalid marker")
