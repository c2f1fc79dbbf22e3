"""``overcast serve | status | reset``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request

from overcast import __version__
from overcast.config import Settings


def _endpoint(args) -> str:
    settings = Settings.from_env(host=args.host, port=args.port)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.port}"


def serve(args) -> int:
    import uvicorn

    from overcast.gateway.app import create_app
    from overcast.gateway.wire_names import WireName
    from overcast.imds.server import ImdsListener

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
    )
    os.makedirs(settings.data_dir, exist_ok=True)
    app = create_app(settings)
    imds = ImdsListener(app.cloud, settings)

    DATE = WireName(b"Date")

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if not self.should_exit:
                await imds.start()
                print(f"Overcast {__version__} listening on http://{settings.host}:{settings.port}", flush=True)
                if imds.serving:
                    print(f"instance metadata on http://{settings.host}:{settings.imds_port}", flush=True)
                elif imds.failed:
                    print(f"instance metadata NOT served: port {settings.imds_port} is taken (--imds-port)", flush=True)
                print(f"data in {os.path.abspath(settings.data_dir)}; region {settings.region}; "
                      f"{'strict' if settings.strict else 'open'} mode", flush=True)
                print("Ready.", flush=True)

        async def shutdown(self, sockets=None):
            await imds.stop()
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
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning" if settings.log_level in ("info", "debug") else settings.log_level,
        # keep-alive past the SDKs' idle pools; large uploads are streamed, not limited here
        timeout_keep_alive=60,
        server_header=False,
        # A local cloud is reached directly: no proxy's X-Forwarded-For to trust, and the
        # middleware that reads it would cost every request.
        proxy_headers=False,
        date_header=True,
    )
    server = Server(config)
    server.run()
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
    request = urllib.request.Request(_endpoint(args) + "/_overcast/reset", method="POST", data=b"")
    try:
        with urllib.request.urlopen(request, timeout=30):
            pass
    except (urllib.error.URLError, OSError) as exc:
        print(f"reset failed: {exc}", file=sys.stderr)
        return 1
    print("State wiped.")
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
    p.add_argument("--strict", action="store_true", help="verify signatures (OVERCAST_STRICT)")
    p.add_argument("--fsync", action="store_true", help="fsync for power-loss durability (OVERCAST_FSYNC)")
    p.add_argument("--imds-port", type=int, help="instance metadata port, 0 for none (OVERCAST_IMDS_PORT, default 1338)")
    p.add_argument("--imds-v2-only", action="store_true", help="IMDS answers only token requests (OVERCAST_IMDS_V1=0)")
    p.add_argument("--log-level", choices=["debug", "info", "warning", "error"], help="OVERCAST_LOG_LEVEL")
    p.set_defaults(func=serve)

    for name, func, text in (("status", status, "what runs"), ("reset", reset, "wipe all state")):
        p = commands.add_parser(name, help=text)
        p.add_argument("--host")
        p.add_argument("--port", type=int)
        if name == "reset":
            p.add_argument("--yes", action="store_true", help="really wipe")
        p.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
