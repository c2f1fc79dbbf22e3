"""The gateway's entry point into auth.

``inspect`` reads the signature's parts without any cryptography (the gateway needs the
credential scope's service and region to route); ``wrap_stream`` removes aws-chunked framing
from streamed uploads; ``authenticate`` resolves the access key to an identity and, in strict
mode, verifies the signature (and hands the signing key to the chunk decoder).

Open mode costs a few dictionary lookups per request: no HMAC, no clock skew check. Only a
presigned URL's expiry and a session credential's expiry are checked in both modes, because
users test their expiry and refresh handling.
"""

from __future__ import annotations

from hashlib import sha256

from overcast.auth.body import PlainBody, declared_trailers, decoded_content_length, wrap_body
from overcast.auth.chunked import MIN_SIGNED_CHUNK, ChunkedBody, ChunkSignatureChain, decode_chunked
from overcast.auth.credentials import Credential, CredentialStore, root_principal
from overcast.auth.failures import MAX_SKEW_SECONDS, QUERY, S3, Failures, failures_for
from overcast.auth.info import AuthInfo, Identity
from overcast.auth.parse import amz_date_epoch, http_date_epoch, inspect_request
from overcast.auth.scope import scope_problem
from overcast.auth.sigv2 import verify_v2
from overcast.auth.sigv4 import (
    EMPTY_SHA256,
    S3_SIGNING_NAMES,
    UNSIGNED_PAYLOAD,
    CanonicalRequest,
    is_sha256_hex,
    reencoded_uri,
    signing_key,
    verify_v4,
)
from overcast.auth.unsigned_headers import unsigned_headers
from overcast.config import DEFAULT_ACCOUNT
from overcast.errors import AwsError

__all__ = ["AuthInfo", "Authenticator", "Identity"]

_STREAMING_VALUES = (
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
)


