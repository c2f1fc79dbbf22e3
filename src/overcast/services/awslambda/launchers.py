"""How each runtime's process starts: the interpreter and the bootstrap it runs.

``python3.X`` runs Overcast's stdlib-only bootstrap under that Python (the running one when the
versions match, else the interpreter ``runtimes.interpreter_for`` finds, resolved once to the
real executable so a version manager's shim costs nothing per start); ``nodejs*`` runs the Node bootstrap under the machine's
``node``; ``provided.*`` runs the zip's own ``bootstrap`` executable.
"""

from __future__ import annotations

import functools
import resource
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
        # the heap's own cap, so V8 collects before the process limit (memory_rlimit) bites
        return None if node is None else [node, f"--max-old-space-size={memory_mb}",
                                          str(BOOTSTRAPS / "node_bootstrap.js")]
    if runtime.startswith("provided"):
        return [str(code_dir / "bootstrap")]
    return None


def memory_rlimit(runtime: str) -> int:
    """The resource limit MemorySize becomes: the address space (RLIMIT_AS) for Python and
    ``provided``; Node, whose V8 reserves gigabytes of address space it never touches (it hangs
    at start under a 128 MB RLIMIT_AS), gets the data segment limit (RLIMIT_DATA), which counts
    only the memory it writes: a Buffer over the limit fails with a RangeError, a heap over
    ``--max-old-space-size`` ends the process."""
    return resource.RLIMIT_DATA if runtime.startswith("nodejs") else resource.RLIMIT_AS
