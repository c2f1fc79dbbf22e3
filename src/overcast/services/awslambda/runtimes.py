"""The runtimes Overcast runs and the interpreters behind them on this machine.

Python runtimes run on the matching ``python3.X`` (on PATH, or an installed pyenv version
whose shim is not active), Node runtimes on the machine's ``node``, ``provided.*`` on the
zip's own ``bootstrap``. Runtimes AWS has deprecated are refused with AWS's words; runtimes AWS
offers that need a toolchain Overcast does not drive (Java, .NET, Ruby) are refused naming why.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess

PYTHON = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
NODE = ("nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x")
PROVIDED = ("provided.al2", "provided.al2023")
SUPPORTED = PYTHON + NODE + PROVIDED

# no longer accepted for new functions or updates; the family's newest runtime is recommended
DEPRECATED = {
    "nodejs": "nodejs22.x", "nodejs4.3": "nodejs22.x", "nodejs6.10": "nodejs22.x", "nodejs8.10": "nodejs22.x",
    "nodejs10.x": "nodejs22.x", "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x", "nodejs16.x": "nodejs22.x",
    "nodejs4.3-edge": "nodejs22.x", "python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13",
    "python3.8": "python3.13", "dotnetcore1.0": "dotnet8", "dotnetcore2.0": "dotnet8", "dotnetcore2.1": "dotnet8",
    "dotnetcore3.1": "dotnet8", "dotnet6": "dotnet8", "go1.x": "provided.al2023", "ruby2.5": "ruby3.3",
    "ruby2.7": "ruby3.3", "java8": "java21", "provided": "provided.al2023",
}


def runtime_problem(runtime: str) -> str | None:
    """Why ``runtime`` cannot take a function on this machine (InvalidParameterValueException's
    message), None when it can."""
    if runtime in DEPRECATED:
        return (f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
                f"functions. We recommend you use the new runtime ({DEPRECATED[runtime]}) while creating or "
                "updating functions.")
    if runtime not in SUPPORTED:
        return (f"The runtime parameter of {runtime} is not supported by Overcast, which runs functions on "
                f"{', '.join(SUPPORTED)}.")
    if runtime in PROVIDED:
        return None
    if interpreter_for(runtime) is None:
        wanted = "node" if runtime in NODE else runtime
        return f"The runtime parameter of {runtime} cannot be used: {wanted} is not installed on this machine."
    return None


@functools.lru_cache(maxsize=None)
def interpreter_for(runtime: str) -> str | None:
    """The executable that runs ``runtime``'s bootstrap (None for ``provided.*``, or when this
    machine has none)."""
    if runtime in NODE:
        return shutil.which("node")
    if runtime not in PYTHON:
        return None
    command = runtime  # "python3.12"
    candidates = [shutil.which(command)]
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates += sorted(glob.glob(os.path.join(root, "versions", runtime[len("python"):] + ".*", "bin", command)),
                         reverse=True)
    for path in candidates:
        if path and _runs(path):
            return path
    return None


def _runs(path: str) -> bool:
    """A pyenv shim exists for every installed version but fails unless that version is active."""
    try:
        return subprocess.run([path, "-c", "pass"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
