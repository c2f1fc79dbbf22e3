"""The errors auth answers, in the codes each kind of AWS service uses for them.

The same failure has different codes across AWS: an unknown access key is
``InvalidClientTokenId`` for query services (STS, IAM, SNS), ``UnrecognizedClientException``
for JSON services (DynamoDB, Lambda, KMS), ``AuthFailure`` for EC2 and ``InvalidAccessKeyId``
for S3; a skewed clock is ``SignatureDoesNotMatch: Signature expired: ...`` for STS,
``InvalidSignatureException`` for JSON services and ``RequestTimeTooSkewed`` for S3. A
``Failures`` object per family builds them.
"""

from __future__ import annotations

import time

from overcast.errors import AwsError

# AWS refuses a signature more than 15 minutes away from its clock (SigV4 docs).
MAX_SKEW_SECONDS = 15 * 60

_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
_S3_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
_INVALID_TOKEN = "The security token included in the request is invalid."
_EXPIRED_TOKEN = "The security token included in the request is expired"


def iso_basic(epoch: float) -> str:
    """Epoch seconds -> ``YYYYMMDDTHHMMSSZ`` (SigV4's timestamp form)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


def iso_extended(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class Failures:
    """Builds auth errors for one family of services (query, json, rest-json, ec2)."""

    def __init__(
        self,
        *,
        incomplete: str,
        missing: str,
        unknown_key: str,
        mismatch: str,
        expired_token: str,
        status: int,
        incomplete_status: int = 400,
    ):
        self._incomplete = incomplete
        self._missing = missing
        self._unknown_key = unknown_key
        self._mismatch = mismatch
        self._expired_token = expired_token
        self._status = status
        self._incomplete_status = incomplete_status

    def problem(self, kind: str, message: str) -> AwsError:
        """A malformed signature found by ``inspect`` (kinds: see ``overcast.auth.parse``)."""
        if kind == "query-params":
            return AwsError("AuthorizationQueryParametersError", message, 400)
        if kind == "access-denied":
            return AwsError("AccessDenied", message, 403)
        return AwsError(self._incomplete, message, self._incomplete_status)

    def missing_token(self) -> AwsError:
        message = "Missing Authentication Token" if self._missing.endswith("Exception") else (
            "Request is missing Authentication Token"
        )
        return AwsError(self._missing, message, self._status)

    def unknown_key(self, access_key: str) -> AwsError:
        if self._unknown_key == "AuthFailure":
            return AwsError("AuthFailure", "AWS was not able to validate the provided access credentials", 401)
        return AwsError(self._unknown_key, _INVALID_TOKEN, self._status)

    def invalid_token(self) -> AwsError:
        return self.unknown_key("")

    def expired_token(self) -> AwsError:
        return AwsError(self._expired_token, _EXPIRED_TOKEN, self._status)

    def signature_mismatch(
        self, access_key: str, provided: str, string_to_sign: str, canonical_request: str | None
    ) -> AwsError:
        if self._mismatch == "AuthFailure":
            return AwsError("AuthFailure", "AWS was not able to validate the provided access credentials", 401)
        message = _MISMATCH
        if canonical_request is not None:
            # As API Gateway, Lambda and others do: the strings we signed, so a client author
            # can see where the two sides differ.
            message += (
                f"\n\nThe Canonical String for this request should have been\n'{canonical_request}'\n\n"
                f"The String-to-Sign should have been\n'{string_to_sign}'\n"
            )
        return AwsError(self._mismatch, message, self._status)

    def skewed(self, request_time: float, now: float, amz_date: str) -> AwsError:
        if self._mismatch == "AuthFailure":  # EC2
            return AwsError("RequestExpired", "Request has expired.", 400)
        if request_time < now:
            message = (
                f"Signature expired: {amz_date} is now earlier than "
                f"{iso_basic(now - MAX_SKEW_SECONDS)} ({iso_basic(now)} - 15 min.)"
            )
        else:
            message = (
                f"Signature not yet current: {amz_date} is still later than "
                f"{iso_basic(now + MAX_SKEW_SECONDS)} ({iso_basic(now)} + 15 min.)"
            )
        return AwsError(self._mismatch, message, self._status)

    def content_sha256_mismatch(self, claimed: str, computed: str) -> AwsError:
        return AwsError(
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            400,
            fields={"ClientComputedContentSHA256": claimed, "S3ComputedContentSHA256": computed},
        )

    def expired_request(self, expires_at: float, now: float, expires: int | None) -> AwsError:
        """A presigned URL used after its expiry."""
        fields = {"Expires": iso_extended(expires_at), "ServerTime": iso_extended(now)}
        if expires is not None:
            fields["X-Amz-Expires"] = str(expires)
        return AwsError("AccessDenied", "Request has expired", 403, fields=fields)


    def not_yet_valid(self, signed_at: float, expires_at: float, now: float, amz_date: str) -> AwsError:
        """A presigned URL dated further ahead than the allowed skew: what a header-signed
        request that early gets."""
        return self.skewed(signed_at, now, amz_date)

    def wrong_scope(self, kind: str, provided: str, expected: str, presigned: bool) -> AwsError:
        """A credential scope naming another service, or a region this endpoint does not serve
        (``overcast.auth.scope``): a signature mismatch with AWS's reason (trailing space
        included, as AWS writes it)."""
        if self._mismatch == "AuthFailure":  # EC2 names no reason
            return AwsError("AuthFailure", "AWS was not able to validate the provided access credentials", 401)
        if kind == "service":
            return AwsError(self._mismatch, f"Credential should be scoped to correct service: '{expected}'. ", self._status)
        return AwsError(self._mismatch, f"Credential should be scoped to a valid region, not '{provided}'. ", self._status)


class S3Failures(Failures):
    """S3 answers auth failures with its own codes and extra error members."""

    def __init__(self):
        super().__init__(
            incomplete="AuthorizationHeaderMalformed",
            missing="AccessDenied",
            unknown_key="InvalidAccessKeyId",
            mismatch="SignatureDoesNotMatch",
            expired_token="ExpiredToken",
            status=403,
        )

    def problem(self, kind: str, message: str) -> AwsError:
        if kind == "incomplete":
            return AwsError(
                "AuthorizationHeaderMalformed", f"The authorization header is malformed; {message}", 400
            )
        if kind == "invalid-argument":
            return AwsError("InvalidArgument", message, 400)
        if kind == "date":
            return AwsError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403)
        return super().problem(kind, message)

    def missing_token(self) -> AwsError:
        return AwsError("AccessDenied", "Access Denied", 403)

    def unknown_key(self, access_key: str) -> AwsError:
        return AwsError(
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            403,
            fields={"AWSAccessKeyId": access_key},
        )

    def invalid_token(self) -> AwsError:
        return AwsError("InvalidToken", "The provided token is malformed or otherwise invalid.", 400)

    def expired_token(self) -> AwsError:
        return AwsError("ExpiredToken", "The provided token has expired.", 400)

    def signature_mismatch(self, access_key, provided, string_to_sign, canonical_request) -> AwsError:
        fields = {
            "AWSAccessKeyId": access_key,
            "StringToSign": string_to_sign,
            "SignatureProvided": provided,
            "StringToSignBytes": _hex_bytes(string_to_sign),
        }
        if canonical_request is not None:
            fields["CanonicalRequest"] = canonical_request
            fields["CanonicalRequestBytes"] = _hex_bytes(canonical_request)
        return AwsError("SignatureDoesNotMatch", _S3_MISMATCH, 403, fields=fields)

    def wrong_scope(self, kind: str, provided: str, expected: str, presigned: bool) -> AwsError:
        if kind == "service":
            detail = f'incorrect service "{provided}". This endpoint belongs to "{expected}".'
            fields = None
        else:
            detail = f"the region '{provided}' is wrong; expecting '{expected}'"
            fields = {"Region": expected}  # SDKs re-sign for this region (botocore's S3 redirector)
        if presigned:
            return AwsError("AuthorizationQueryParametersError", f"Error parsing the X-Amz-Credential parameter; {detail}",
                            400, fields=fields)
        return AwsError("AuthorizationHeaderMalformed", f"The authorization header is malformed; {detail}", 400,
                        fields=fields)

    def headers_not_signed(self, names: list[str]) -> AwsError:
        return AwsError("AccessDenied", "There were headers present in the request which were not signed", 403,
                        fields={"HeadersNotSigned": ", ".join(names)})

    def not_yet_valid(self, signed_at: float, expires_at: float, now: float, amz_date: str) -> AwsError:
        """S3's answer to a presigned URL dated in the future: X-Amz-Date in epoch milliseconds,
        as S3 writes it."""
        return AwsError("AccessDenied", "Request is not yet valid", 403, fields={
            "X-Amz-Date": str(int(signed_at) * 1000), "Expires": iso_extended(expires_at),
            "ServerTime": iso_extended(now)})

    def skewed(self, request_time: float, now: float, amz_date: str) -> AwsError:
        return AwsError(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            403,
            fields={
                "RequestTime": amz_date,
                "ServerTime": iso_extended(now),
                "MaxAllowedSkewMilliseconds": str(MAX_SKEW_SECONDS * 1000),
            },
        )


def _hex_bytes(text: str) -> str:
    """The bytes that were hashed (header values as sent: latin-1 text of their bytes)."""
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return " ".join(f"{b:02x}" for b in data)


QUERY = Failures(
    incomplete="IncompleteSignature",
    missing="MissingAuthenticationToken",
    unknown_key="InvalidClientTokenId",
    mismatch="SignatureDoesNotMatch",
    expired_token="ExpiredToken",
    status=403,
)
JSON = Failures(
    incomplete="IncompleteSignatureException",
    missing="MissingAuthenticationTokenException",
    unknown_key="UnrecognizedClientException",
    mismatch="InvalidSignatureException",
    expired_token="ExpiredTokenException",
    status=400,
)
REST_JSON = Failures(
    incomplete="IncompleteSignatureException",
    missing="MissingAuthenticationTokenException",
    unknown_key="UnrecognizedClientException",
    mismatch="InvalidSignatureException",
    expired_token="ExpiredTokenException",
    status=403,
)
EC2 = Failures(
    incomplete="IncompleteSignature",
    missing="MissingAuthenticationToken",
    unknown_key="AuthFailure",
    mismatch="AuthFailure",
    expired_token="RequestExpired",
    status=401,
)
S3 = S3Failures()

_BY_PROTOCOL = {
    "query": QUERY,
    "rest-xml": QUERY,  # Route 53, CloudFront: query-style codes in an XML body
    "ec2": EC2,
    "json": JSON,
    "smithy-rpc-v2-cbor": JSON,
    "rest-json": REST_JSON,
}


def failures_for(service: str | None, protocol: str | None) -> Failures:
    """The failure family of a routed request (S3 by service name, the rest by protocol)."""
    if service == "s3":
        return S3
    return _BY_PROTOCOL.get(protocol or "", QUERY)