class Authenticator:
    """Parses and (in strict mode) verifies signatures; maps access keys to identities."""

    def __init__(self, settings, clock, credentials: CredentialStore | None = None):
        self.settings = settings
        self.clock = clock
        self.strict = bool(getattr(settings, "strict", False))
        # The registry IAM (users' keys) and STS (session credentials) fill at run time.
        self.credentials = credentials if credentials is not None else CredentialStore.from_settings(settings)

    def inspect(self, method: str, query_string: str, headers: dict[str, str]) -> AuthInfo | None:
        """The signature's parts, or None for an anonymous request.

        A malformed signature whose credential scope still names the service is recorded on
        ``AuthInfo.problem`` and raised by ``authenticate``, once routing has picked the
        protocol the client reads errors in. One that names no service is raised here: the
        gateway answers it in the generic XML error shape.
        """
        info = inspect_request(query_string, headers)
        if info is not None and info.problem is not None and info.service is None and info.kind != "unsupported":
            raise QUERY.problem(*info.problem)
        if self.strict and info is not None and info.problem is None and info.kind in ("header", "presigned"):
            info.unsigned_headers = unsigned_headers(info, headers)  # before a presigned query adds headers
        return info

    def wrap_stream(self, info: AuthInfo | None, headers: dict[str, str], stream):
        """The payload of a streamed body, with any ``aws-chunked`` framing removed.

        The result is a ``PlainBody`` or ``ChunkedBody`` (``overcast.auth.body``): iterate it
        for the payload; its ``trailers`` hold the trailing checksums once it is read.
        """
        return wrap_body(headers, stream)

    def authenticate(self, info: AuthInfo | None, request, ctx=None) -> Identity:
        """The caller's identity; in strict mode the signature must verify.

        ``ctx`` (the ``RequestContext``, routed) picks the error codes of the service's
        family (S3, query, JSON...) and the operation for unauthenticated-operation checks.
        """
        if info is None:
            if self.strict:
                self._check_anonymous_allowed(ctx)
            elif ctx is not None and getattr(ctx, "service", "s3") != "s3":
                # open mode: an unsigned call acts as the default account's root, as an
                # unknown key does (S3 keeps anonymous callers: bucket policies name them)
                return Identity("", DEFAULT_ACCOUNT, root_principal(DEFAULT_ACCOUNT), DEFAULT_ACCOUNT)
            return Identity("", DEFAULT_ACCOUNT, "", "")
        if info.kind == "unsupported" and not self.strict:
            return Identity("", DEFAULT_ACCOUNT, "", "")
        if info.problem is not None:
            raise self._failures(info, ctx).problem(*info.problem)
        if info.kind == "presigned" or info.kind == "sigv2-presigned":
            self._check_expiry(info, ctx)
        credential = self.credentials.lookup(info.access_key)
        if self.strict:
            self._verify(info, request, ctx, credential)
        else:
            if credential is not None and credential.expires_at is not None:
                self._check_session_expiry(credential, ctx, info)
            if request.stream is None and request.body:
                self._decode_inline_chunked(request, None)
        if credential is None:
            return Identity(
                info.access_key, DEFAULT_ACCOUNT, root_principal(DEFAULT_ACCOUNT), DEFAULT_ACCOUNT, info.session_token
            )
        return Identity(
            info.access_key,
            credential.account,
            credential.principal_arn,
            credential.user_id,
            info.session_token,
            credential,
        )

    def check_before_body(self, info: AuthInfo | None, request, ctx) -> Identity | None:
        """Strict mode, an upload that waits for ``100 Continue``: raise what ``authenticate``
        would raise about the signature itself (unknown key, mismatch, expiry) before the body
        is read, as S3 answers before inviting the body, and return the caller's identity
        (None in open mode). The payload's own checks still run once it is read, in
        ``authenticate``."""
        if not self.strict:
            return None
        probe = type(request)(request.method, request.path, request.query_string, request.headers)
        probe.stream = PlainBody(_NO_BODY)  # stands for the unread body: nothing here reads it
        return self.authenticate(info, probe, ctx)

    # -- checks ----------------------------------------------------------------------------

    def _failures(self, info: AuthInfo | None, ctx) -> Failures:
        if ctx is not None and getattr(ctx, "service", None):
            return failures_for(ctx.service, getattr(ctx, "protocol", None))
        return failures_for(info.service if info is not None else None, None)

    def _check_anonymous_allowed(self, ctx) -> None:
        """Strict mode: only S3 (bucket policies decide) and no-auth operations go unsigned."""
        if ctx is None or not getattr(ctx, "service", None) or ctx.service == "s3":
            return
        if ctx.operation and _operation_allows_anonymous(ctx.service, ctx.operation):
            return
        raise self._failures(None, ctx).missing_token()

    def _check_expiry(self, info: AuthInfo, ctx) -> None:
        # The client signed on its wall clock: its times move into cloud time by the offset
        # in force when it signed, so a clock move expires URLs signed before it, not after.
        now = self.clock.now()
        if info.kind == "presigned":
            signed_at = amz_date_epoch(info.amz_date or "")
            if signed_at is not None:
                expires_at = signed_at + self.clock.signing_offset(signed_at) + (info.expires or 0)
                if now > expires_at:
                    raise self._failures(info, ctx).expired_request(expires_at, now, info.expires)
                # dated more than the allowed skew ahead of the machine's clock (which signers use)
                if signed_at > self.clock.wall() + MAX_SKEW_SECONDS:
                    raise self._failures(info, ctx).not_yet_valid(signed_at, expires_at, now, info.amz_date or "")
        elif info.expires_at is not None and self.clock.wall() > info.expires_at:
            # SigV2 names only its expiry, not when it was signed, so no offset can be told:
            # the expiry is the signer's wall time, and is read on the wall clock
            expires_at = info.expires_at + self.clock.signing_offset(info.expires_at)
            raise self._failures(info, ctx).expired_request(expires_at, now, None)

    def _check_session_expiry(self, credential: Credential, ctx, info: AuthInfo) -> None:
        """Open mode: expired session credentials fail as on AWS (``ExpiredToken``), because
        users test their credential refresh; nothing else about the key is checked."""
        if self.clock.now() >= credential.expires_at:
            raise self._failures(info, ctx).expired_token()

    def _verify(self, info: AuthInfo, request, ctx, credential: Credential | None) -> None:
        failures = self._failures(info, ctx)
        s3 = failures is S3
        if s3:  # S3 reads the scope as part of the header's syntax, before the key
            self._check_scope(info, ctx, failures)
        if credential is None:
            raise failures.unknown_key(info.access_key)
        if not s3:
            self._check_scope(info, ctx, failures)
        now = self.clock.now()
        if credential.session_token is not None:
            if info.session_token != credential.session_token:
                raise failures.invalid_token()
            if credential.expires_at is not None and now >= credential.expires_at:
                raise failures.expired_token()
        elif info.session_token:
            raise failures.invalid_token()
        # Skew is measured on the machine's clock, which clients sign with; expiry (above, and
        # presigned URLs) on the cloud's clock, which tests move forward.
        wall = self.clock.wall()
        if info.kind == "header" or info.kind == "presigned":
            self._verify_v4(info, request, credential, failures, wall, _unsigned_body_allowed(ctx))
        elif info.kind == "sigv2-header" or info.kind == "sigv2-presigned":
            self._verify_v2(info, request, credential, failures, wall)
        else:  # SigV4a: its ECDSA key derivation is not implemented
            raise AwsError("NotImplemented", "Overcast does not verify SigV4a (AWS4-ECDSA-P256-SHA256) signatures.", 501)

    def _check_scope(self, info: AuthInfo, ctx, failures: Failures) -> None:
        """The scope must name the routed service and a region it serves (``overcast.auth.scope``)."""
        service = getattr(ctx, "service", None) if ctx is not None else None
        if not service or info.kind not in ("header", "presigned"):
            return
        found = scope_problem(info, service)
        if found is None:
            return
        kind, expected = found
        provided = info.service if kind == "service" else info.region
        expected = expected or getattr(self.settings, "region", None) or "us-east-1"
        raise failures.wrong_scope(kind, provided or "", expected, info.kind == "presigned")

    def _verify_v4(self, info: AuthInfo, request, credential: Credential, failures: Failures, now: float,
                   unsigned_body: bool = False) -> None:
        presigned = info.kind == "presigned"
        problem_kind = "query-params" if presigned else "incomplete"
        amz_date = info.amz_date or ""
        if not presigned:
            signed_at = amz_date_epoch(amz_date) or 0.0
            if abs(now - signed_at) > MAX_SKEW_SECONDS:
                raise failures.skewed(signed_at, now, amz_date)
        if info.date != amz_date[:8]:
            raise failures.problem(
                problem_kind,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{info.date}' != '{amz_date[:8]}', from '{amz_date}'.",
            )
        s3 = info.service in S3_SIGNING_NAMES
        if s3 and info.unsigned_headers:
            raise failures.headers_not_signed(list(info.unsigned_headers))
        signed = {name.lower() for name in info.signed_headers}
        if "host" not in signed and ":authority" not in signed:
            raise failures.problem(problem_kind, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        headers = request.headers
        content_sha256 = headers.get("x-amz-content-sha256")
        if not s3 and not (unsigned_body and not presigned):
            # Other services hash the body themselves: a claimed hash (UNSIGNED-PAYLOAD above
            # all) would let a captured request be replayed with another body.
            content_sha256 = None
        if s3 and not presigned and content_sha256 is None:
            raise AwsError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400)
        key = signing_key(credential.secret_key, info.date, info.region, info.service)
        info.signing_key = key
        canonical = CanonicalRequest(info, request.method, request.path, request.query_string, headers)
        alternates = []
        if s3:
            alternate = reencoded_uri(request.path)
            if alternate != canonical.uri:
                alternates.append(alternate)
        if presigned and s3:
            # a header sent with the URL is the payload hash, signed or not (S3 answers a
            # mismatch for a real hash the URL was not signed with)
            payloads = [content_sha256 if content_sha256 is not None else UNSIGNED_PAYLOAD]
        elif presigned:
            if request.stream is not None:
                body = _plain_body(request)
                body.on_complete = lambda digest: verify_v4(
                    info, canonical, key, _presigned_payloads(digest), alternates, failures)
                return
            payloads = _presigned_payloads(sha256(request.body).hexdigest())
        elif content_sha256 is not None:
            payloads = [content_sha256]
            if s3 and content_sha256.startswith("STREAMING-") and "x-amz-decoded-content-length" not in headers:
                # S3 has no error of its own for this: the request fails its signature check
                _, to_sign, text = canonical.matches(key, info.signature, content_sha256)
                raise failures.signature_mismatch(info.access_key, info.signature, to_sign, text)
        elif request.stream is not None:
            # Only known once the body is read: verified at its end.
            body = _plain_body(request)
            body.on_complete = lambda digest: verify_v4(info, canonical, key, [digest], alternates, failures)
            return
        else:
            payloads = [sha256(request.body).hexdigest()]
        verify_v4(info, canonical, key, payloads, alternates, failures)
        if content_sha256 is not None:
            self._check_payload(info, request, content_sha256, key, failures, s3)

    def _check_payload(self, info, request, content_sha256: str, key: bytes, failures: Failures, s3: bool) -> None:
        """The body must be what the signed ``x-amz-content-sha256`` says it is."""
        if is_sha256_hex(content_sha256):
            if request.stream is None:
                computed = sha256(request.body).hexdigest()
                if computed != content_sha256:
                    raise failures.content_sha256_mismatch(content_sha256, computed)
            else:

                def check(digest: str) -> None:
                    if digest != content_sha256:
                        raise failures.content_sha256_mismatch(content_sha256, digest)

                _plain_body(request).on_complete = check
        elif content_sha256.startswith("STREAMING-"):
            if content_sha256 not in _STREAMING_VALUES and s3:
                raise _bad_content_sha256(content_sha256)
            chain = None
            if "HMAC-SHA256-PAYLOAD" in content_sha256:

                def mismatch(to_sign: str, provided: str) -> AwsError:
                    return failures.signature_mismatch(info.access_key, provided, to_sign, None)

                chain = ChunkSignatureChain(key, info.amz_date, info.scope, info.signature, mismatch)
            if isinstance(request.stream, ChunkedBody):
                request.stream.chain = chain
                request.stream.min_chunk = MIN_SIGNED_CHUNK if chain is not None else 0
            elif request.stream is None:
                self._decode_inline_chunked(request, chain)
        elif content_sha256 != UNSIGNED_PAYLOAD and s3:
            raise _bad_content_sha256(content_sha256)

    def _verify_v2(self, info: AuthInfo, request, credential: Credential, failures: Failures, now: float) -> None:
        headers = request.headers
        if info.kind == "sigv2-header":
            raw_date = headers.get("x-amz-date") or headers.get("date")
            signed_at = http_date_epoch(raw_date) if raw_date else None
            if signed_at is None:
                raise failures.problem("date", "AWS authentication requires a valid Date or x-amz-date header")
            if abs(now - signed_at) > MAX_SKEW_SECONDS:
                raise failures.skewed(signed_at, now, raw_date)
        verify_v2(info, request.method, request.path, request.query_string, headers, credential.secret_key, failures)

    def _decode_inline_chunked(self, request, chain: ChunkSignatureChain | None) -> None:
        """An aws-chunked body read whole (a non-streaming operation): remove the framing."""
        headers = request.headers
        content_sha256 = headers.get("x-amz-content-sha256", "")
        if not content_sha256.startswith("STREAMING-"):
            return
        payload, trailers = decode_chunked(
            request.body,
            signed="HMAC-SHA256-PAYLOAD" in content_sha256,
            chain=chain,
            declared_length=decoded_content_length(headers),
        )
        missing = [name for name in declared_trailers(headers) if name not in trailers]
        if missing:
            raise AwsError("InvalidRequest", f"The trailing header {missing[0]} declared in x-amz-trailer is missing.", 400)
        request.body = payload


