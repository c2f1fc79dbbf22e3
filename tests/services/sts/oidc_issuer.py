"""A tiny OpenID Connect issuer on 127.0.0.1: discovery document, JWKS, and RS256 tokens."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _int_bytes(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


class Issuer:
    """Serves ``/.well-known/openid-configuration`` and ``/jwks``; ``token(...)`` signs claims."""

    def __init__(self, kid: str = "key-1"):
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
                elif self.path == "/jwks":
                    numbers = issuer.key.public_key().public_numbers()
                    body = {"keys": [{"kty": "RSA", "kid": issuer.kid, "use": "sig", "alg": "RS256",
                                      "n": b64url(_int_bytes(numbers.n)), "e": b64url(_int_bytes(numbers.e))}]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[1]

    def token(self, key=None, kid=None, **claims) -> str:
        now = int(time.time())
        body = {"iss": self.url, "sub": "repo:acme/app:ref:refs/heads/main", "aud": "sts.amazonaws.com",
                "iat": now, "exp": now + 600, **claims}
        header = {"alg": "RS256", "typ": "JWT", "kid": kid or self.kid}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(body).encode())}"
        signature = (key or self.key).sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
