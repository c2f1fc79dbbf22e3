"""A local HTTP server for API destination tests: it records every request (any method), answers
with the statuses a test scripts per path (200 by default), and plays an OAuth 2.0 authorization
server (client-credentials grant) whose tokens its ``/secure/`` paths demand."""

from __future__ import annotations

import base64
import http.server
import itertools
import json
import threading
import time
from urllib.parse import parse_qsl, urlsplit

from recorded_requests import RecordedRequests

TOKEN_PATH = "/oauth/token"


class ApiServer(RecordedRequests):
    """``url(path)``; ``requests_to(path)`` what arrived there; ``answer(path, *statuses)``.

    OAuth: ``client(id, secret)`` sets the credentials ``TOKEN_PATH`` accepts (it answers 401 to
    others); each grant issues a new token ``token-<n>`` with ``expires_in`` seconds; a request
    to a path under ``/secure/`` without the latest token as ``Authorization: Bearer`` gets 401."""

    def __init__(self):
        super().__init__()
        self._numbers = itertools.count(1)
        self.client_id, self.client_secret = "client-id", "client-secret"
        self.expires_in = 3600
        self.token: str | None = None
        self.delays: dict[str, float] = {}  # path -> seconds its requests wait before their answer
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                parts = urlsplit(self.path)
                record = {"method": self.command, "path": parts.path, "query": dict(parse_qsl(parts.query)),
                          "raw_path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                          "header_list": [(k.lower(), v) for k, v in self.headers.items()],
                          "body": body, "at": time.monotonic()}
                with server._lock:
                    server._arrived.append(record)
                time.sleep(server.delays.get(parts.path, 0))
                status, answer = server._answer(record)
                self.send_response(status)
                payload = json.dumps(answer).encode() if answer is not None else b""
                if answer is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _answer(self, record: dict) -> tuple[int, dict | None]:
        with self._lock:
            script = self._scripts.get(record["path"]) or []
            if script:
                return script.pop(0), None
            if record["path"] == TOKEN_PATH:
                return self._grant(record)
            if record["path"].startswith("/secure/"):
                if self.token is None or record["headers"].get("authorization") != f"Bearer {self.token}":
                    return 401, None
            return 200, None

    def _grant(self, record: dict) -> tuple[int, dict | None]:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if record["headers"].get("authorization") != f"Basic {expected}":
            return 401, {"error": "invalid_client"}
        self.token = f"token-{next(self._numbers)}"
        return 200, {"access_token": self.token, "token_type": "Bearer", "expires_in": self.expires_in}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

