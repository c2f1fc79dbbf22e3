"""Create/Get/Update/Delete/ListEventSourceMappings (esm); Amazon SQS sources only for now
(a stream, Kafka, MQ or DocumentDB source answers 501). The pollers that run each enabled
mapping are ``esm_sqs_poller.py`` (``SqsMappingPollers``).

A mapping's row keeps its settled state (``Enabled`` or ``Disabled``); the calls that change
it answer the transitional state AWS answers (Creating, Enabling, Disabling, Updating,
Deleting) and the change takes effect at once. MetricsConfig, ProvisionedPollerConfig and
KMSKeyArn are kept and answered, not acted on (no AWS/Lambda mapping metrics, no provisioned
pollers, filter criteria stored in clear); Tags are kept in the tags table by the mapping's
ARN (ListTags/TagResource on a mapping's ARN are core's ``tags.py``, functions only so far).
"""

from __future__ import annotations

import json
import uuid

from overcast.context import RequestContext
from overcast.errors import AwsError, NotImplementedOperation
from overcast.services.awslambda.arns import split_function_name
from overcast.services.awslambda.errors import (InvalidParameterValueException, ResourceConflictException,
                                                ResourceNotFoundException)
from overcast.services.awslambda.esm_checks import (DEFAULT_BATCH_SIZE, check_batching, check_filter_criteria,
                                                    check_sqs_parameters)
from overcast.services.awslambda.esm_sqs_poller import SqsMappingPollers
from overcast.services.awslambda.models import FunctionVersion
from overcast.services.awslambda.validation import check_input
from overcast.storage.scope import Scope

_COLUMNS = "uuid, account, region, function_arn, event_source_arn, config, state, last_modified"
_NOT_FOUND = "The resource you requested does not exist."
_NOT_SQS = frozenset({"kinesis", "dynamodb", "kafka", "mq", "rds", "docdb"})
_DEFAULT_LIST_ITEMS = 100
_TAG_LIMIT = 50  # tags per resource, as for functions
# what the mapping stores of the request, in the order the API answers it
_CONFIG_KEYS = ("BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes",
                "ScalingConfig", "MetricsConfig", "ProvisionedPollerConfig", "KMSKeyArn")


