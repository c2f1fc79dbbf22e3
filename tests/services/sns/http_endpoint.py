"""A local HTTP endpoint for SNS to POST to: records every request, answers with the statuses
a test scripts (200 by default), and checks SNS signatures with the certificate Overcast serves."""

from __future__ import annotations

import base64
import http.server
import datetime
import ipaddress
import json
import ssl
import threading

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from recorded_requests import RecordedRequests

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


class Endpoint(RecordedRequests):
    """``url(path)`` to subscribe; ``requests_to(path)`` what arrived there; ``answer(path, *statuses)``."""

    def __init__(self, tls: tuple[str, str] | None = None):
        """``tls``: (certificate file, key file) to serve HTTPS."""
        super().__init__()
        self.scheme = "https" if tls else "http"
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                with endpoint._lock:
                    endpoint._arrived.append({"path": self.path, "headers": dict(self.headers.items()),
                                              "body": body})
                    script = endpoint._scripts.get(self.path) or []
                    status = script.pop(0) if script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}{path}"



def verify_signature(document: dict) -> None:
    """Checks an SNS document's signature as a consumer does: the certificate fetched from
    SigningCertURL, the canonical string of the document's type, SHA1 (version 1) or SHA256 (2)."""
    certificate = x509.load_pem_x509_certificate(requests.get(document["SigningCertURL"], timeout=5).content)
    names = NOTIFICATION_FIELDS if document["Type"] == "Notification" else CONFIRMATION_FIELDS
    canonical = "".join(f"{name}\n{document[name]}\n" for name in names if name in document)
    algorithm = hashes.SHA1() if document["SignatureVersion"] == "1" else hashes.SHA256()
    certificate.public_key().verify(base64.b64decode(document["Signature"]), canonical.encode("utf-8"),
                                    padding.PKCS1v15(), algorithm)


def body_of(request: dict) -> dict:
    return json.loads(request["body"])


def self_signed_certificate(directory) -> tuple[str, str]:
    """(certificate file, key file) of a new self-signed certificate for 127.0.0.1."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "endpoint.pem", directory / "endpoint.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)
