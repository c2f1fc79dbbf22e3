"""The environment variables of an execution environment, as AWS sets them.

The function's own variables (Environment.Variables) come first; the reserved ones AWS sets
override them. ``AWS_ENDPOINT_URL`` points the SDKs inside the function at Overcast, and the
credentials are a session of the function's execution role, so the code's calls are made
(and, in strict mode, authorized) as that role.
"""

from __future__ import annotations

import os

from overcast.services.awslambda.models import FunctionVersion

# the PATH and library path of AWS's runtimes, with the machine's own directories after them so
# that the interpreters and tools found here stay reachable
_AWS_PATH = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"


def environment_variables(fv: FunctionVersion, *, code_dir: str, log_stream: str, endpoint: str,
                          credentials: dict) -> dict[str, str]:
    """Every variable the process starts with (the trace id is set per invocation by the
    runtime client from ``Lambda-Runtime-Trace-Id``)."""
    config = fv.config
    runtime = config.get("Runtime", "")
    variables = dict(((config.get("Environment") or {}).get("Variables")) or {})
    machine_path = os.environ.get("PATH", "")
    variables.update({
        "AWS_LAMBDA_FUNCTION_NAME": fv.name,
        "AWS_LAMBDA_FUNCTION_VERSION": fv.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.get("MemorySize", 128)),
        "AWS_LAMBDA_LOG_GROUP_NAME": log_group(fv),
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}" if runtime.startswith(("python", "nodejs")) else "",
        "AWS_REGION": fv.region,
        "AWS_DEFAULT_REGION": fv.region,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "_HANDLER": config.get("Handler") or "",
        "LAMBDA_TASK_ROOT": code_dir,
        "LAMBDA_RUNTIME_DIR": code_dir,
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": f"{_AWS_PATH}:{machine_path}" if machine_path else _AWS_PATH,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    })
    logging = config.get("LoggingConfig") or {}
    if logging.get("LogFormat") == "JSON":
        variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        variables["AWS_LAMBDA_LOG_LEVEL"] = logging.get("ApplicationLogLevel") or "INFO"
    if credentials.get("SessionToken"):
        variables["AWS_SESSION_TOKEN"] = credentials["SessionToken"]
    if not variables["AWS_EXECUTION_ENV"]:
        del variables["AWS_EXECUTION_ENV"]  # provided runtimes: AWS sets none
    return variables


def log_group(fv: FunctionVersion) -> str:
    logging = fv.config.get("LoggingConfig") or {}
    return logging.get("LogGroup") or f"/aws/lambda/{fv.name}"