class _NoBody:
    """An empty async iterable (the probe of ``check_before_body`` never reads a body)."""

    def __aiter__(self):
        return self

    async def __anext__(self):
        raise StopAsyncIteration


_NO_BODY = _NoBody()


def _plain_body(request) -> PlainBody:
    if not isinstance(request.stream, PlainBody):
        request.stream = PlainBody(request.stream)
    return request.stream


def _bad_content_sha256(value: str) -> AwsError:
    return AwsError(
        "InvalidArgument",
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or "
        "a valid sha256 value.",
        400,
        fields={"ArgumentName": "x-amz-content-sha256", "ArgumentValue": value},
    )


def _presigned_payloads(body_sha256: str) -> list[str]:
    """A presigned URL of another service than S3: its body's hash, or ``UNSIGNED-PAYLOAD``
    (what SDK presigners sign, as for STS GetCallerIdentity tokens) when it has no body, so
    a captured URL cannot carry another body."""
    return [body_sha256, UNSIGNED_PAYLOAD] if body_sha256 == EMPTY_SHA256 else [body_sha256]


_UNSIGNED_BODY_OPERATIONS: dict[tuple[str, str], bool] = {}


def _unsigned_body_allowed(ctx) -> bool:
    """Whether the model lets the operation sign ``UNSIGNED-PAYLOAD`` (``authtype:
    v4-unsigned-body`` / ``unsignedPayload``: the services AWS documents). Cached."""
    service, operation = getattr(ctx, "service", None), getattr(ctx, "operation", None)
    if not service or not operation or service == "s3":
        return False
    key = (service, operation)
    found = _UNSIGNED_BODY_OPERATIONS.get(key)
    if found is None:
        from overcast.protocols.models import service_model

        try:
            model = service_model(service).operation_model(operation)
            found = model.auth_type == "v4-unsigned-body" or bool(getattr(model, "unsigned_payload", False))
        except Exception:  # noqa: BLE001 - an unknown operation is answered elsewhere
            found = False
        _UNSIGNED_BODY_OPERATIONS[key] = found
    return found


