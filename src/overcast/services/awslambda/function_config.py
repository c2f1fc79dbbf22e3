"""What a function's configuration is made of: the checks Lambda makes on CreateFunction's and
UpdateFunctionConfiguration's settings (after the model's), and GetFunctionConfiguration's
answer built from them."""

from __future__ import annotations

import json
import time
import uuid

from overcast.services.awslambda.errors import InvalidParameterValueException
from overcast.services.awslambda.runtimes import runtime_problem

ENVIRONMENT_LIMIT = 4096
RESERVED_VARIABLES = (
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
)
# settings CreateFunction records as given and answers back
_PASSED = ("DeadLetterConfig", "KMSKeyArn", "VpcConfig", "FileSystemConfigs")


def lambda_timestamp(epoch: float) -> str:
    """LastModified as Lambda answers it: ``2024-01-01T00:00:00.000+0000``."""
    whole = int(epoch)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((epoch - whole) * 1000):03d}+0000"


def check_image(params: dict) -> None:
    if params.get("PackageType") == "Image":
        uri = (params.get("Code") or {}).get("ImageUri")
        raise InvalidParameterValueException(
            f"Source image {uri} does not exist. Provide a valid source image." if uri else
            "Please provide ImageUri when creating a function with packageType Image.")


def check_runtime(runtime, handler, *, required: bool) -> None:
    if required and (not runtime or not handler):
        raise InvalidParameterValueException("Runtime and Handler are mandatory parameters for functions created "
                                             "with deployment packages.")
    if runtime:
        problem = runtime_problem(runtime)
        if problem:
            raise InvalidParameterValueException(problem)


def check_environment(environment) -> None:
    if not isinstance(environment, dict):
        return
    variables = environment.get("Variables") or {}
    reserved = [k for k in variables if k in RESERVED_VARIABLES]
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you have "
            "provided contains reserved keys that are currently not supported for modification. Reserved keys used "
            f"in this request: {', '.join(reserved)}")
    measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode()) > ENVIRONMENT_LIMIT:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you have "
            f"provided exceeded the 4KB limit. String measured: {measured}")


def new_configuration(name: str, arn: str, params: dict, code, now: float, layers: list[dict]) -> dict:
    """$LATEST's configuration right after CreateFunction (State Active once stored; the create
    call itself answers Pending, as AWS does)."""
    config = {
        "FunctionName": name, "FunctionArn": arn, "Runtime": params["Runtime"], "Role": params["Role"],
        "Handler": params["Handler"], "CodeSize": code.size, "Description": params.get("Description", ""),
        "Timeout": params.get("Timeout", 3), "MemorySize": params.get("MemorySize", 128),
        "LastModified": lambda_timestamp(now), "CodeSha256": code.sha256, "Version": "$LATEST",
        "TracingConfig": {"Mode": (params.get("TracingConfig") or {}).get("Mode", "PassThrough")},
        "RevisionId": str(uuid.uuid4()),
        "State": "Active", "LastUpdateStatus": "Successful", "PackageType": "Zip",
        "Architectures": params.get("Architectures") or ["x86_64"],
        "EphemeralStorage": {"Size": (params.get("EphemeralStorage") or {}).get("Size", 512)},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": _logging(params.get("LoggingConfig"), name),
    }
    if params.get("Environment") is not None:
        config["Environment"] = {"Variables": dict(params["Environment"].get("Variables") or {})}
    if layers:
        config["Layers"] = layers
    for key in _PASSED:
        if params.get(key) is not None:
            config[key] = params[key]
    return config


def updated_configuration(config: dict, params: dict, now: float, layers: list[dict] | None = None) -> dict:
    """``layers``: the new Layers ({Arn, CodeSize}) when the request names them."""
    new = dict(config)
    for key in ("Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", *_PASSED):
        if params.get(key) is not None:
            new[key] = params[key]
    if params.get("Environment") is not None:
        new["Environment"] = {"Variables": dict(params["Environment"].get("Variables") or {})}
    if params.get("TracingConfig") is not None:
        new["TracingConfig"] = {"Mode": params["TracingConfig"].get("Mode", "PassThrough")}
    if params.get("EphemeralStorage") is not None:
        new["EphemeralStorage"] = {"Size": params["EphemeralStorage"]["Size"]}
    if params.get("LoggingConfig") is not None:
        new["LoggingConfig"] = _logging({**config.get("LoggingConfig", {}), **params["LoggingConfig"]},
                                        config["FunctionName"])
    if layers is not None:
        if layers:
            new["Layers"] = layers
        else:
            new.pop("Layers", None)
    new["LastModified"] = lambda_timestamp(now)
    new["RevisionId"] = str(uuid.uuid4())
    return new


def as_in_progress(config: dict, *, creating: bool) -> dict:
    """The answer of the call that made the change: AWS reports the work still running (the
    stored configuration is already Active / Successful for every later read)."""
    shown = dict(config)
    if creating:
        shown.pop("LastUpdateStatus", None)
        shown.update(State="Pending", StateReason="The function is being created.", StateReasonCode="Creating")
    else:
        shown.update(LastUpdateStatus="InProgress", LastUpdateStatusReason="The function is being created.",
                     LastUpdateStatusReasonCode="Creating")
    return shown


def _logging(given, name: str) -> dict:
    given = given or {}
    out = {"LogFormat": given.get("LogFormat", "Text"), "LogGroup": given.get("LogGroup") or f"/aws/lambda/{name}"}
    if out["LogFormat"] == "JSON":
        out["ApplicationLogLevel"] = given.get("ApplicationLogLevel", "INFO")
        out["SystemLogLevel"] = given.get("SystemLogLevel", "INFO")
    return out
