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

# Large enough that datagrams wait in the kernel while the process is busy or not scheduled
# (at 20,000 segments/s, 64 MiB holds about two seconds of them). Raising the buffer past the
# system's limit (net.core.rmem_max) needs privileges; without them the limit applies.
_RECEIVE_BUFFER = 64 * 1024 * 1024
_SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)


def _large_receive_buffer(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, _RECEIVE_BUFFER)
    except OSError:  # not privileged: as large as the system allows
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)


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

    def _store_batch(self, docs: list[dict], texts: list[str | None]) -> None:
        provider = self.cloud.services.provider("xray")
        provider.segments.add(self.account, self.region, docs, provider.clock.now(), texts)
        provider.graph_summaries.datagrams_stored(len(docs))  # the summarizer steps back while they pour in

    async def start(self) -> None:
        if not self.enabled:
            return
        host, port = self.settings.host, self.settings.xray_port
        try:
            udp = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
            try:
                _large_receive_buffer(udp)
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
        # opened and started now (not on the first datagram), so its background work runs
        await self.cloud.services.started("xray")
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
