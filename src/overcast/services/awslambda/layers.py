"""Layers: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers,
ListLayerVersions, DeleteLayerVersion, and a layer version's resource policy
(Add/RemoveLayerVersionPermission, GetLayerVersionPolicy). A layer version's zip is kept in
Lambda's blob store like a function's code; ``layer_dirs`` hands the runtime the extracted
layers of a function, in the order /opt receives them, ``layer_environment`` the variables that
point a runtime at them, and ``layer_references`` checks a function's ``Layers`` for core."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from overcast.services.awslambda.errors import (InvalidParameterValueException, PreconditionFailedException,
                                                ResourceConflictException, ResourceNotFoundException)
from overcast.services.awslambda.function_code import check_code_source
from overcast.services.awslambda.function_config import lambda_timestamp
from overcast.services.awslambda.function_refs import new_revision_id
from overcast.services.awslambda.validation import check_input
from overcast.storage.scope import Scope, partition_of

MAX_LAYERS = 5  # "A function can use up to 5 layers at a time" (Lambda quotas)
DEFAULT_PAGE = 50
NOT_FOUND = "The resource you requested does not exist."
NO_POLICY = "No policy is associated with the given resource."
_LAYER_ARN = re.compile(r"arn:(?P<partition>[a-zA-Z0-9-]+):lambda:(?P<region>[a-zA-Z0-9-]+):(?P<account>\d{12}):"
                        r"layer:(?P<name>[a-zA-Z0-9-_]+)(?::(?P<version>[0-9]+))?")
_COLUMNS = ("v.layer_id, l.account, l.region, l.name, v.version, v.description, v.license_info, "
            "v.compatible_runtimes, v.compatible_architectures, v.code_blob, v.code_sha256, v.code_size, v.policy, "
            "v.policy_revision, v.created")


@dataclass(frozen=True)
class LayerVersionRow:
    layer_id: int
    account: str
    region: str
    name: str
    version: int
    description: str
    license_info: str | None
    compatible_runtimes: str | None
    compatible_architectures: str | None
    code_blob: str
    code_sha256: str
    code_size: int
    policy: str | None
    policy_revision: str | None
    created: float

    @property
    def layer_arn(self) -> str:
        return f"arn:{partition_of(self.region)}:lambda:{self.region}:{self.account}:layer:{self.name}"

    @property
    def arn(self) -> str:
        return f"{self.layer_arn}:{self.version}"

    def listed(self) -> dict:
        """The version as ListLayerVersions lists it."""
        item = {"LayerVersionArn": self.arn, "Version": self.version, "Description": self.description,
                "CreatedDate": lambda_timestamp(self.created)}
        if self.compatible_runtimes:
            item["CompatibleRuntimes"] = json.loads(self.compatible_runtimes)
        if self.license_info is not None:
            item["LicenseInfo"] = self.license_info
        if self.compatible_architectures:
            item["CompatibleArchitectures"] = json.loads(self.compatible_architectures)
        return item


def _layer_name(scope: Scope, value: str) -> tuple[Scope, str]:
    found = _LAYER_ARN.fullmatch(value)
    if found is None:
        return scope, value
    return Scope(found["account"], found["region"]), found["name"]


def _matches(row: LayerVersionRow, runtime: str | None, architecture: str | None) -> bool:
    if runtime and runtime not in json.loads(row.compatible_runtimes or "[]"):
        return False
    return not architecture or architecture in json.loads(row.compatible_architectures or "[]")


class LayerOperations:
    def layer_dirs(self, fv) -> list[Path]:
        """The extracted directories of ``fv``'s layers, in the order /opt receives them (a
        deleted layer version still serves the functions that use it)."""
        dirs = []
        for layer in fv.config.get("Layers") or []:
            row = self._layers_row_of_arn(layer.get("Arn", ""), include_deleted=True)
            if row is not None:
                dirs.append(self.code_store.directory(row.code_blob, row.code_sha256))
        return dirs

    def layer_root(self, fv) -> Path | None:
        """The function's /opt: its layers extracted into one directory in order (a later layer's
        file replaces an earlier one's, as on AWS), built once per combination of layers; None
        when the function has no layer."""
        dirs = self.layer_dirs(fv)
        if not dirs:
            return None
        target = Path(self.cloud.storage.data_dir) / "lambda-layers" / hashlib.sha256(
            "\n".join(d.name for d in dirs).encode()).hexdigest()
        if target.is_dir():
            return target
        temp = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}")
        try:
            for layer in dirs:
                shutil.copytree(layer, temp, symlinks=True, dirs_exist_ok=True)
            try:
                os.rename(temp, target)
            except OSError:  # another environment built the same combination first
                if not target.is_dir():
                    raise
        finally:
            shutil.rmtree(temp, ignore_errors=True)
        return target

    def layer_environment(self, fv, variables: dict[str, str]) -> dict[str, str]:
        """The variables through which a runtime finds the function's layers where AWS's
        runtimes look in /opt (``python``, ``python/lib/pythonX.Y/site-packages``,
        ``nodejs/node_modules``, ``bin``, ``lib``), prepended to ``variables``' own; {} when the
        function has no layer. /opt itself is not this machine's to write."""
        root = self.layer_root(fv)
        if root is None:
            return {}
        runtime = fv.config.get("Runtime") or ""

        def joined(name: str, *paths: Path) -> str:
            own = variables.get(name)
            return ":".join([str(path) for path in paths] + ([own] if own else []))

        found = {"PATH": joined("PATH", root / "bin"), "LD_LIBRARY_PATH": joined("LD_LIBRARY_PATH", root / "lib")}
        if runtime.startswith("python"):
            found["PYTHONPATH"] = joined("PYTHONPATH", root / "python",
                                         root / "python" / "lib" / runtime / "site-packages")
        if runtime.startswith("nodejs"):
            major = runtime[len("nodejs"):].split(".")[0]
            found["NODE_PATH"] = joined("NODE_PATH", root / "nodejs" / "node_modules",
                                        root / "nodejs" / f"node{major}" / "node_modules")
        return found

    def layer_references(self, scope: Scope, arns: list[str]) -> list[dict]:
        """A function's ``Layers`` as its configuration answers them ({Arn, CodeSize}), each
        checked as CreateFunction/UpdateFunctionConfiguration check them."""
        if len(arns) > MAX_LAYERS:
            raise InvalidParameterValueException("Cannot reference more than 5 layers.")
        seen: dict[str, str] = {}
        references = []
        for arn in arns:
            found = _LAYER_ARN.fullmatch(arn)
            if found is not None and found["region"] != scope.region:
                raise InvalidParameterValueException("Layers are not in the same region as the function. Layers "
                                                     f"are expected to be in region {scope.region}.")
            row = self._layers_row_of_arn(arn) if found is not None and found["version"] else None
            if row is None:
                raise InvalidParameterValueException(f"Layer version {arn} does not exist.")
            if row.layer_arn in seen:
                raise InvalidParameterValueException(
                    "Two different versions of the same layer are not allowed to be referenced in the same function. "
                    f"{seen[row.layer_arn]} and {arn} are versions of the same layer.")
            seen[row.layer_arn] = arn
            references.append({"Arn": arn, "CodeSize": row.code_size})
        return references

    def layer_policy_of_arn(self, arn: str) -> tuple[str, str | None] | None:
        """(owner account, policy text) of a layer version ARN, None when there is no such
        version (strict mode: another account may get a layer version its policy shares)."""
        row = self._layers_row_of_arn(arn)
        return (row.account, row.policy) if row is not None else None

    # ---- rows ----

    def _layers_row(self, scope: Scope, name: str, version: int, include_deleted: bool = False):
        row = self.db.query_one(
            f"SELECT {_COLUMNS} FROM layer_versions v JOIN layers l ON l.layer_id = v.layer_id WHERE l.account = ? "
            f"AND l.region = ? AND l.name = ? AND v.version = ?{'' if include_deleted else ' AND v.deleted = 0'}",
            (scope.account, scope.region, name, version))
        return LayerVersionRow(*row) if row else None

    def _layers_row_of_arn(self, arn: str, include_deleted: bool = False):
        found = _LAYER_ARN.fullmatch(arn)
        if found is None or not found["version"]:
            return None
        return self._layers_row(Scope(found["account"], found["region"]), found["name"], int(found["version"]),
                                include_deleted)

    def _layers_require(self, ctx, params: dict) -> LayerVersionRow:
        if params["VersionNumber"] < 1:
            raise InvalidParameterValueException("Layer Version Cannot be less than 1")
        scope, name = _layer_name(Scope.of(ctx), params["LayerName"])
        row = self._layers_row(scope, name, params["VersionNumber"])
        if row is None:
            raise ResourceNotFoundException(NOT_FOUND)
        return row

    def _layers_answer(self, ctx, row: LayerVersionRow) -> dict:
        base = f"{'https' if ctx.secure else 'http'}://{ctx.host}"
        answer = row.listed()
        answer["LayerArn"] = row.layer_arn
        answer["Content"] = {"Location": self.code_store.location(base, f"layer-{row.layer_id}", str(row.version),
                                                                  row.code_sha256),
                             "CodeSha256": row.code_sha256, "CodeSize": row.code_size}
        return answer

    def layer_code_blob(self, query: dict) -> str | None:
        """The blob of the layer version a signed Content.Location names (``function`` is
        ``layer-<id>``), None when it names none."""
        layer = str(query.get("function", ""))
        if not layer.startswith("layer-") or not layer[6:].isdigit() or not str(query.get("version", "")).isdigit():
            return None
        row = self.db.query_one("SELECT code_blob FROM layer_versions WHERE layer_id = ? AND version = ? AND "
                                "code_sha256 = ?", (int(layer[6:]), int(query["version"]), query.get("sha")))
        return row[0] if row else None

    # ---- operations ----

    async def publish_layer_version(self, ctx, params: dict) -> dict:
        check_input("PublishLayerVersion", params)
        scope, name = _layer_name(Scope.of(ctx), params["LayerName"])
        if scope != Scope.of(ctx):
            raise ResourceNotFoundException(NOT_FOUND)
        check_code_source(params["Content"], operation="PublishLayerVersion")
        code = await self.code_store.take(ctx, params["Content"], operation="PublishLayerVersion")
        now = self.clock.now()
        with self.db.transaction():
            self.db.execute("INSERT OR IGNORE INTO layers (account, region, name) VALUES (?, ?, ?)",
                            (scope.account, scope.region, name))
            layer_id, last = self.db.query_one("SELECT layer_id, last_version FROM layers WHERE account = ? AND "
                                               "region = ? AND name = ?", (scope.account, scope.region, name))
            self.db.execute("UPDATE layers SET last_version = ? WHERE layer_id = ?", (last + 1, layer_id))
            runtimes, architectures = params.get("CompatibleRuntimes"), params.get("CompatibleArchitectures")
            self.db.execute(
                "INSERT INTO layer_versions (layer_id, version, description, license_info, compatible_runtimes, "
                "compatible_architectures, code_blob, code_sha256, code_size, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?)", (layer_id, last + 1, params.get("Description") or "", params.get("LicenseInfo"),
                          json.dumps(runtimes) if runtimes else None,
                          json.dumps(architectures) if architectures else None,
                          code.blob_id, code.sha256, code.size, now))
        return self._layers_answer(ctx, self._layers_row(scope, name, last + 1))

    def get_layer_version(self, ctx, params: dict) -> dict:
        check_input("GetLayerVersion", params)
        return self._layers_answer(ctx, self._layers_require(ctx, params))

    def get_layer_version_by_arn(self, ctx, params: dict) -> dict:
        check_input("GetLayerVersionByArn", params)
        row = self._layers_row_of_arn(params["Arn"])
        if row is None:
            raise ResourceNotFoundException(NOT_FOUND)
        return self._layers_answer(ctx, row)

    def _layers_versions(self, scope: Scope, name: str | None = None) -> list[LayerVersionRow]:
        sql = (f"SELECT {_COLUMNS} FROM layer_versions v JOIN layers l ON l.layer_id = v.layer_id WHERE l.account = ? "
               "AND l.region = ? AND v.deleted = 0")
        args: tuple = (scope.account, scope.region)
        if name is not None:
            sql += " AND l.name = ?"
            args += (name,)
        return [LayerVersionRow(*row) for row in self.db.query(sql + " ORDER BY l.name, v.version DESC", args)]

    @staticmethod
    def _layers_page(items: list, params: dict, key) -> tuple[list, str | None]:
        marker = params.get("Marker")
        if marker:
            keys = [key(item) for item in items]
            items = items[keys.index(marker):] if marker in keys else []
        limit = params.get("MaxItems") or DEFAULT_PAGE
        return items[:limit], (key(items[limit]) if len(items) > limit else None)

    def list_layers(self, ctx, params: dict) -> dict:
        check_input("ListLayers", params)
        latest: dict[str, LayerVersionRow] = {}
        for row in self._layers_versions(Scope.of(ctx)):
            if row.name not in latest and _matches(row, params.get("CompatibleRuntime"),
                                                   params.get("CompatibleArchitecture")):
                latest[row.name] = row
        page, marker = self._layers_page(list(latest.values()), params, lambda row: row.name)
        answer = {"Layers": [{"LayerName": row.name, "LayerArn": row.layer_arn, "LatestMatchingVersion": row.listed()}
                             for row in page]}
        if marker:
            answer["NextMarker"] = marker
        return answer

    def list_layer_versions(self, ctx, params: dict) -> dict:
        check_input("ListLayerVersions", params)
        scope, name = _layer_name(Scope.of(ctx), params["LayerName"])
        rows = [row for row in self._layers_versions(scope, name)
                if _matches(row, params.get("CompatibleRuntime"), params.get("CompatibleArchitecture"))]
        page, marker = self._layers_page(rows, params, lambda row: str(row.version))
        answer = {"LayerVersions": [row.listed() for row in page]}
        if marker:
            answer["NextMarker"] = marker
        return answer

    def delete_layer_version(self, ctx, params: dict) -> dict:
        # deleting a version that is not there succeeds, as on AWS
        check_input("DeleteLayerVersion", params)
        if params["VersionNumber"] < 1:
            raise InvalidParameterValueException("Layer Version Cannot be less than 1")
        scope, name = _layer_name(Scope.of(ctx), params["LayerName"])
        self.db.execute("UPDATE layer_versions SET deleted = 1, policy = NULL, policy_revision = NULL WHERE version = ? "
                        "AND layer_id = (SELECT layer_id FROM layers WHERE account = ? AND region = ? AND name = ?)",
                        (params["VersionNumber"], scope.account, scope.region, name))
        return {}

    # ---- a layer version's policy ----

    def _layers_require_for_policy(self, ctx, params: dict) -> LayerVersionRow:
        scope, name = _layer_name(Scope.of(ctx), params["LayerName"])
        row = self._layers_row(scope, name, params["VersionNumber"])
        if row is None:
            arn = f"arn:{partition_of(scope.region)}:lambda:{scope.region}:{scope.account}:layer:{name}"
            raise ResourceNotFoundException(f"Layer version {arn}:{params['VersionNumber']} does not exist.")
        return row

    def _layers_save_policy(self, row: LayerVersionRow, statements: list[dict]) -> str | None:
        revision = new_revision_id() if statements else None
        policy = json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements},
                            separators=(",", ":")) if statements else None
        self.db.execute("UPDATE layer_versions SET policy = ?, policy_revision = ? WHERE layer_id = ? AND version = ?",
                        (policy, revision, row.layer_id, row.version))
        return revision

    @staticmethod
    def _layers_check_revision(row: LayerVersionRow, revision: str | None) -> None:
        if revision and revision != row.policy_revision:
            raise PreconditionFailedException("The Revision Id provided does not match the latest Revision Id. Call "
                                              "the GetLayerPolicy API to retrieve the latest Revision Id")

    def add_layer_version_permission(self, ctx, params: dict) -> dict:
        check_input("AddLayerVersionPermission", params)
        row = self._layers_require_for_policy(ctx, params)
        self._layers_check_revision(row, params.get("RevisionId"))
        statements = json.loads(row.policy)["Statement"] if row.policy else []
        sid = params["StatementId"]
        if any(statement.get("Sid") == sid for statement in statements):
            raise ResourceConflictException(f"The statement id ({sid}) provided already exists. Please provide a new "
                                            "statement id, or remove the existing statement.")
        principal = params["Principal"]
        statement = {"Sid": sid, "Effect": "Allow",
                     "Principal": "*" if principal == "*" else {"AWS": principal if principal.startswith("arn:")
                                                                else f"arn:{partition_of(row.region)}:iam::{principal}:root"},
                     "Action": params["Action"], "Resource": row.arn}
        if params.get("OrganizationId"):
            statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": params["OrganizationId"]}}
        revision = self._layers_save_policy(row, statements + [statement])
        return {"Statement": json.dumps(statement, separators=(",", ":")), "RevisionId": revision}

    def remove_layer_version_permission(self, ctx, params: dict) -> dict:
        check_input("RemoveLayerVersionPermission", params)
        row = self._layers_require_for_policy(ctx, params)
        if not row.policy:
            raise ResourceNotFoundException(NO_POLICY)
        statements = json.loads(row.policy)["Statement"]
        kept = [statement for statement in statements if statement.get("Sid") != params["StatementId"]]
        if len(kept) == len(statements):
            raise ResourceNotFoundException(f"Statement {params['StatementId']} is not found in resource policy.")
        self._layers_check_revision(row, params.get("RevisionId"))
        self._layers_save_policy(row, kept)
        return {}

    def get_layer_version_policy(self, ctx, params: dict) -> dict:
        check_input("GetLayerVersionPolicy", params)
        row = self._layers_require_for_policy(ctx, params)
        if not row.policy:
            raise ResourceNotFoundException(NO_POLICY)
        return {"Policy": row.policy, "RevisionId": row.policy_revision}
