"""JSON documents from an OpenID Connect provider, over HTTPS only.

Web identity keys come from the provider registered in IAM, never from where a token says:
the discovery document is read at the registered URL (``https://`` as IAM requires) and its
``jwks_uri`` must be ``https://`` too. As AWS does, a server is trusted when the system's
certificate authorities vouch for it, or else when its certificate's SHA-1 thumbprint is one
of the provider's ``ThumbprintList`` (how a self-signed local issuer is trusted). Redirects
are not followed.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import ssl
from urllib.parse import urlsplit

_TIMEOUT = 5.0
_MAX_DOCUMENT = 1 << 20  # a discovery document or key set is a few KiB


class UntrustedServer(OSError):
    """The URL is not https, or its server is neither CA-verified nor a pinned thumbprint."""


def get_json(url: str, thumbprints: list[str]) -> dict:
    """The JSON object at ``url`` (https), from a server the system or a thumbprint trusts."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise UntrustedServer(f"not an https URL: {url}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        return _read(parts, path, ssl.create_default_context(), None)
    except ssl.SSLCertVerificationError:
        pinned = ssl.create_default_context()
        pinned.check_hostname = False
        pinned.verify_mode = ssl.CERT_NONE  # the thumbprint check below is the verification
        return _read(parts, path, pinned, {t.lower() for t in thumbprints})


def _read(parts, path: str, context: ssl.SSLContext, thumbprints: set[str] | None) -> dict:
    connection = http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=_TIMEOUT, context=context)
    try:
        connection.connect()
        if thumbprints is not None:
            certificate = connection.sock.getpeercert(binary_form=True) or b""
            if hashlib.sha1(certificate).hexdigest() not in thumbprints:  # noqa: S324 - AWS's thumbprint is SHA-1
                raise UntrustedServer(f"certificate of {parts.hostname} matches no thumbprint of the provider")
        connection.request("GET", path, headers={"Accept": "application/json", "Host": parts.netloc})
        response = connection.getresponse()
        if response.status != 200:
            raise UntrustedServer(f"{parts.netloc}{path} answered {response.status}")
        document = json.loads(response.read(_MAX_DOCUMENT + 1)[:_MAX_DOCUMENT])
    finally:
        connection.close()
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document
