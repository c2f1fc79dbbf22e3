"""The HTTP connection: uvicorn's httptools protocol with the limits a public endpoint has.

uvicorn reads headers of any size and keeps a connection open for as long as its client
keeps it: one 256 MiB header costs hundreds of MiB and stalls the loop, and connections that
never finish their headers hold file descriptors until new clients are locked out. Here:

- the header fields of a request are capped at ``max_header_bytes`` (S3's 8 KB "request
  header section"); a larger one is refused as S3 refuses it (400
  ``RequestHeaderSectionTooLarge``) before it is held in memory, and the connection closed;
- a connection must finish a request's headers within ``header_timeout_seconds`` of opening
  (or of the request's first byte), else it is closed;
- a request body that stops arriving for ``body_timeout_seconds`` (while Overcast waits for
  it) ends the connection, so the request fails and nothing of it is stored; an S3 request
  is first answered as S3 answers it (400 ``RequestTimeout``).

Idle keep-alive connections are closed by uvicorn itself (``timeout_keep_alive``).
"""

from __future__ import annotations

import sys

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from overcast.gateway.app import new_request_id

# A request line past this (the URL: path and query) is refused: S3 keys are at most 1,024
# bytes and query strings of AWS's query protocol fit many times over.
MAX_URL_BYTES = 64 * 1024
# httptools hands a header over only once it is complete, buffering it until then: the bytes
# of a head are also counted as they arrive, so one endless header is refused at about this
# (the caps above plus the request line's and every header line's own framing).
_HEAD_FRAMING = 16 * 1024
# After a refusal the rest of what the client sends is read and dropped for this long before
# the connection closes: closing with unread bytes would reset it and lose the answer.
_LINGER_SECONDS = 2.0
_END_OF_HEAD = b"\r\n\r\n"


class _TooLarge(Exception):
    """Raised inside a parser callback: httptools stops parsing and uvicorn answers 400,
    which ``send_400_response`` turns into the answer named here."""

    def __init__(self, answer: bytes):
        super().__init__("request head too large")
        self.answer = answer


