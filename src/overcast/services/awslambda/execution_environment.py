"""One execution environment: a supervised local process speaking the Runtime API.

The process runs in its own process group (a timeout kills the whole group), in the function's
code directory, with the environment variables AWS sets, an address-space limit of the
function's MemorySize (Python, provided) and its own temporary directory. Its stdout and stderr
go to a file the environment reads after each invocation: everything the function wrote before
it answered is in the file by then, so each invocation's log is complete and in order.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import resource
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from overcast.services.awslambda.runtime_api import Invocation, RuntimeApi, RuntimeOutcome

# AWS gives a runtime 10 seconds to initialise (on-demand) before the first invocation fails
INIT_TIMEOUT_SECONDS = 10.0
# the output file is emptied once this much of it has been read
_OUTPUT_KEPT = 1024 * 1024


# how AWS's runtime words a signal that ended the process ("Runtime exited with error: signal: killed")
_SIGNAL_WORDS = {signal.SIGKILL: "killed", signal.SIGABRT: "aborted", signal.SIGSEGV: "segmentation fault",
                 signal.SIGTERM: "terminated", signal.SIGBUS: "bus error", signal.SIGILL: "illegal instruction",
                 signal.SIGINT: "interrupt", signal.SIGFPE: "floating point exception"}


@dataclass
class InvokeOutcome:
    """How one invocation ended: the runtime's answer, a timeout, an init failure or an exit."""

    kind: str  # "response" | "error" | "init_error" | "timeout" | "exited"
    body: bytes = b""
    exit_detail: str = ""  # "exit status 1", "signal: killed"


class ExecutionEnvironment:
    """A process of one function version's code, reused for invocations one at a time."""

    def __init__(self, argv: list[str], code_dir: Path, work_dir: Path, env: dict[str, str], memory_mb: int,
                 memory_rlimit: int, log_stream: str):
        self.argv = argv
        self.log_stream = log_stream
        self.code_dir = code_dir
        self.work_dir = work_dir
        self.env = env
        self.memory_mb = memory_mb
        self.memory_rlimit = memory_rlimit  # resource.RLIMIT_AS or RLIMIT_DATA (launchers.memory_rlimit)
        self.process: asyncio.subprocess.Process | None = None
        self.api = RuntimeApi(self._next_invocation, self._init_error, self._init_done)
        self._queue: asyncio.Queue[Invocation] = asyncio.Queue()
        self._init_failure: asyncio.Future | None = None
        self._initialised: asyncio.Future | None = None
        self._log_path = work_dir / "output.log"
        self._log_offset = 0
        self.started_at = 0.0
        self.init_duration_ms: float | None = None  # reported once, on the first invocation
        self.last_used = time.monotonic()
        self.busy = False
        self.dead = False
        self._peak_memory_mb = 0

    async def start(self, extra_env: dict[str, str]) -> None:
        """Serve the Runtime API and start the process (its init runs until its first ``/next``)."""
        loop = asyncio.get_running_loop()
        self._init_failure = loop.create_future()
        self._initialised = loop.create_future()
        address = await self.api.start()
        tmp = self.work_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        env = {**self.env, **extra_env, "AWS_LAMBDA_RUNTIME_API": address, "TMPDIR": str(tmp)}
        limit, kind = self.memory_mb * 1024 * 1024, self.memory_rlimit
        self.started_at = time.monotonic()
        # append mode: the file can be emptied between invocations without the process's writes
        # landing past a hole (read_output)
        with open(self._log_path, "ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, cwd=str(self.code_dir), env=env, stdin=asyncio.subprocess.DEVNULL, stdout=output,
                stderr=output, start_new_session=True, preexec_fn=lambda: _in_child(kind, limit))

    def _init_done(self) -> None:
        self.init_duration_ms = (time.monotonic() - self.started_at) * 1000
        if self._initialised is not None and not self._initialised.done():
            self._initialised.set_result(True)

    def _init_error(self, outcome: RuntimeOutcome) -> None:
        if self._init_failure is not None and not self._init_failure.done():
            self._init_failure.set_result(outcome.body)

    async def _next_invocation(self) -> Invocation:
        return await self._queue.get()

    async def invoke(self, invocation: Invocation, timeout: float) -> InvokeOutcome:
        """Hand ``invocation`` to the runtime and wait for its answer, at most ``timeout`` seconds
        of the function's own time (init, when this is the first, has its own limit)."""
        assert self.process is not None
        self.busy = True
        try:
            exited = asyncio.ensure_future(self.process.wait())
            try:
                if not self._initialised.done():
                    outcome = await self._await_init(exited)
                    if outcome is not None:
                        return outcome
                self._queue.put_nowait(invocation)
                done, _ = await asyncio.wait({invocation.done, exited}, timeout=timeout,
                                             return_when=asyncio.FIRST_COMPLETED)
            finally:
                exited.cancel()
            if invocation.done.done():
                answer: RuntimeOutcome = invocation.done.result()
                return InvokeOutcome("response" if answer.error_type is None else "error", answer.body)
            if not done:
                self.kill()
                return InvokeOutcome("timeout")
            return self._exited()
        finally:
            self.busy = False
            self.last_used = time.monotonic()

    async def _await_init(self, exited: asyncio.Future) -> InvokeOutcome | None:
        done, _ = await asyncio.wait({self._initialised, self._init_failure, exited}, timeout=INIT_TIMEOUT_SECONDS,
                                     return_when=asyncio.FIRST_COMPLETED)
        if self._initialised.done():
            return None
        if self._init_failure.done():
            self.kill()
            return InvokeOutcome("init_error", self._init_failure.result())
        if not done:
            self.kill()
            return InvokeOutcome("timeout")
        return self._exited()

    def _exited(self) -> InvokeOutcome:
        self.dead = True
        code = self.process.returncode if self.process is not None else None
        if code is not None and code < 0:
            detail = f"signal: {_SIGNAL_WORDS.get(-code) or signal.Signals(-code).name.lower()}"
        else:
            detail = f"exit status {code}"
        self.close()
        return InvokeOutcome("exited", exit_detail=detail)

    def read_output(self) -> str:
        """What the process wrote since the last call."""
        try:
            with open(self._log_path, "rb") as output:
                output.seek(self._log_offset)
                data = output.read()
        except OSError:
            return ""
        self._log_offset += len(data)
        if self._log_offset > _OUTPUT_KEPT and not self.busy:
            # between invocations a runtime is waiting for the next one: emptied now, a warm
            # environment's file stays small
            os.truncate(self._log_path, 0)
            self._log_offset = 0
        return data.decode("utf-8", "replace")

    def max_memory_mb(self) -> int:
        """Peak resident memory of the process so far (VmHWM), in MB."""
        if self.process is not None and self.process.returncode is None:
            try:
                with open(f"/proc/{self.process.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            self._peak_memory_mb = max(1, int(line.split()[1]) // 1024)
            except OSError:
                pass
        return self._peak_memory_mb

    def kill(self) -> None:
        """Kill the process group now (a timeout, a reset, new code)."""
        self.dead = True
        if self.process is not None and self.process.returncode is None:
            self.max_memory_mb()  # the peak, read while the process is still there
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        """Kill the process, stop serving the Runtime API, remove the working directory."""
        self.kill()
        self.api.close()
        shutil.rmtree(self.work_dir, ignore_errors=True)


_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _in_child(kind: int, limit: int) -> None:
    """In the new process before it runs the runtime: its memory limit, and (Linux) death with
    Overcast, so a ``kill -9`` of the server leaves no function process behind."""
    resource.setrlimit(kind, (limit, limit))
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
