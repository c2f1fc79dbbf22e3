"""Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s): how Lambda handles a function's
asynchronous invocations (retries, event age, destinations), per function and qualifier.

A config belongs to ``$LATEST`` (an unqualified FunctionName), a version or an alias; the
qualifier an Event invocation names chooses the config it runs under (``async_invoke.py``).
Put replaces the whole config, Update changes only the members it is given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from overcast.errors import AwsError
from overcast.services.awslambda.errors import InvalidParameterValueException, ResourceNotFoundException
from overcast.services.awslambda.function_refs import function_ref
from overcast.services.awslambda.models import LATEST
from overcast.storage.scope import Scope

# the model's limits (FunctionEventInvokeConfig): 0-2 retries, 60 seconds to 6 hours
MAX_RETRY_ATTEMPTS = 2
MIN_EVENT_AGE, MAX_EVENT_AGE = 60, 21600
MAX_ITEMS = 50  # ListFunctionEventInvokeConfigs' MaxItems: 1-50
# the services Lambda sends invocation records to; an S3 bucket takes failure records only
DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events")
FAILURE_ONLY_SERVICES = ("s3",)
_DESTINATION_PATTERN = (r"^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?"
                        r":(\d{12})?:(.*)")


@dataclass
class EventInvokeConfig:
    """A function's async settings for one qualifier; None limits are AWS's defaults."""

    maximum_retry_attempts: int | None
    maximum_event_age: int | None
    on_success: str | None
    on_failure: str | None
    last_modified: float

    @property
    def retries(self) -> int:
        return MAX_RETRY_ATTEMPTS if self.maximum_retry_attempts is None else self.maximum_retry_attempts

    @property
    def event_age(self) -> int:
        return MAX_EVENT_AGE if self.maximum_event_age is None else self.maximum_event_age


DEFAULT_CONFIG = EventInvokeConfig(None, None, None, None, 0.0)


def _validation(value, member: str, constraint: str) -> AwsError:
    return AwsError("ValidationException", f"1 validation error detected: Value '{value}' at '{member}' failed to "
                    f"satisfy constraint: {constraint}", 400)


def _check_limits(params: dict) -> None:
    retries = params.get("MaximumRetryAttempts")
    if retries is not None:
        if retries < 0:
            raise _validation(retries, "maximumRetryAttempts", "Member must have value greater than or equal to 0")
        if retries > MAX_RETRY_ATTEMPTS:
            raise _validation(retries, "maximumRetryAttempts",
                              f"Member must have value less than or equal to {MAX_RETRY_ATTEMPTS}")
    age = params.get("MaximumEventAgeInSeconds")
    if age is not None:
        if age < MIN_EVENT_AGE:
            raise _validation(age, "maximumEventAgeInSeconds",
                              f"Member must have value greater than or equal to {MIN_EVENT_AGE}")
        if age > MAX_EVENT_AGE:
            raise _validation(age, "maximumEventAgeInSeconds",
                              f"Member must have value less than or equal to {MAX_EVENT_AGE}")


def _destinations(params: dict) -> dict[str, str | None]:
    """{"OnSuccess": arn or None, "OnFailure": arn or None} of a request's DestinationConfig."""
    config = params.get("DestinationConfig") or {}
    found: dict[str, str | None] = {}
    for key, member in (("OnSuccess", "onSuccess"), ("OnFailure", "onFailure")):
        arn = (config.get(key) or {}).get("Destination") or None
        if arn is not None:
            if len(arn) > 350 or not re.fullmatch(_DESTINATION_PATTERN, arn):
                raise _validation(arn, f"destinationConfig.{member}.destination",
                                  f"Member must satisfy regular expression pattern: {_DESTINATION_PATTERN}")
            service = arn.split(":")[2]
            if service not in DESTINATION_SERVICES and not (key == "OnFailure" and service in FAILURE_ONLY_SERVICES):
                raise InvalidParameterValueException(f"The provided destination config DestinationConfig("
                                                     f"{member}.destination={arn}) is invalid: Lambda sends "
                                                     "invocation records to SQS, SNS, Lambda and EventBridge, "
                                                     "and failure records to S3 too.")
        found[key] = arn
    return found


def _row_config(row) -> EventInvokeConfig:
    destinations = json.loads(row[2])
    return EventInvokeConfig(row[0], row[1], destinations.get("OnSuccess"), destinations.get("OnFailure"), row[3])


