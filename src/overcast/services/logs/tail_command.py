"""``overcast logs tail GROUP [--follow] [--since 10m] [--filter-pattern P] [--format F]``.

It works as the AWS CLI's ``aws logs tail`` does: FilterLogEvents from ``--since`` (default
ten minutes ago) to now, every page, printed oldest first; with ``--follow`` it polls again
from the newest timestamp printed, skipping the events of that millisecond already printed, until
Ctrl-C (exit status 130, as the AWS CLI's, without a traceback). It talks to the running
server like any client: botocore, the signature of the environment's credentials (``test``
when there are none), the server's default region unless ``--region`` or ``AWS_REGION``.

Formats, as ``aws logs tail`` has them: ``detailed`` (the timestamp with its zone, the stream,
the message), ``short`` (the timestamp to the second, the message), ``json`` (``detailed`` with
a message that is entirely JSON pretty-printed).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from datetime import datetime, timezone

DEFAULT_SINCE = "10m"
POLL_SECONDS = 1.0  # a local server: a second between polls keeps --follow close to live
FORMATS = ("detailed", "short", "json")
_RELATIVE = re.compile(r"^(\d+)([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class TailError(Exception):
    """A message for the user (bad arguments, an AWS error, no server): one line on stderr."""


def since_ms(text: str, now: float) -> int:
    """``--since``: a duration back from now (``30s``, ``10m``, ``2h``, ``1d``, ``1w``) or a
    timestamp (ISO 8601; UTC when it names no zone); epoch milliseconds."""
    match = _RELATIVE.match(text.strip())
    if match:
        return int((now - int(match.group(1)) * _UNIT_SECONDS[match.group(2)]) * 1000)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise TailError(f"--since {text!r}: give a duration (30s, 10m, 2h, 1d, 1w) or an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def format_event(event: dict, fmt: str) -> str:
    """One event as ``aws logs tail`` prints it in ``fmt``."""
    stamp = datetime.fromtimestamp(event["timestamp"] / 1000, tz=timezone.utc)
    if fmt == "short":
        return f"{stamp.strftime('%Y-%m-%dT%H:%M:%S')} {event['message']}"
    message = event["message"]
    if fmt == "json":
        message = _pretty_json(message)
    return f"{stamp.isoformat()} {event['logStreamName']} {message}"


def _pretty_json(message: str) -> str:
    """A message that is entirely a JSON object or array, indented; any other as it is."""
    if not message.lstrip().startswith(("{", "[")):
        return message
    try:
        return json.dumps(json.loads(message), indent=4)
    except ValueError:
        return message


class Tail:
    """The FilterLogEvents polls of one tail: what is new since the last one."""

    def __init__(self, client, group: str, start_ms: int, pattern: str | None = None,
                 stream_names: list[str] | None = None, stream_prefix: str | None = None):
        self.client = client
        self.request = {"logGroupName": group, "startTime": start_ms}
        if pattern:
            self.request["filterPattern"] = pattern
        if stream_names:
            self.request["logStreamNames"] = stream_names
        if stream_prefix:
            self.request["logStreamNamePrefix"] = stream_prefix
        self._printed_at_start: set[str] = set()  # ids printed with timestamp == startTime

    def poll(self) -> list[dict]:
        """The events not yet returned, oldest first."""
        events = []
        request = dict(self.request)
        while True:
            page = self.client.filter_log_events(**request)
            events.extend(page.get("events", ()))
            token = page.get("nextToken")
            if not token:
                break
            request["nextToken"] = token
        events.sort(key=lambda event: event["timestamp"])  # stable: each stream's order kept
        fresh = [event for event in events if event["eventId"] not in self._printed_at_start]
        if fresh:
            newest = fresh[-1]["timestamp"]
            if newest != self.request["startTime"]:
                self._printed_at_start = set()
                self.request["startTime"] = newest
            self._printed_at_start.update(event["eventId"] for event in fresh if event["timestamp"] == newest)
        return fresh


def _client(endpoint: str, region: str | None):
    import botocore.session
    from botocore.config import Config

    session = botocore.session.get_session()
    if "AWS_EC2_METADATA_SERVICE_ENDPOINT" not in os.environ:
        # the credential chain would otherwise probe EC2's metadata address for seconds on a
        # machine without credentials (Overcast's own IMDS is asked when that endpoint names it)
        session.get_component("credential_provider").remove("iam-role")
    keys = {}
    if not os.environ.get("AWS_ACCESS_KEY_ID") and session.get_credentials() is None:
        keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    return session.create_client("logs", endpoint_url=endpoint, region_name=region, **keys,
                                 config=Config(retries={"max_attempts": 2}))


def run(args, endpoint: str, region: str, out=None) -> int:
    """The command (``cli.py`` parses its arguments). 0, 1 for an error, 130 on Ctrl-C."""
    from botocore.exceptions import BotoCoreError, ClientError

    out = out or sys.stdout
    try:
        if args.format not in FORMATS:
            raise TailError(f"--format must be one of {', '.join(FORMATS)}")
        if args.log_stream_names and args.log_stream_name_prefix:
            raise TailError("--log-stream-names and --log-stream-name-prefix can't be given together")
        client = _client(endpoint, args.region or os.environ.get("AWS_REGION") or
                         os.environ.get("AWS_DEFAULT_REGION") or region)
        tail = Tail(client, args.group, since_ms(args.since, time.time()), args.filter_pattern,
                    args.log_stream_names, args.log_stream_name_prefix)
        while True:
            for event in tail.poll():
                out.write(format_event(event, args.format) + "\n")
            out.flush()
            if not args.follow:
                return 0
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        return 130
    except TailError as exc:
        print(f"overcast logs tail: {exc}", file=sys.stderr)
        return 1
    except ClientError as exc:
        print(f"overcast logs tail: {exc}", file=sys.stderr)  # "An error occurred (Code) when calling ..."
        return 1
    except BotoCoreError as exc:  # no server there, a bad endpoint
        print(f"overcast logs tail: Overcast is not answering at {endpoint}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `| head`: the reader is gone
        return 0


def add_parser(commands):
    """``overcast logs tail`` on ``cli.py``'s sub-command table; the tail parser."""
    logs = commands.add_parser("logs", help="CloudWatch Logs: follow a log group")
    logs_commands = logs.add_subparsers(dest="logs_command", required=True)
    p = logs_commands.add_parser("tail", help="print a log group's events (aws logs tail), --follow for new ones")
    p.add_argument("group", help="the log group's name")
    p.add_argument("--follow", action="store_true", help="keep printing new events until Ctrl-C")
    p.add_argument("--since", default=DEFAULT_SINCE,
                   help="from when: 30s, 10m, 2h, 1d, 1w back, or an ISO 8601 time (default 10m)")
    p.add_argument("--filter-pattern", help="only events matching this filter pattern")
    p.add_argument("--log-stream-names", nargs="+", help="only these streams")
    p.add_argument("--log-stream-name-prefix", help="only streams whose names start with this")
    p.add_argument("--format", default="detailed", choices=FORMATS,
                   help="detailed (default), short, or json (detailed, JSON messages pretty-printed)")
    p.add_argument("--region", help="the group's region (default AWS_REGION, else the server's)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    return p
