"""A function's resource policy: AddPermission (one statement per StatementId, on the
function, one of its versions or an alias), RemovePermission, GetPolicy; and the
authorizer's ``resource_facts`` that evaluates it in strict mode (a caller the policy names;
a layer version's policy likewise).
Services invoking a function as their service principal read the policy through GetPolicy
(``invoke_permission.py``)."""

from __future__ import annotations

import json
import re

from overcast.auth.authorization.authority import ResourceFacts
from overcast.errors import AwsError
from overcast.services.awslambda.arns import split_function_name
from overcast.services.awslambda.errors import (InvalidParameterValueException, PreconditionFailedException,
                                                ResourceConflictException, ResourceNotFoundException,
                                                function_not_found)
from overcast.services.awslambda.function_refs import FunctionRef, function_ref, new_revision_id
from overcast.services.awslambda.models import LATEST
from overcast.services.awslambda.validation import check_input
from overcast.services.awslambda.versions import REVISION_MISMATCH
from overcast.storage.scope import Scope, partition_of

MAX_POLICY_BYTES = 20480  # "The resource-based policy size limit is 20 KB" (Lambda quotas)
_ACCOUNT = re.compile(r"\d{12}")
_IAM_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::\d{12}:\S+")
_SERVICE = re.compile(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?|[a-z0-9-]+\.[a-z0-9.-]+")
_UNQUALIFIED = ""  # the policy of the function itself (invocations of its unqualified ARN)


def _principal(value: str, region: str):
    """The statement's Principal for AddPermission's ``Principal``, as AWS writes it."""
    if value == "*":
        return "*"
    if _ACCOUNT.fullmatch(value):
        return {"AWS": f"arn:{partition_of(region)}:iam::{value}:root"}
    if _IAM_ARN.fullmatch(value):
        return {"AWS": value}
    if _SERVICE.fullmatch(value):
        return {"Service": value}
    raise InvalidParameterValueException("The provided principal was invalid. Please check the principal and "
                                         "try again.")


def _statement(params: dict, resource: str, region: str) -> dict:
    statement = {"Sid": params["StatementId"], "Effect": "Allow",
                 "Principal": _principal(params["Principal"], region), "Action": params["Action"],
                 "Resource": resource}
    equals = {}
    if params.get("SourceAccount"):
        equals["AWS:SourceAccount"] = params["SourceAccount"]
    if params.get("EventSourceToken"):
        equals["lambda:EventSourceToken"] = params["EventSourceToken"]
    if params.get("PrincipalOrgID"):
        equals["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
    if params.get("FunctionUrlAuthType"):
        equals["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
    condition = {}
    if equals:
        condition["StringEquals"] = equals
    if params.get("InvokedViaFunctionUrl") is not None:
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true" if params["InvokedViaFunctionUrl"] else "false"}
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if condition:
        statement["Condition"] = condition
    return statement


class PermissionOperations:
    def _permissions_target(self, ref: FunctionRef) -> tuple[str, str]:
        """(policy key, RevisionId) of what ``ref`` names: the function ($LATEST), a version
        or an alias; ResourceNotFoundException as AWS words it when the qualifier names nothing."""
        qualifier = ref.qualifier
        if not qualifier or qualifier == LATEST:
            row = self.db.query_one("SELECT config FROM function_versions WHERE function_id = ? AND version = ?",
                                    (ref.function_id, LATEST))
            return _UNQUALIFIED, json.loads(row[0]).get("RevisionId", "")
        if qualifier.isdigit():
            row = self.db.query_one("SELECT config FROM function_versions WHERE function_id = ? AND version = ?",
                                    (ref.function_id, qualifier))
            if row is None:
                raise function_not_found(ref.qualified_arn())
            return qualifier, json.loads(row[0]).get("RevisionId", "")
        row = self.db.query_one("SELECT revision_id FROM function_aliases WHERE function_id = ? AND name = ?",
                                (ref.function_id, qualifier))
        if row is None:
            raise ResourceNotFoundException(f"Cannot find alias arn: {ref.qualified_arn()}")
        return qualifier, row[0]

    def _permissions_bump(self, ref: FunctionRef, key: str) -> None:
        """A policy change is a change of what it is attached to: a new RevisionId, as on AWS."""
        if key and not key.isdigit():
            self.db.execute("UPDATE function_aliases SET revision_id = ? WHERE function_id = ? AND name = ?",
                            (new_revision_id(), ref.function_id, key))
            return
        version = key or LATEST
        row = self.db.query_one("SELECT config FROM function_versions WHERE function_id = ? AND version = ?",
                                (ref.function_id, version))
        config = dict(json.loads(row[0]), RevisionId=new_revision_id())
        self.db.execute("UPDATE function_versions SET config = ? WHERE function_id = ? AND version = ?",
                        (json.dumps(config), ref.function_id, version))

    def _permissions_policy(self, function_id: int, key: str) -> dict | None:
        row = self.db.query_one("SELECT policy FROM function_policies WHERE function_id = ? AND qualifier = ?",
                                (function_id, key))
        return json.loads(row[0]) if row else None

    def _permissions_save(self, ref: FunctionRef, key: str, policy: dict | None) -> None:
        with self.db.transaction():
            if policy is None:
                self.db.execute("DELETE FROM function_policies WHERE function_id = ? AND qualifier = ?",
                                (ref.function_id, key))
            else:
                self.db.execute("INSERT OR REPLACE INTO function_policies (function_id, qualifier, policy) "
                                "VALUES (?, ?, ?)", (ref.function_id, key, json.dumps(policy, separators=(",", ":"))))
            self._permissions_bump(ref, key)

    def add_permission(self, ctx, params: dict) -> dict:
        check_input("AddPermission", params)
        scope = Scope.of(ctx)
        ref = function_ref(self, scope, params["FunctionName"], params.get("Qualifier"))
        if ref.qualifier == LATEST:
            raise InvalidParameterValueException("We currently do not support adding policies for $LATEST.")
        key, revision_id = self._permissions_target(ref)
        if params.get("RevisionId") and params["RevisionId"] != revision_id:
            raise PreconditionFailedException(REVISION_MISMATCH)
        policy = self._permissions_policy(ref.function_id, key) or {"Version": "2012-10-17", "Id": "default",
                                                                    "Statement": []}
        sid = params["StatementId"]
        if any(statement.get("Sid") == sid for statement in policy["Statement"]):
            raise ResourceConflictException(f"The statement id ({sid}) provided already exists. Please provide a new "
                                            "statement id, or remove the existing statement.")
        statement = _statement(params, ref.qualified_arn(key or None), scope.region)
        policy["Statement"].append(statement)
        size = len(json.dumps(policy, separators=(",", ":")).encode())
        if size > MAX_POLICY_BYTES:
            raise AwsError("PolicyLengthExceededException",
                           f"The final policy size ({size}) is bigger than the limit ({MAX_POLICY_BYTES}).", 400,
                           fields={"Type": "User"})
        self._permissions_save(ref, key, policy)
        return {"Statement": json.dumps(statement, separators=(",", ":"))}

    def remove_permission(self, ctx, params: dict) -> dict:
        check_input("RemovePermission", params)
        scope = Scope.of(ctx)
        try:
            ref = function_ref(self, scope, params["FunctionName"], params.get("Qualifier"))
        except AwsError as exc:
            if exc.code != "ResourceNotFoundException":
                raise
            raise ResourceNotFoundException(f"No policy found for: {exc.message.split(': ', 1)[-1]}") from None
        key, revision_id = self._permissions_target(ref)
        policy = self._permissions_policy(ref.function_id, key)
        if policy is None:
            raise ResourceNotFoundException("No policy is associated with the given resource.")
        sid = params["StatementId"]
        kept = [statement for statement in policy["Statement"] if statement.get("Sid") != sid]
        if len(kept) == len(policy["Statement"]):
            raise ResourceNotFoundException(f"Statement {sid} is not found in resource policy.")
        if params.get("RevisionId") and params["RevisionId"] != revision_id:
            raise PreconditionFailedException(REVISION_MISMATCH)
        self._permissions_save(ref, key, dict(policy, Statement=kept) if kept else None)
        return {}

    def get_policy(self, ctx, params: dict) -> dict:
        check_input("GetPolicy", params)
        ref = function_ref(self, Scope.of(ctx), params["FunctionName"], params.get("Qualifier"))
        key, revision_id = self._permissions_target(ref)
        policy = self._permissions_policy(ref.function_id, key)
        if policy is None:
            raise ResourceNotFoundException("The resource you requested does not exist.")
        return {"Policy": json.dumps(policy, separators=(",", ":")), "RevisionId": revision_id}

    # ---- the policy in strict mode ----

    def _permissions_policy_of_arn(self, arn: str) -> tuple[str, str | None] | None:
        """(owner account, policy text) of a function ARN (qualified or not), None when no
        such function."""
        parts = split_function_name(arn)
        if parts is None or not parts[0] or not parts[1]:
            return None
        region, account, name, qualifier = parts
        row = self.db.query_one("SELECT function_id FROM functions WHERE account = ? AND region = ? AND name = ?",
                                (account, region, name))
        if row is None:
            return None
        key = _UNQUALIFIED if not qualifier or qualifier == LATEST else qualifier
        found = self.db.query_one("SELECT policy FROM function_policies WHERE function_id = ? AND qualifier = ?",
                                  (row[0], key))
        return account, found[0] if found else None

    def resource_facts(self, ctx, arn: str) -> ResourceFacts | None:
        """A function's owner and the resource policy of what the ARN names (strict mode); a
        layer version's owner and policy (``layers.py``)."""
        if ":layer:" in arn:
            found = self.layer_policy_of_arn(arn)
            return ResourceFacts(owner=found[0], policy=found[1]) if found else None
        if ":function:" not in arn:
            return None
        found = self._permissions_policy_of_arn(arn)
        if found is None:
            return None
        return ResourceFacts(owner=found[0], policy=found[1])