def _header_section_too_large(limit: int) -> bytes:
    request_id = new_request_id()
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>RequestHeaderSectionTooLarge</Code>'
            '<Message>Your request header section exceeds the maximum allowed size.</Message>'
            f'<MaxSizeAllowed>{limit}</MaxSizeAllowed><RequestId>{request_id}</RequestId>'
            f'<HostId>{request_id}</HostId></Error>').encode()
    return (b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/xml\r\nserver: AmazonS3\r\n"
            b"x-amz-request-id: " + request_id.encode() + b"\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body)


def _request_timeout(request_id: str) -> bytes:
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>RequestTimeout</Code>'
            '<Message>Your socket connection to the server was not read from or written to within the '
            'timeout period. Idle connections will be closed.</Message>'
            f'<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>').encode()
    return (b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/xml\r\nserver: AmazonS3\r\n"
            b"x-amz-request-id: " + request_id.encode() + b"\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body)


_URI_TOO_LONG = (b"HTTP/1.1 414 URI Too Long\r\ncontent-type: text/plain\r\ncontent-length: 12\r\n"
                 b"connection: close\r\n\r\nURI Too Long")


def _callback_error() -> BaseException | None:
    """The exception a parser callback raised, while uvicorn handles the parser's error
    (httptools raises its own error with the callback's as the context)."""
    error = sys.exc_info()[1]
    return error.__context__ if error is not None else None


def guarded_protocol(settings) -> type:
    """The protocol class uvicorn runs for ``settings`` (``uvicorn.Config(http=...)``)."""

    class GuardedHttpProtocol(_GuardedHttpProtocol):
        max_header_bytes = settings.max_header_bytes
        header_timeout = settings.header_timeout_seconds
        body_timeout = settings.body_timeout_seconds

    return GuardedHttpProtocol


class _GuardedHttpProtocol(HttpToolsProtocol):
    max_header_bytes = 8192
    header_timeout = 20.0
    body_timeout = 20.0

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._head_bytes = 0
        self._url_bytes = 0
        self._in_head = True  # bytes now received belong to a request's head
        self._head_received = 0
        self._head_tail = b""  # the last bytes of the head so far (its end may straddle chunks)
        self._discarding = False
        # The timers are not set and cancelled per request (a timer handle in the loop's heap
        # each time): one of each per connection waits, and when it fires it looks at when
        # the head under way began (None: none is) or when body bytes last came, and re-arms
        # for the rest of the time, or stops until a next request needs it.
        self._head_started: float | None = self.loop.time()  # the connection's opening counts
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)
        self._body_timer = None
        self._body_seen = 0.0  # loop time of the last body bytes

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        # A chunk in which the head ends (it may carry the start of the body) goes to the
        # parser, whose callbacks check the exact limits.
        if self._in_head and _END_OF_HEAD not in data and _END_OF_HEAD not in self._head_tail + data[:3]:
            self._head_received += len(data)
            self._head_tail = data[-3:]
            if self._head_received > self.max_header_bytes + MAX_URL_BYTES + _HEAD_FRAMING:
                self._refuse(_header_section_too_large(self.max_header_bytes))
                return
        super().data_received(data)

    def _refuse(self, answer: bytes) -> None:
        """Answer ``answer``, then drop what still arrives and close after a short linger."""
        self._cancel_timers()
        self._discarding = True
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.loop.call_later(_LINGER_SECONDS, self._close)

    def _close(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    # -- the head of a request --------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = self._url_bytes = 0
        if self._head_started is None:  # a next request on a kept-alive connection
            self._head_started = self.loop.time()
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > MAX_URL_BYTES:
            raise _TooLarge(_URI_TOO_LONG)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value)
        if self._head_bytes > self.max_header_bytes:
            raise _TooLarge(_header_section_too_large(self.max_header_bytes))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head, self._head_received, self._head_tail = False, 0, b""
        self._head_started = None  # the head timer, when it fires, finds no head under way
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.more_body:
            self._body_seen = self.loop.time()
            if self._body_timer is None:
                self._arm_body_timer()

    def send_400_response(self, msg: str) -> None:
        caught = _callback_error()
        if isinstance(caught, _TooLarge):
            self._refuse(caught.answer)
            return
        super().send_400_response(msg)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        started = self._head_started
        if started is None:  # between requests: the next one's first byte re-arms it
            return
        rest = started + self.header_timeout - self.loop.time()
        if rest > 0:  # a later head than the one the timer was set for
            self._head_timer = self.loop.call_later(rest, self._head_timed_out)
            return
        if not self.transport.is_closing():
            self.transport.close()

    # -- the body ----------------------------------------------------------------------------

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        # one float per chunk (the upload hot path); the timer re-arms itself from it
        self._body_seen = self.loop.time()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # what comes next is the head of a next request
        # the body timer stays: firing, it finds this request's body complete (and stops)

    def _arm_body_timer(self, delay: float | None = None) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
        self._body_seen = self.loop.time()
        self._body_timer = self.loop.call_later(self.body_timeout if delay is None else delay,
                                                self._body_timed_out)

    def _body_timed_out(self) -> None:
        self._body_timer = None
        cycle = self.cycle
        if cycle is None or not cycle.more_body or cycle.response_complete or self.transport.is_closing():
            return
        quiet = self.loop.time() - self._body_seen
        if quiet < self.body_timeout:  # bytes came meanwhile: wait out the rest from the last
            seen = self._body_seen
            self._arm_body_timer(self.body_timeout - quiet)
            self._body_seen = seen
            return
        # Overcast, not the client, is the slow side: its reading is paused, it has bytes it
        # has not taken yet, or the client still waits for 100 Continue
        if self.flow.read_paused or cycle.body or cycle.waiting_for_100_continue:
            self._arm_body_timer()
            return
        # The request fails (its body never completes); nothing of it is stored. S3 says why
        # before it closes; the other services just close.
        ctx = cycle.scope.get("overcast.ctx")
        if ctx is not None and ctx.service == "s3" and not cycle.response_started:
            self._refuse(_request_timeout(ctx.request_id))
        else:
            self.transport.close()

    def _cancel_timers(self) -> None:
        for timer in (getattr(self, "_head_timer", None), getattr(self, "_body_timer", None)):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None
