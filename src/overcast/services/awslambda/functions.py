"""Functions: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
DeleteFunction, UpdateFunctionCode, UpdateFunctionConfiguration (core), and the interfaces the
other concerns use: ``resolve_function``, ``code_dir``, ``add_function_listener``."""

from __future__ import annotations

import json
from pathlib import Path

from overcast.services.awslambda.arns import function_arn, split_function_name
from overcast.services.awslambda.errors import function_not_found
from overcast.services.awslambda.models import LATEST, FunctionVersion
from overcast.storage.scope import Scope


class FunctionOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._function_listeners = []

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
        raise NotImplementedError  # filled in by the CreateFunction slice
