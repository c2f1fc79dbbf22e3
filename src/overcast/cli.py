"""``overcast serve | status | reset | sns outbox | logs tail``."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import socket
import sys
import urllib.error
import urllib.request

from overcast import __version__, data_dir
from overcast.config import LOG_LEVELS, Settings, SettingsError

# Refused to start: a setting, the data dir or its lock (a one-line message on stderr)
EXIT_REFUSED = 2


def _endpoint(args) -> str:
    return _endpoint_of(Settings.from_env(host=args.host, port=args.port))


def _endpoint_of(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.port}"


def _listen(host: str, port: int) -> socket.socket:
    """The endpoint's listening socket, handed to uvicorn (inheritable for its workers)."""
    from overcast.imds.server import bind_listener

    sock = bind_listener(host, port)
    sock.set_inheritable(True)
    return sock


def serve(args) -> int:
    import uvicorn

    from overcast.gateway.app import create_app
    from overcast.gateway.http_protocol import guarded_protocol
    from overcast.gateway.wire_names import WireName
    from overcast.imds.server import ImdsListener
    from overcast.services.xray.daemon.listener import XrayDaemonListener

    settings = Settings.from_env(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        region=args.region,
        strict=True if args.strict else None,
        fsync=True if args.fsync else None,
        log_level=args.log_level,
        imds_port=args.imds_port,
        imds_v1=False if args.imds_v2_only else None,
        xray_port=args.xray_port,
        quotas=args.quotas,
    )
    settings.validate()
    try:
        data_dir.prepare(settings.data_dir)
    except OSError as exc:
        raise SettingsError(f"data dir {settings.data_dir} is not usable: {exc.strerror or exc}") from None
    held = data_dir.lock(settings.data_dir, _endpoint_of(settings))  # until this process ends
    try:  # bound here, not by uvicorn, so a taken port is one clear line (and said once)
        listener = _listen(settings.host, settings.port)
    except OSError as exc:
        raise SettingsError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc} "
                            "(--port, OVERCAST_PORT)") from None
    app = create_app(settings)
    imds = ImdsListener(app.cloud, settings)
    xray_daemon = XrayDaemonListener(app.cloud, settings)

    DATE = WireName(b"Date")

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if not self.should_exit:
                await imds.start()
                await xray_daemon.start()
                print(f"Overcast {__version__} listening on http://{settings.host}:{settings.port}", flush=True)
                if imds.serving:
                    print(f"instance metadata on http://{settings.host}:{settings.imds_port}", flush=True)
                elif imds.failed:
                    print(f"instance metadata NOT served: port {settings.imds_port} is taken (--imds-port)", flush=True)
                if xray_daemon.serving:
                    print(f"X-Ray daemon on udp/tcp {settings.host}:{settings.xray_port}", flush=True)
                elif xray_daemon.failed:
                    print(f"X-Ray daemon NOT served on port {settings.xray_port}: {xray_daemon.failed} (--xray-port)",
                          flush=True)
                print(f"data in {os.path.abspath(settings.data_dir)}; region {settings.region}; "
                      f"{'strict' if settings.strict else 'open'} mode", flush=True)
                if settings.quotas != "off":  # throttling on: said, so a SlowDown surprises nobody
                    print(f"request quotas from {settings.quotas}", flush=True)
                print("Ready.", flush=True)

        async def shutdown(self, sockets=None):
            app.cloud.drain()  # waiting long polls answer now, before the grace runs
            await imds.stop()
            await xray_daemon.stop()
            await super().shutdown(sockets=sockets)

        async def on_tick(self, counter: int) -> bool:
            should_exit = await super().on_tick(counter)
            # AWS writes "Date" capitalised: the server's own header (renewed once a second)
            # is given that spelling after every tick (gateway/wire_names.py)
            self.server_state.default_headers = [(DATE if name == b"date" else name, value)
                                                 for name, value in self.server_state.default_headers]
            return should_exit

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=guarded_protocol(settings),  # httptools, with header and body limits
        lifespan="on",
        access_log=False,
        log_level="warning" if settings.log_level in ("info", "debug") else settings.log_level,
        # keep-alive past the SDKs' idle pools; large uploads are streamed, not limited here
        timeout_keep_alive=settings.idle_timeout_seconds,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        server_header=False,
        # A local cloud is reached directly: no proxy's X-Forwarded-For to trust, and the
        # middleware that reads it would cost every request.
        proxy_headers=False,
        date_header=True,
    )
    server = Server(config)
    try:
        server.run(sockets=[listener])
    finally:
        held.close()
    return 0 if server.started else 1


def status(args) -> int:
    url = _endpoint(args) + "/_overcast/health"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            health = json.load(response)
    except (urllib.error.URLError, OSError) as exc:
        print(f"Overcast is not answering at {url}: {exc}", file=sys.stderr)
        return 1
    print(f"Overcast {health['version']} up {health['uptime']:.0f}s at {_endpoint(args)}")
    for name, state in health["services"].items():
        print(f"  {name:<20} {state}")
    return 0


