"""Both sides of the X-Ray daemon on ``settings.host``:``settings.xray_port`` (0: not served),
started next to the instance metadata listener and stopped before the main server. A taken
port leaves the AWS endpoint serving; the reason is printed."""

from __future__ import annotations

import asyncio
import logging
import socket

import uvicorn

from overcast.config import DEFAULT_ACCOUNT
from overcast.imds.server import bind_listener
from overcast.services.xray.daemon.sampling_proxy import SamplingProxyApp
from overcast.services.xray.daemon.udp import DaemonCounters, SegmentDatagrams

log = logging.getLogger("overcast.xray.daemon")

# Large enough that a burst of datagrams waits in the kernel while a batch is stored.
_RECEIVE_BUFFER = 8 * 1024 * 1024


class XrayDaemonListener:
    def __init__(self, cloud, settings):
        self.cloud = cloud
        self.settings = settings
        self.account = DEFAULT_ACCOUNT
        self.region = settings.region
        self.counters = DaemonCounters()
        self.transport: asyncio.DatagramTransport | None = None
        self.server: uvicorn.Server | None = None
        self.failed: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.xray_port)

    @property
    def serving(self) -> bool:
        return self.transport is not None and self.server is not None

    def _store_batch(self, docs: list[dict]) -> None:
        provider = self.cloud.services.provider("xray")
        provider.segments.add(self.account, self.region, docs, provider.clock.now())

    async def start(self) -> None:
        if not self.enabled:
            return
        host, port = self.settings.host, self.settings.xray_port
        try:
            udp = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
            try:
                udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)
                udp.bind((host, port))
            except OSError:
                udp.close()
                raise
            tcp = bind_listener(host, port)
        except OSError as exc:
            self.failed = str(exc.strerror or exc)
            log.debug("X-Ray daemon not served on %s:%s: %s", host, port, exc)
            return
        loop = asyncio.get_running_loop()
        self.cloud.services.provider("xray")  # opened now, not on the first datagram
        self.transport, _ = await loop.create_datagram_endpoint(
            lambda: SegmentDatagrams(self._store_batch, self.counters), sock=udp)
        config = uvicorn.Config(
            SamplingProxyApp(self.cloud, self.account, self.region), http="httptools", lifespan="off",
            access_log=False, server_header=False, proxy_headers=False,
            log_level="warning" if self.settings.log_level in ("info", "debug") else self.settings.log_level,
        )
        config.load()
        server = uvicorn.Server(config)
        server.lifespan = config.lifespan_class(config)
        await server.startup(sockets=[tcp])
        self.server = server

    async def stop(self) -> None:
        transport, self.transport = self.transport, None
        if transport is not None:
            transport.close()
        server, self.server = self.server, None
        if server is not None:
            server.should_exit = True
            await server.shutdown()