def _queue_parts(arn: str) -> tuple[str, str, str] | None:
    """(region, account, queue name) of an SQS queue ARN."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[2] != "sqs" or not parts[5]:
        return None
    return parts[3], parts[4], parts[5]


class EventSourceMappingOperations(SqsMappingPollers):
    # ------------------------------------------------------------------ operations
    async def create_event_source_mapping(self, ctx, params: dict) -> dict:
        check_input("CreateEventSourceMapping", params)
        scope = Scope.of(ctx)
        source_arn = params.get("EventSourceArn")
        self._esm_check_source(source_arn)
        check_sqs_parameters(params)
        function_arn, fv = self._esm_function(scope, params.get("FunctionName", ""))
        queue = await self._esm_queue(ctx, source_arn)
        config = self._esm_config(params, {}, queue)
        self._esm_check_visibility(queue, fv)
        await self._esm_check_role(scope, fv, source_arn)
        self._esm_check_unique(scope, source_arn, function_arn)
        mapping_id = str(uuid.uuid4())
        state = "Enabled" if params.get("Enabled", True) is not False else "Disabled"
        now = self.clock.now()
        tags = params.get("Tags") or {}
        if len(tags) > _TAG_LIMIT:
            raise InvalidParameterValueException(f"Number of tags exceeds resource tag limit of {_TAG_LIMIT}.")
        with self.db.transaction():
            self.db.execute(f"INSERT INTO event_source_mappings ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (mapping_id, scope.account, scope.region, function_arn, source_arn,
                             json.dumps(config), state, now))
            # in the tags table every Lambda resource shares, by the mapping's ARN
            self.db.executemany("INSERT INTO tags (arn, key, value) VALUES (?, ?, ?)",
                                [(_mapping_arn(scope.account, scope.region, mapping_id), key, value)
                                 for key, value in tags.items()])
        row = self._esm_row(scope, mapping_id)
        self._esm_restart_pollers(row)
        return self._esm_answer(row, "Creating")

    def get_event_source_mapping(self, ctx, params: dict) -> dict:
        check_input("GetEventSourceMapping", params)
        return self._esm_answer(self._esm_existing(Scope.of(ctx), params.get("UUID")))

    async def update_event_source_mapping(self, ctx, params: dict) -> dict:
        check_input("UpdateEventSourceMapping", params)
        scope = Scope.of(ctx)
        row = self._esm_existing(scope, params.get("UUID"))
        check_sqs_parameters(params)
        function_arn, fv = self._esm_function(scope, params.get("FunctionName") or row["function_arn"])
        queue = await self._esm_queue(ctx, row["event_source_arn"])
        config = self._esm_config(params, row["config"], queue)
        self._esm_check_visibility(queue, fv)
        await self._esm_check_role(scope, fv, row["event_source_arn"])
        if function_arn != row["function_arn"]:
            self._esm_check_unique(scope, row["event_source_arn"], function_arn)
        state = row["state"]
        if params.get("Enabled") is not None:
            state = "Enabled" if params["Enabled"] else "Disabled"
        with self.db.transaction():
            self.db.execute("UPDATE event_source_mappings SET function_arn = ?, config = ?, state = ?, "
                            "last_modified = ? WHERE uuid = ?",
                            (function_arn, json.dumps(config), state, self.clock.now(), row["uuid"]))
        transition = "Updating"
        if state != row["state"]:
            transition = "Enabling" if state == "Enabled" else "Disabling"
        row = self._esm_row(scope, row["uuid"])
        self._esm_restart_pollers(row)
        return self._esm_answer(row, transition)

    def delete_event_source_mapping(self, ctx, params: dict) -> dict:
        check_input("DeleteEventSourceMapping", params)
        scope = Scope.of(ctx)
        row = self._esm_existing(scope, params.get("UUID"))
        self._esm_stop_pollers(row["uuid"])
        with self.db.transaction():
            self.db.execute("DELETE FROM event_source_mappings WHERE uuid = ?", (row["uuid"],))
            self.db.execute("DELETE FROM tags WHERE arn = ?",
                            (_mapping_arn(row["account"], row["region"], row["uuid"]),))
        return self._esm_answer(row, "Deleting")

    def list_event_source_mappings(self, ctx, params: dict) -> dict:
        check_input("ListEventSourceMappings", params)
        scope = Scope.of(ctx)
        sql = f"SELECT {_COLUMNS} FROM event_source_mappings WHERE account = ? AND region = ?"
        args: list = [scope.account, scope.region]
        if params.get("EventSourceArn"):
            sql += " AND event_source_arn = ?"
            args.append(params["EventSourceArn"])
        if params.get("FunctionName"):
            sql += " AND function_arn = ?"
            args.append(self._esm_function(scope, params["FunctionName"])[0])
        marker = params.get("Marker")
        if marker:
            sql += " AND uuid > ?"
            args.append(marker)
        limit = params.get("MaxItems") or _DEFAULT_LIST_ITEMS
        rows = [_as_dict(row) for row in self.db.query(sql + " ORDER BY uuid LIMIT ?", (*args, limit + 1))]
        answer: dict = {"EventSourceMappings": [self._esm_answer(row) for row in rows[:limit]]}
        if len(rows) > limit:
            answer["NextMarker"] = rows[limit - 1]["uuid"]
        return answer

    # ------------------------------------------------------------------ helpers
    def _esm_check_unique(self, scope: Scope, source_arn: str, function_arn: str) -> None:
        """One mapping per queue and function, as AWS allows."""
        row = self.db.query_one("SELECT uuid FROM event_source_mappings WHERE account = ? AND region = ? "
                                "AND event_source_arn = ? AND function_arn = ?",
                                (scope.account, scope.region, source_arn, function_arn))
        if row is not None:
            raise ResourceConflictException(
                f'An event source mapping with SQS arn (" {source_arn} ") and function (" {_name_of(function_arn)} ") '
                f"already exists. Please update or delete the existing mapping with UUID {row[0]}")

    def _esm_check_source(self, source_arn) -> None:
        if not source_arn:
            raise InvalidParameterValueException("Unrecognized event source.")
        service = source_arn.split(":")[2] if source_arn.count(":") >= 5 else ""
        if service in _NOT_SQS:
            raise NotImplementedOperation(
                message=f"Event source mappings of {service} sources are not implemented in Overcast (SQS only).")
        if service != "sqs" or _queue_parts(source_arn) is None:
            raise InvalidParameterValueException("Unrecognized event source.")

    def _esm_function(self, scope: Scope, name: str) -> tuple[str, FunctionVersion]:
        """(the ARN the mapping invokes, the function version it names now); a version or
        alias named in the ARN stays in it."""
        fv = self.resolve_function(scope, name)
        parts = split_function_name(name)
        qualifier = parts[3] if parts else None
        arn = f"{fv.arn}:{qualifier}" if qualifier else fv.arn
        return arn, fv

    async def _esm_queue(self, ctx, source_arn: str) -> dict:
        """The queue's VisibilityTimeout and FifoQueue, as Lambda reads them at create."""
        region, account, name = _queue_parts(source_arn)
        caller = RequestContext(account=ctx.account, region=region, service="lambda",
                                principal_arn="lambda.amazonaws.com", registry=self.cloud.services)
        try:
            answer = await caller.services.call("sqs", "GetQueueAttributes", {
                "QueueUrl": f"/{account}/{name}", "AttributeNames": ["VisibilityTimeout", "FifoQueue"]},
                account=account)
        except AwsError as exc:
            code = "AWS.SimpleQueueService.NonExistentQueue" if "NonExistentQueue" in exc.code or \
                exc.code == "QueueDoesNotExist" else exc.code
            raise InvalidParameterValueException(f"Error occurred while ReceiveMessage. SQS Error Code: {code}. "
                                                 f"SQS Error Message: {exc.message}") from None
        attributes = answer.get("Attributes") or {}
        return {"visibility": int(attributes.get("VisibilityTimeout", 30)),
                "fifo": attributes.get("FifoQueue") == "true"}

    async def _esm_check_role(self, scope: Scope, fv: FunctionVersion, source_arn: str) -> None:
        """Strict mode: the function's role must be able to poll the queue (``esm_role.py``)."""
        if not self.cloud.settings.strict:
            return
        region, account, name = _queue_parts(source_arn)
        try:
            ctx = self._esm_roles.context(scope.account, region, fv.config.get("Role") or "", fv.name)
        except AwsError:
            raise InvalidParameterValueException(
                "The function execution role does not have permissions to call ReceiveMessage on SQS") from None
        await self._esm_roles.check_queue_access(ctx, f"/{account}/{name}", account)

    @staticmethod
    def _esm_check_visibility(queue: dict, fv: FunctionVersion) -> None:
        timeout = int(fv.config.get("Timeout") or 3)
        if queue["visibility"] < timeout:
            raise InvalidParameterValueException(
                f"Queue visibility timeout: {queue['visibility']} seconds is less than Function timeout: "
                f"{timeout} seconds")

    @staticmethod
    def _esm_config(params: dict, current: dict, queue: dict) -> dict:
        config = {key: current[key] for key in _CONFIG_KEYS if key in current}
        for key in _CONFIG_KEYS:
            if params.get(key) is not None:
                config[key] = params[key]
        config.setdefault("BatchSize", DEFAULT_BATCH_SIZE)
        config.setdefault("MaximumBatchingWindowInSeconds", 0)
        config.setdefault("FunctionResponseTypes", [])
        if "FilterCriteria" in config:
            if check_filter_criteria(config["FilterCriteria"]):
                config["FilterCriteria"] = {"Filters": [{"Pattern": f["Pattern"]}
                                                        for f in config["FilterCriteria"]["Filters"]]}
            else:  # an empty FilterCriteria removes the filters
                del config["FilterCriteria"]
        if "ScalingConfig" in config and not config["ScalingConfig"]:
            del config["ScalingConfig"]
        check_batching(config["BatchSize"], config["MaximumBatchingWindowInSeconds"], queue["fifo"])
        return config

    def _esm_row(self, scope: Scope, mapping_id) -> dict | None:
        if not isinstance(mapping_id, str):
            return None
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM event_source_mappings WHERE uuid = ? AND account = ? "
                                "AND region = ?", (mapping_id, scope.account, scope.region))
        return _as_dict(row) if row else None

    def _esm_existing(self, scope: Scope, mapping_id) -> dict:
        row = self._esm_row(scope, mapping_id)
        if row is None:
            raise ResourceNotFoundException(_NOT_FOUND)
        return row

    @staticmethod
    def _esm_answer(row: dict, state: str | None = None) -> dict:
        config = row["config"]
        answer = {"UUID": row["uuid"], "BatchSize": config["BatchSize"],
                  "MaximumBatchingWindowInSeconds": config["MaximumBatchingWindowInSeconds"],
                  "EventSourceArn": row["event_source_arn"]}
        if "FilterCriteria" in config:
            answer["FilterCriteria"] = config["FilterCriteria"]
        answer.update({"FunctionArn": row["function_arn"], "LastModified": row["last_modified"],
                       "State": state or row["state"], "StateTransitionReason": "USER_INITIATED",
                       "FunctionResponseTypes": config["FunctionResponseTypes"]})
        for key in ("ScalingConfig", "MetricsConfig", "ProvisionedPollerConfig", "KMSKeyArn"):
            if key in config:
                answer[key] = config[key]
        answer["EventSourceMappingArn"] = _mapping_arn(row["account"], row["region"], row["uuid"])
        return answer


def _as_dict(row) -> dict:
    mapping_id, account, region, function_arn, source_arn, config, state, modified = row
    return {"uuid": mapping_id, "account": account, "region": region, "function_arn": function_arn,
            "event_source_arn": source_arn, "config": json.loads(config), "state": state,
            "last_modified": modified}


def _mapping_arn(account: str, region: str, mapping_id: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:event-source-mapping:{mapping_id}"


def _name_of(function_arn: str) -> str:
    parts = function_arn.split(":")
    return parts[6] if len(parts) > 6 else function_arn

