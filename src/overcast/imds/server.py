"""The metadata endpoint's listener: a second uvicorn server on the main server's event loop.

If its port is taken, the AWS endpoint still serves and the reason is logged. It is
started after the main server has started (the cloud is then open) and stopped before
the main server shuts down, so ``overcast serve`` still exits cleanly on SIGINT/SIGTERM (the
main server owns the signal handlers).
"""

from __future__ import annotations

import logging
import socket

import uvicorn

from overcast.imds.app import ImdsApp

log = logging.getLogger("overcast.imds")


class ImdsListener:
    """IMDS on ``settings.host``:``settings.imds_port`` (port 0: not served)."""

    def __init__(self, cloud, settings):
        self.settings = settings
        self.app = ImdsApp(cloud, allow_v1=settings.imds_v1)
        self.server: uvicorn.Server | None = None
        self.failed = False

    @property
    def enabled(self) -> bool:
        return bool(self.settings.imds_port)

    @property
    def serving(self) -> bool:
        return self.server is not None

    async def start(self) -> None:
        if not self.enabled:
            return
        config = uvicorn.Config(
            self.app,
            host=self.settings.host,
            port=self.settings.imds_port,
            http="httptools",
            lifespan="off",
            access_log=False,
            log_level="warning" if self.settings.log_level in ("info", "debug") else self.settings.log_level,
            server_header=False,
            proxy_headers=False,
        )
        try:
            sock = bind_listener(self.settings.host, self.settings.imds_port)
        except OSError as exc:  # the port is taken: the AWS endpoint still runs
            log.debug("instance metadata not served on %s:%s: %s", self.settings.host, self.settings.imds_port, exc)
            self.failed = True
            return
        config.load()
        server = uvicorn.Server(config)
        server.lifespan = config.lifespan_class(config)
        await server.startup(sockets=[sock])
        self.server = server

    async def stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.should_exit = True
            await server.shutdown()


def bind_listener(host: str, port: int) -> socket.socket:
    """A listening TCP socket bound as uvicorn binds one (address reuse on)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
