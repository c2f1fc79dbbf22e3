"""A lean SQS JSON-protocol client for the benchmarks: SigV4 with a cached key, keep-alive HTTP.

boto3 costs about a millisecond of client CPU per call, which would make the load generator
the bottleneck; this client costs a few tens of microseconds, so the server is what is
measured. Its signatures are checked against botocore's once (``selftest``).

- ``Signer.sign_json(host, action, body)`` -> headers of a header-signed JSON request (also
  used to build the request pools wrk replays).
- ``Connection`` one HTTP/1.1 keep-alive connection (reconnects when the server closes it, as
  moto's werkzeug server does after every answer).
- ``SqsClient.call(conn, action, payload)`` -> the decoded answer; raises ``CallFailed`` on
  any non-2xx status.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"


class CallFailed(RuntimeError):
    """A non-2xx answer (the benchmark run that sees one is INVALID)."""

    def __init__(self, action: str, status: int, body: bytes):
        super().__init__(f"{action} -> HTTP {status}: {body[:300]!r}")
        self.status = status


class Signer:
    """SigV4 header signing for the ``sqs`` service, the signing key cached per day."""

    def __init__(self, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY, region: str = REGION):
        self.access_key, self.secret_key, self.region = access_key, secret_key, region
        self._keys: dict[str, bytes] = {}

    def _key(self, date: str) -> bytes:
        key = self._keys.get(date)
        if key is None:
            def step(k: bytes, msg: str) -> bytes:
                return hmac.new(k, msg.encode(), hashlib.sha256).digest()
            key = step(step(step(step(("AWS4" + self.secret_key).encode(), date), self.region), "sqs"), "aws4_request")
            self._keys[date] = key
        return key

    def sign_json(self, host: str, action: str, body: bytes, amz_date: str | None = None) -> dict[str, str]:
        """Headers (Host included) of a POST / carrying ``body`` to ``AmazonSQS.<action>``."""
        amz_date = amz_date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        date = amz_date[:8]
        target = f"AmazonSQS.{action}"
        canonical_headers = (f"content-type:{JSON_CONTENT_TYPE}\nhost:{host}\n"
                             f"x-amz-date:{amz_date}\nx-amz-target:{target}\n")
        signed = "content-type;host;x-amz-date;x-amz-target"
        canonical = f"POST\n/\n\n{canonical_headers}\n{signed}\n{hashlib.sha256(body).hexdigest()}"
        scope = f"{date}/{self.region}/sqs/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(self._key(date), to_sign.encode(), hashlib.sha256).hexdigest()
        return {
            "Host": host,
            "Content-Type": JSON_CONTENT_TYPE,
            "X-Amz-Date": amz_date,
            "X-Amz-Target": target,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                             f"SignedHeaders={signed}, Signature={signature}",
        }


def selftest() -> None:
    """Fail loudly unless our signature equals botocore's for the same request."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = b'{"QueueUrl":"http://127.0.0.1:1/000000000000/q","MessageBody":"x"}'
    headers = {"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": "AmazonSQS.SendMessage"}
    request = AWSRequest(method="POST", url="http://127.0.0.1:4566/", data=body, headers=headers)
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "sqs", REGION).add_auth(request)
    ours = Signer().sign_json("127.0.0.1:4566", "SendMessage", body, request.headers["X-Amz-Date"])
    if ours["Authorization"] != request.headers["Authorization"]:
        raise SystemExit(f"signer differs from botocore:\n {ours['Authorization']}\n {request.headers['Authorization']}")


class Connection:
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def post(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        head = "POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        message = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        for attempt in (0, 1):
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(message)
                return await self._answer()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt:  # a fresh connection failing is a real error
                    raise
        raise AssertionError("unreachable")

    async def _answer(self) -> tuple[int, bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close, chunked = None, lines[0].startswith("HTTP/1.0"), False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value.strip().lower() == "close"
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
        if length is not None:
            body = await self.reader.readexactly(length)
        elif chunked:
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
            body = b"".join(parts)
        else:
            body, close = await self.reader.read(), True
        if close:
            self.close()
        return status, body


class SqsClient:
    """Calls SQS JSON-protocol actions over ``Connection`` objects it hands out."""

    def __init__(self, endpoint: str, signer: Signer | None = None):
        parts = urllib.parse.urlsplit(endpoint)
        self.host_header = parts.netloc
        self.hostname, self.port = parts.hostname, parts.port or 80
        self.signer = signer or Signer()

    def connection(self) -> Connection:
        return Connection(self.hostname, self.port)

    def signed(self, action: str, payload: dict) -> tuple[dict[str, str], bytes]:
        """Headers and body of one signed call (for replay by wrk or by ``Connection.post``)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        return self.signer.sign_json(self.host_header, action, body), body

    async def call(self, conn: Connection, action: str, payload: dict) -> dict:
        headers, body = self.signed(action, payload)
        status, answer = await conn.post(headers, body)
        if not 200 <= status < 300:
            raise CallFailed(action, status, answer)
        return json.loads(answer) if answer else {}
