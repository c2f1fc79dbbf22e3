"""PutFunctionConcurrency, GetFunctionConcurrency, DeleteFunctionConcurrency (a function's
reserved concurrency, which ``invoke_sync`` enforces through ``concurrency_limit``) and
GetAccountSettings (the account's limits and usage in a region)."""

from __future__ import annotations

from overcast.services.awslambda.errors import InvalidParameterValueException
from overcast.services.awslambda.function_refs import function_ref
from overcast.services.awslambda.validation import check_input
from overcast.storage.scope import Scope

# Lambda quotas (default, per account and region): 1,000 concurrent executions, of which 100
# always stay unreserved; 75 GB of code; a 50 MB zipped / 250 MB unzipped deployment package.
ACCOUNT_CONCURRENCY = 1000
MINIMUM_UNRESERVED = 100
TOTAL_CODE_SIZE = 80530636800
CODE_SIZE_ZIPPED = 52428800
CODE_SIZE_UNZIPPED = 262144000


class ConcurrencyOperations:
    def concurrency_limit(self, fv) -> int | None:
        """The reserved concurrency of ``fv``'s function, None when it has none."""
        row = self.db.query_one("SELECT reserved FROM function_concurrency WHERE function_id = ?", (fv.function_id,))
        return row[0] if row else None

    def _concurrency_reserved_elsewhere(self, scope: Scope, function_id: int | None = None) -> int:
        row = self.db.query_one(
            "SELECT COALESCE(SUM(c.reserved), 0) FROM function_concurrency c JOIN functions f "
            "ON f.function_id = c.function_id WHERE f.account = ? AND f.region = ? AND c.function_id IS NOT ?",
            (scope.account, scope.region, function_id))
        return row[0]

    def put_function_concurrency(self, ctx, params: dict) -> dict:
        check_input("PutFunctionConcurrency", params)
        scope = Scope.of(ctx)
        ref = function_ref(self, scope, params["FunctionName"])
        reserved = params["ReservedConcurrentExecutions"]
        unreserved = ACCOUNT_CONCURRENCY - self._concurrency_reserved_elsewhere(scope, ref.function_id)
        if unreserved - reserved < MINIMUM_UNRESERVED:
            raise InvalidParameterValueException(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{MINIMUM_UNRESERVED}].")
        self.db.execute("INSERT OR REPLACE INTO function_concurrency (function_id, reserved) VALUES (?, ?)",
                        (ref.function_id, reserved))
        return {"ReservedConcurrentExecutions": reserved}

    def get_function_concurrency(self, ctx, params: dict) -> dict:
        check_input("GetFunctionConcurrency", params)
        ref = function_ref(self, Scope.of(ctx), params["FunctionName"])
        row = self.db.query_one("SELECT reserved FROM function_concurrency WHERE function_id = ?", (ref.function_id,))
        return {"ReservedConcurrentExecutions": row[0]} if row else {}

    def delete_function_concurrency(self, ctx, params: dict) -> dict:
        check_input("DeleteFunctionConcurrency", params)
        ref = function_ref(self, Scope.of(ctx), params["FunctionName"])
        self.db.execute("DELETE FROM function_concurrency WHERE function_id = ?", (ref.function_id,))
        return {}

    def get_account_settings(self, ctx, params: dict) -> dict:
        scope = Scope.of(ctx)
        functions, code_size = self.db.query_one(
            "SELECT COUNT(DISTINCT f.function_id), COALESCE(SUM(v.code_size), 0) FROM functions f "
            "LEFT JOIN function_versions v ON v.function_id = f.function_id WHERE f.account = ? AND f.region = ?",
            (scope.account, scope.region))
        layer_size = self.db.query_one(
            "SELECT COALESCE(SUM(v.code_size), 0) FROM layer_versions v JOIN layers l ON l.layer_id = v.layer_id "
            "WHERE l.account = ? AND l.region = ?", (scope.account, scope.region))[0]
        return {
            "AccountLimit": {"TotalCodeSize": TOTAL_CODE_SIZE, "CodeSizeUnzipped": CODE_SIZE_UNZIPPED,
                             "CodeSizeZipped": CODE_SIZE_ZIPPED, "ConcurrentExecutions": ACCOUNT_CONCURRENCY,
                             "UnreservedConcurrentExecutions":
                                 ACCOUNT_CONCURRENCY - self._concurrency_reserved_elsewhere(scope)},
            "AccountUsage": {"TotalCodeSize": code_size + layer_size, "FunctionCount": functions},
        }
