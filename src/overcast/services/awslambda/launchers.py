"""How each runtime's process starts: the interpreter and the bootstrap it runs.

``python3.X`` runs Overcast's stdlib-only bootstrap under that Python (the running one when the
versions match, else the interpreter ``runtimes.interpreter_for`` finds, resolved once to the
real executable so a version manager's shim costs nothing per start); ``nodejs*`` runs the Node bootstrap under the machine's
``node``; ``provided.*`` runs the zip's own ``bootstrap`` executable.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

from overcast.services.awslambda.runtimes import interpreter_for

BOOTSTRAPS = Path(__file__).parent / "bootstraps"


@functools.lru_cache(maxsize=None)
def python_interpreter(runtime: str) -> str | None:
    """The executable of ``python3.X`` for runtime ``python3.X``, None when the machine has none."""
    if runtime == f"python{sys.version_info.major}.{sys.version_info.minor}":
        return sys.executable
    found = interpreter_for(runtime)
    if found is None:
        return None
    try:
        real = subprocess.run([found, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True,
                              timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return real or None


def command(runtime: str, code_dir: Path, memory_mb: int) -> list[str] | None:
    """The argv of an environment of ``runtime`` (None when the runtime cannot run here)."""
    if runtime.startswith("python"):
        interpreter = python_interpreter(runtime)
        return None if interpreter is None else [interpreter, str(BOOTSTRAPS / "python_bootstrap.py")]
    if runtime.startswith("nodejs"):
        node = interpreter_for(runtime)
        # V8 reserves far more address space than it uses, so Node's heap is capped by its own
        # flag (a process address-space limit would stop it from starting at all)
        return None if node is None else [node, f"--max-old-space-size={memory_mb}",
                                          str(BOOTSTRAPS / "node_bootstrap.js")]
    if runtime.startswith("provided"):
        return [str(code_dir / "bootstrap")]
    return None


def limits_address_space(runtime: str) -> bool:
    """Whether MemorySize becomes the process's address-space limit (RLIMIT_AS)."""
    return not runtime.startswith("nodejs")
