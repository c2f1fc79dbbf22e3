"""StartLiveTail: a stream of the log events ingested while the session is open.

As the API reference describes it: first one ``sessionStart`` event (request and session ids,
the groups and filters), then a ``sessionUpdate`` about every second (``sessionResults``
caught since the last update, at most 500, sampled when more matched), until the client
closes the stream or three hours pass (``SessionTimeoutException`` in the stream; the three
hours are on the cloud clock, so ``POST /_overcast/clock`` ends a session in a test).

Groups are named by ARN (``arn:aws:logs:REGION:ACCOUNT:log-group:NAME``, without ``:*``), as
the API reference and the CLI ask. The events come from PutLogEvents' ingestion listener
(``live_tail_session.py``): a session sees what is committed after it started, nothing older.

The SDKs send this operation to the host ``stream-<endpoint host>`` (the model's host prefix):
against a local endpoint a client turns that off (botocore ``Config(inject_host_prefix=False)``,
``AWS_DISABLE_HOST_PREFIX_INJECTION=true`` or ``disable_host_prefix_injection = true`` in the
config file); a request that reaches Overcast with the prefixed Host is served all the same.
"""

from __future__ import annotations

import asyncio
import logging
import time

from overcast.services.logs.errors import InvalidParameterException, LimitExceededException, group_not_found
from overcast.services.logs.identifiers import split_group_arn
from overcast.services.logs.live_tail_session import LiveTailListener, LiveTailSession
from overcast.services.logs.logs_metrics import LogsMetrics
from overcast.services.logs.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

SESSION_SECONDS = 3 * 3600  # "Live Tail sessions time out after three hours."
UPDATE_SECONDS = 1.0  # "Every second, a LiveTailSessionUpdate object is sent."
# CloudWatch Logs quotas: "Live Tail concurrent sessions: 15" per account and Region
MAX_SESSIONS = 15
TIMEOUT_MESSAGE = "Session timed out after three hours."
STREAMING_MESSAGE = "An unexpected error occurred while streaming the session."

log = logging.getLogger("overcast.logs.live_tail")


def check_start_live_tail(params: dict) -> None:
    """StartLiveTail's own parameter checks (the model's constraints, then the rules between
    parameters), made before authorization and before any group is looked up."""
    check_input("StartLiveTail", params)
    names, prefixes = params.get("logStreamNames"), params.get("logStreamNamePrefixes")
    if names is not None and prefixes is not None:
        raise InvalidParameterException("logStreamNames and logStreamNamePrefixes can't be specified together.")
    if (names is not None or prefixes is not None) and len(params["logGroupIdentifiers"]) > 1:
        raise InvalidParameterException("logStreamNames and logStreamNamePrefixes can only be specified "
                                        "with a single log group.")
    for identifier in params["logGroupIdentifiers"]:
        _group_arn(identifier)
    text = params.get("logEventFilterPattern")
    if text:
        _compiled_pattern(text)


def _group_arn(identifier: str) -> tuple[str, str, str]:
    """(region, account, group name) of a log group ARN; InvalidParameterException otherwise
    (a bare name too: Live Tail takes ARNs only)."""
    parts = split_group_arn(identifier)
    if parts is None:
        raise InvalidParameterException(f"Invalid log group identifier: {identifier}. Specify each log group "
                                        "by its ARN: arn:aws:logs:REGION:ACCOUNT_ID:log-group:LOG_GROUP_NAME")
    return parts


def _compiled_pattern(text: str):
    """The filter pattern (cached by the pattern module); its syntax error as Logs words it."""
    from overcast.services.logs.filter_pattern import FilterPatternError, compile_pattern

    try:
        return compile_pattern(text)
    except FilterPatternError as exc:
        raise InvalidParameterException(str(exc)) from None


# strict mode: these checks come before authorization (``request_checks.CHECKS`` is read by the
# provider's ``validate_request``)
REQUEST_CHECKS.setdefault("StartLiveTail", check_start_live_tail)


class LiveTailOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self.live_tail = LiveTailListener()
        self.add_ingest_listener(self.live_tail)
        # the AWS/Logs metrics (IncomingBytes...) listen to ingestion too; delivery counts its
        # forwarded events through ``logs_metrics.forwarded``
        self.logs_metrics = LogsMetrics(cloud.service_metrics)
        self.add_ingest_listener(self.logs_metrics)

    async def start_live_tail(self, ctx, params: dict) -> dict:
        check_start_live_tail(params)
        scope = Scope.of(ctx)
        groups: dict[int, str] = {}
        for identifier in params["logGroupIdentifiers"]:
            region, account, name = _group_arn(identifier)
            # another account's group needs cross-account observability (not modelled): in
            # open mode as missing as one that does not exist (strict mode denies it before)
            group = self.group_row(scope, name) if (account, region) == (scope.account, scope.region) else None
            if group is None:
                raise group_not_found()
            groups[group.group_id] = identifier
        text = params.get("logEventFilterPattern")
        pattern = _compiled_pattern(text) if text else None
        names, prefixes = params.get("logStreamNames"), params.get("logStreamNamePrefixes")
        session = LiveTailSession(
            scope=scope, request_id=ctx.request_id, groups=groups,
            stream_names=frozenset(names) if names is not None else None,
            stream_prefixes=tuple(prefixes) if prefixes is not None else None, pattern=pattern,
            started=self.clock.now())
        start = {"requestId": ctx.request_id, "sessionId": session.session_id,
                 "logGroupIdentifiers": list(params["logGroupIdentifiers"])}
        for key in ("logStreamNames", "logStreamNamePrefixes", "logEventFilterPattern"):
            if params.get(key) is not None:
                start[key] = params[key]
        if self.live_tail.count(scope) >= MAX_SESSIONS:
            raise LimitExceededException(f"The maximum number of concurrent Live Tail sessions ({MAX_SESSIONS}) "
                                         "has been reached.")
        # counted from now: the gateway streams the response, whose end (the client leaving
        # included) removes the session
        self.live_tail.add(session)
        return {"responseStream": self._live_tail_stream(session, start)}

    async def _live_tail_stream(self, session: LiveTailSession, start: dict):
        """The session's events: its start, then an update every second until it ends (the
        client leaves: the gateway cancels this generator; reset or shutdown: ``closed``)."""
        try:
            yield {"sessionStart": start}
            deadline = session.started + SESSION_SECONDS
            next_tick = time.monotonic() + UPDATE_SECONDS
            while True:
                await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
                # a slow reader delays the updates; it does not get a burst of them after
                next_tick = max(next_tick, time.monotonic()) + UPDATE_SECONDS
                if session.closed:
                    return
                if self.clock.now() >= deadline:
                    yield {"SessionTimeoutException": {"message": TIMEOUT_MESSAGE}}
                    return
                for update in session.take_updates():
                    yield {"sessionUpdate": update}
        except Exception:  # noqa: BLE001 - an Overcast bug: the stream ends as AWS ends it on one
            log.exception("live tail session %s failed", session.session_id)
            yield {"SessionStreamingException": {"message": STREAMING_MESSAGE}}
        finally:
            self.live_tail.remove(session)

    def drain(self) -> None:
        super().drain()
        self.live_tail.close_all()  # shutting down: streams end instead of holding the grace

    def reset(self) -> None:
        super().reset()
        self.live_tail.close_all()