def reset(args) -> int:
    if not args.yes:
        print("This wipes every service's state. Run again with --yes to do it.", file=sys.stderr)
        return 2
    endpoint = _endpoint(args)
    if args.data_dir is not None:
        running = data_dir.holder(args.data_dir)
        if running is None:  # no server holds it: wipe the files here
            return _reset_offline(args.data_dir)
        endpoint = running.get("endpoint") or endpoint
    request = urllib.request.Request(endpoint + "/_overcast/reset", method="POST", data=b"")
    try:
        with urllib.request.urlopen(request, timeout=30):
            pass
    except (urllib.error.URLError, OSError) as exc:
        hint = "" if args.data_dir else " (with the server stopped: overcast reset --yes --data-dir DIR)"
        print(f"reset failed: {exc}{hint}", file=sys.stderr)
        return 1
    print("State wiped.")
    return 0


def sns_outbox(args) -> int:
    """What SNS delivered to email, sms, application and firehose subscriptions (the running
    server's ``/_overcast/sns/outbox``)."""
    from urllib.parse import urlencode

    query = {name: value for name, value in (("topic", args.topic), ("endpoint", args.endpoint),
                                              ("protocol", args.protocol)) if value}
    url = _endpoint(args) + "/_overcast/sns/outbox" + ("?" + urlencode(query) if query else "")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            messages = json.load(response)["messages"]
    except urllib.error.HTTPError as exc:
        print(f"outbox failed: {exc.read().decode('utf-8', 'replace')}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        print(f"Overcast is not answering at {url}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(messages, indent=2))
        return 0
    for entry in messages:
        print(f"{entry['time']}  {entry['protocol']} {entry['endpoint']}  {entry['type']}  {entry['topicArn']}")
        for name in ("from", "subject", "subscribeUrl"):
            if entry.get(name):
                print(f"  {name}: {entry[name]}")
        print("  " + entry["body"].replace("\n", "\n  "))
        print()
    if not messages:
        print("The outbox is empty.")
    return 0


def logs_tail(args) -> int:
    """``aws logs tail`` against the running server (``services/logs/tail_command.py``)."""
    from overcast.services.logs.tail_command import run

    settings = Settings.from_env(host=args.host, port=args.port)
    return run(args, _endpoint_of(settings), settings.region)


def _reset_offline(path: str) -> int:
    """Wipe a data dir no server holds (the storage layer's own reset, without a server)."""
    from overcast.storage import Storage

    if not os.path.isdir(path):
        print(f"reset failed: {path} is not a directory", file=sys.stderr)
        return 1
    with open(os.path.join(path, data_dir.LOCK_NAME), "a+b") as held:
        try:  # a server starting now must wait for the wipe, not see half of it
            fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"reset failed: a server took {path} meanwhile; run the reset again", file=sys.stderr)
            return 1
        storage = Storage(path)
        try:
            storage.reset()
        finally:
            storage.close()
    print(f"State wiped ({os.path.abspath(path)}).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="overcast", description="A local AWS cloud.")
    parser.add_argument("--version", action="version", version=f"overcast {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="run the cloud")
    p.add_argument("--host", help="address to bind (OVERCAST_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (OVERCAST_PORT, default 4566)")
    p.add_argument("--data-dir", help="state folder (OVERCAST_DATA_DIR, default ./.overcast)")
    p.add_argument("--region", help="default region (OVERCAST_REGION, default us-east-1)")
    p.add_argument("--strict", action="store_true",
                   help="verify signatures and authorize every request with IAM policies (OVERCAST_STRICT)")
    p.add_argument("--fsync", action="store_true", help="fsync for power-loss durability (OVERCAST_FSYNC)")
    p.add_argument("--imds-port", type=int, help="instance metadata port, 0 for none (OVERCAST_IMDS_PORT, default 1338)")
    p.add_argument("--xray-port", type=int,
                   help="X-Ray daemon port (UDP segments, TCP sampling), 0 for none (OVERCAST_XRAY_PORT, default 2000)")
    p.add_argument("--imds-v2-only", action="store_true", help="IMDS answers only token requests (OVERCAST_IMDS_V1=0)")
    p.add_argument("--quotas", help="request quotas: off, aws (AWS's published rates) or a quotas data file "
                                    "(OVERCAST_QUOTAS, default off)")
    p.add_argument("--log-level", choices=LOG_LEVELS,
                   help="OVERCAST_LOG_LEVEL; info logs one line per request, debug adds its parameters")
    p.set_defaults(func=serve)

    for name, func, text in (("status", status, "what runs"), ("reset", reset, "wipe all state")):
        p = commands.add_parser(name, help=text)
        p.add_argument("--host")
        p.add_argument("--port", type=int)
        if name == "reset":
            p.add_argument("--yes", action="store_true", help="really wipe")
            p.add_argument("--data-dir", help="the server's data dir: reset works with the server stopped too")
        p.set_defaults(func=func)

    sns = commands.add_parser("sns", help="SNS: what went to email, sms and other local-only endpoints")
    sns_commands = sns.add_subparsers(dest="sns_command", required=True)
    p = sns_commands.add_parser("outbox", help="list what SNS delivered to email, email-json, sms, "
                                               "application and firehose subscriptions")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--topic", help="only this topic (ARN or name)")
    p.add_argument("--endpoint", help="only this address (an email address, a phone number...)")
    p.add_argument("--protocol", help="only this protocol (email, email-json, sms, application, firehose)")
    p.add_argument("--json", action="store_true", help="print the entries as JSON")
    p.set_defaults(func=sns_outbox)

    from overcast.services.logs.tail_command import add_parser as add_logs_parser

    add_logs_parser(commands).set_defaults(func=logs_tail)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (SettingsError, data_dir.DataDirInUse) as exc:
        print(f"overcast: {exc}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
