"""The signature SNS puts on every message it delivers, and the certificate that verifies it.

AWS signs the "string to sign" of a message (its fields, each as ``name\\nvalue\\n``, in a fixed
order per message type) with RSA PKCS#1 v1.5: SHA1 for SignatureVersion 1, SHA256 for 2, and
names the certificate whose public key verifies it in SigningCertURL. Overcast does the same
with a key of its own: an RSA key and a self-signed certificate created once in the data dir
(``sns-signing/``, outside the databases, so a reset keeps them), served by Overcast at
``/_overcast/sns/SimpleNotificationService-<id>.pem`` (``<id>``: the certificate's fingerprint,
as AWS names its certificates by a hash).

The string to sign covers no subscription-specific field, so a message fanned out to many
subscriptions is signed once.
"""

from __future__ import annotations

import base64
import datetime
import os
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

CERT_PATH_PREFIX = "/_overcast/sns/SimpleNotificationService-"
KEY_BITS = 2048  # AWS's SNS signing certificates carry 2048-bit RSA keys

# The fields of the string to sign, in AWS's order ("Verifying the signatures of Amazon SNS
# messages"); Subject only when the notification has one.
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


def string_to_sign(fields: dict) -> bytes:
    """AWS's canonical string of a message (``fields``: the envelope's name -> value)."""
    names = NOTIFICATION_FIELDS if fields.get("Type") == "Notification" else CONFIRMATION_FIELDS
    parts = []
    for name in names:
        value = fields.get(name)
        if value is None:
            continue
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


class Signer:
    """The data dir's signing key and certificate (created on first use)."""

    def __init__(self, data_dir: str):
        self._folder = os.path.join(data_dir, "sns-signing")
        self._lock = threading.Lock()
        self._key = None
        self._cert_pem: bytes | None = None
        self.cert_id = ""

    def _load(self) -> None:
        with self._lock:
            if self._key is not None:
                return
            key_path = os.path.join(self._folder, "signing-key.pem")
            cert_path = os.path.join(self._folder, "signing-cert.pem")
            if os.path.exists(key_path) and os.path.exists(cert_path):
                with open(key_path, "rb") as f:
                    key = serialization.load_pem_private_key(f.read(), password=None)
                with open(cert_path, "rb") as f:
                    cert_pem = f.read()
            else:
                key, cert_pem = _new_key_and_certificate()
                os.makedirs(self._folder, exist_ok=True)
                _write_whole(key_path, key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
                _write_whole(cert_path, cert_pem)
            cert = x509.load_pem_x509_certificate(cert_pem)
            self.cert_id = cert.fingerprint(hashes.SHA256()).hex()[:32]
            self._cert_pem = cert_pem
            self._key = key

    @property
    def certificate_pem(self) -> bytes:
        self._load()
        return self._cert_pem

    def certificate_path(self) -> str:
        """The path (under the endpoint) of the certificate: SigningCertURL's path."""
        self._load()
        return f"{CERT_PATH_PREFIX}{self.cert_id}.pem"

    def sign(self, fields: dict, version: str) -> str:
        """Base64 signature of ``fields`` for SignatureVersion ``version`` ("1" or "2")."""
        self._load()
        digest = hashes.SHA256() if version == "2" else hashes.SHA1()
        signature = self._key.sign(string_to_sign(fields), padding.PKCS1v15(), digest)
        return base64.b64encode(signature).decode("ascii")


def _new_key_and_certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Overcast"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("sns.amazonaws.com")]), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM)


def _write_whole(path: str, data: bytes) -> None:
    """Write to a temp file and rename it into place: a crash leaves no half file."""
    temp = f"{path}.tmp"
    with open(temp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
