"""What a request's signature says (``AuthInfo``) and who the caller is (``Identity``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class AuthInfo:
    """The parts of a request's signature, read without any cryptography.

    ``problem`` is set instead of raising when the signature is malformed but still names its
    service: ``inspect`` runs before routing, so the error is raised by ``authenticate`` once
    the request's protocol is known and the client gets it in the shape it parses. It is ``(kind, message)``, the kinds
    being ``incomplete``, ``date``, ``query-params``, ``access-denied`` and
    ``invalid-argument`` (see ``overcast.auth.failures``).
    """

    kind: str  # "header", "presigned", "sigv2-header", "sigv2-presigned", "unsupported"
    access_key: str
    region: str | None = None
    service: str | None = None  # credential scope service (signing name)
    date: str | None = None  # credential scope date, YYYYMMDD
    amz_date: str | None = None  # request time, YYYYMMDDTHHMMSSZ (X-Amz-Date, or Date converted)
    signed_headers: tuple[str, ...] = ()
    signature: str = ""
    expires: int | None = None  # presigned SigV4: seconds of validity (X-Amz-Expires)
    session_token: str | None = None
    problem: tuple[str, str] | None = None
    # SigV2 presigned: the absolute expiry (``Expires``, epoch seconds).
    expires_at: int | None = None
    # Set by ``authenticate`` in strict mode, for verifying aws-chunked chunk signatures.
    signing_key: bytes | None = None
    # Strict mode, SigV4: the headers S3 requires signed that the signature leaves out, read
    # by ``inspect`` from the request as sent (before a presigned URL's query adds headers).
    unsigned_headers: tuple[str, ...] = ()

    @property
    def scope(self) -> str:
        """The credential scope without the key: ``date/region/service/aws4_request``."""
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


@dataclass(slots=True)
class Identity:
    """The caller, once its access key is resolved."""

    access_key: str
    account: str
    principal_arn: str
    user_id: str
    session_token: str | None = None
    # The resolved access key (None for anonymous callers and, in open mode, unknown keys):
    # what strict-mode authorization reads the principal's kind, role and session from.
    credential: object | None = None