_ANONYMOUS_OPERATIONS: dict[tuple[str, str], bool] = {}


# Operations AWS answers unsigned though their model asks for a signature: the links SNS puts
# in its messages (SubscribeURL, UnsubscribeURL), opened by a browser or curl. What proves the
# caller is in the link (the confirmation token; the subscription ARN, which the subscription's
# AuthenticateOnUnsubscribe can close): the service checks it, no policy is evaluated.
UNSIGNED_LINKS = frozenset({("sns", "ConfirmSubscription"), ("sns", "Unsubscribe")})


def _operation_allows_anonymous(service: str, operation: str) -> bool:
    """Whether the model marks the operation unauthenticated (``authtype: none`` /
    ``smithy.api#noAuth``: STS AssumeRoleWithWebIdentity, Cognito GetId...) or AWS answers it
    as an unsigned link (``UNSIGNED_LINKS``). Cached."""
    key = (service, operation)
    if key in UNSIGNED_LINKS:
        return True
    found = _ANONYMOUS_OPERATIONS.get(key)
    if found is None:
        from overcast.protocols.models import service_model

        try:
            model = service_model(service).operation_model(operation)
            found = model.auth_type == "none" or "smithy.api#noAuth" in (model.auth or ())
        except Exception:  # noqa: BLE001 - an unknown operation is answered elsewhere
            found = False
        _ANONYMOUS_OPERATIONS[key] = found
    return found