class EventInvokeConfigOperations:
    # ------------------------------------------------------------------ what the queue reads
    def event_invoke_config(self, scope, function_name: str, qualifier: str | None) -> EventInvokeConfig:
        """The config an Event invocation of ``function_name`` (qualifier as named) runs
        under; AWS's defaults when it has none."""
        row = self.db.query_one(
            "SELECT maximum_retry_attempts, maximum_event_age, destination_config, last_modified "
            "FROM event_invoke_configs WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            (scope[0], scope[1], function_name, qualifier or LATEST))
        return _row_config(row) if row is not None else DEFAULT_CONFIG

    def _eic_drop_function(self, scope, name: str) -> None:
        """A deleted function's configs go with it."""
        self.db.execute("DELETE FROM event_invoke_configs WHERE account = ? AND region = ? AND function_name = ?",
                        (scope[0], scope[1], name))

    # ------------------------------------------------------------------ operations
    def _eic_target(self, ctx, params: dict) -> tuple:
        """(function, qualifier as named) of a request; the function and the version or alias
        it names must exist."""
        scope = Scope.of(ctx)
        ref = function_ref(self, scope, params.get("FunctionName") or "", params.get("Qualifier"))
        qualifier = ref.qualifier or LATEST
        if qualifier != LATEST:
            self.resolve_function(scope, ref.arn, qualifier)
        return ref, qualifier

    def _eic_answer(self, fv, qualifier: str, config: EventInvokeConfig) -> dict:
        answer = {"LastModified": config.last_modified, "FunctionArn": f"{fv.arn}:{qualifier}"}
        if config.maximum_retry_attempts is not None:
            answer["MaximumRetryAttempts"] = config.maximum_retry_attempts
        if config.maximum_event_age is not None:
            answer["MaximumEventAgeInSeconds"] = config.maximum_event_age
        answer["DestinationConfig"] = {
            "OnSuccess": {"Destination": config.on_success} if config.on_success else {},
            "OnFailure": {"Destination": config.on_failure} if config.on_failure else {}}
        return answer

    def _eic_stored(self, ctx, fv, qualifier: str) -> EventInvokeConfig | None:
        row = self.db.query_one(
            "SELECT maximum_retry_attempts, maximum_event_age, destination_config, last_modified "
            "FROM event_invoke_configs WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            (ctx.account, ctx.region, fv.name, qualifier))
        return _row_config(row) if row is not None else None

    def _eic_missing(self, fv, qualifier: str) -> AwsError:
        return ResourceNotFoundException(f"The function {fv.arn}:{qualifier} doesn't have an EventInvokeConfig")

    def _eic_write(self, ctx, fv, qualifier: str, config: EventInvokeConfig) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO event_invoke_configs (account, region, function_name, qualifier, "
                "maximum_retry_attempts, maximum_event_age, destination_config, last_modified) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (ctx.account, ctx.region, fv.name, qualifier, config.maximum_retry_attempts,
                 config.maximum_event_age, json.dumps({"OnSuccess": config.on_success,
                                                       "OnFailure": config.on_failure}),
                 config.last_modified))

    def put_function_event_invoke_config(self, ctx, params: dict) -> dict:
        _check_limits(params)
        destinations = _destinations(params)
        fv, qualifier = self._eic_target(ctx, params)
        config = EventInvokeConfig(params.get("MaximumRetryAttempts"), params.get("MaximumEventAgeInSeconds"),
                                   destinations.get("OnSuccess"), destinations.get("OnFailure"), self.clock.now())
        self._eic_write(ctx, fv, qualifier, config)
        return self._eic_answer(fv, qualifier, config)

    def update_function_event_invoke_config(self, ctx, params: dict) -> dict:
        _check_limits(params)
        destinations = _destinations(params)
        fv, qualifier = self._eic_target(ctx, params)
        config = self._eic_stored(ctx, fv, qualifier)
        if config is None:
            raise self._eic_missing(fv, qualifier)
        if "MaximumRetryAttempts" in params:
            config.maximum_retry_attempts = params["MaximumRetryAttempts"]
        if "MaximumEventAgeInSeconds" in params:
            config.maximum_event_age = params["MaximumEventAgeInSeconds"]
        given = params.get("DestinationConfig") or {}
        if "OnSuccess" in given:
            config.on_success = destinations.get("OnSuccess")
        if "OnFailure" in given:
            config.on_failure = destinations.get("OnFailure")
        config.last_modified = self.clock.now()
        self._eic_write(ctx, fv, qualifier, config)
        return self._eic_answer(fv, qualifier, config)

    def get_function_event_invoke_config(self, ctx, params: dict) -> dict:
        fv, qualifier = self._eic_target(ctx, params)
        config = self._eic_stored(ctx, fv, qualifier)
        if config is None:
            raise self._eic_missing(fv, qualifier)
        return self._eic_answer(fv, qualifier, config)

    def delete_function_event_invoke_config(self, ctx, params: dict) -> dict:
        fv, qualifier = self._eic_target(ctx, params)
        with self.db.transaction():
            deleted = self.db.execute(
                "DELETE FROM event_invoke_configs WHERE account = ? AND region = ? AND function_name = ? "
                "AND qualifier = ?", (ctx.account, ctx.region, fv.name, qualifier))
        if not deleted:
            raise self._eic_missing(fv, qualifier)
        return {}

    def list_function_event_invoke_configs(self, ctx, params: dict) -> dict:
        max_items = params.get("MaxItems")
        if max_items is not None and not 1 <= max_items <= MAX_ITEMS:
            constraint = ("Member must have value greater than or equal to 1" if max_items < 1 else
                          f"Member must have value less than or equal to {MAX_ITEMS}")
            raise _validation(max_items, "maxItems", constraint)
        fv = function_ref(self, Scope.of(ctx), params.get("FunctionName") or "")
        rows = self.db.query(
            "SELECT maximum_retry_attempts, maximum_event_age, destination_config, last_modified, qualifier "
            "FROM event_invoke_configs WHERE account = ? AND region = ? AND function_name = ? ORDER BY qualifier",
            (ctx.account, ctx.region, fv.name))
        marker = params.get("Marker")
        if marker:
            rows = [row for row in rows if row[4] > marker]
        limit = max_items or MAX_ITEMS
        chosen = rows[:limit]
        answer = {"FunctionEventInvokeConfigs": [self._eic_answer(fv, row[4], _row_config(row)) for row in chosen]}
        if len(rows) > limit:
            answer["NextMarker"] = chosen[-1][4]
        return answer

