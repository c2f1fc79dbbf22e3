"""Reading a request's signature: SigV4 header and query, SigV2 header and query.

No cryptography here: this runs on every request, before routing (the credential scope names
the service and region), and in open mode it is all of auth's work. Malformed signatures are
recorded on ``AuthInfo.problem`` rather than raised (see ``AuthInfo``).
"""

from __future__ import annotations

import calendar
import re
from email.utils import parsedate_tz
from urllib.parse import unquote

from overcast.auth.info import AuthInfo

V4_ALGORITHM = "AWS4-HMAC-SHA256"
_V4_PREFIX = V4_ALGORITHM + " "
_V4A_PREFIX = "AWS4-ECDSA-P256-SHA256 "
# S3's limit on X-Amz-Expires: one week (S3 API reference, "Authenticating Requests: Using
# Query Parameters").
MAX_PRESIGNED_EXPIRES = 604800

_V4_QUERY_REQUIRED = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
_V4_QUERY_MISSING = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
_CREDENTIAL_FORM = 'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'


def inspect_request(query_string: str, headers: dict[str, str]) -> AuthInfo | None:
    """The signature's parts, or None for an anonymous request."""
    auth = headers.get("authorization")
    presigned_v4 = "X-Amz-Credential=" in query_string or "X-Amz-Algorithm=" in query_string
    if auth is not None:
        if presigned_v4 or "AWSAccessKeyId=" in query_string and "Signature=" in query_string:
            return AuthInfo(
                "unsupported",
                "",
                problem=(
                    "invalid-argument",
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                    "Signature query string parameter or the Authorization header should be specified",
                ),
            )
        if auth.startswith(_V4_PREFIX):
            return parse_v4_header(auth, headers)
        if auth.startswith("AWS "):
            return parse_v2_header(auth, headers)
        if auth.startswith(_V4A_PREFIX):
            return _parse_v4a_header(auth, headers)
        return AuthInfo("unsupported", "", problem=("invalid-argument", "Unsupported Authorization Type"))
    if presigned_v4:
        return parse_v4_query(query_string)
    if "AWSAccessKeyId=" in query_string and "SignatureVersion=" not in query_string:
        return parse_v2_query(query_string)
    return None


# The header as every SDK writes it: one regex match instead of the general parse below
# (the hot path of open mode). Anything else takes the general parse, which also names what
# is wrong with a malformed header.
_V4_SDK_FORM = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/\s,=]+)/(\d{8})/([^/\s,]+)/([^/\s,]+)/aws4_request,"
    r" ?SignedHeaders=([a-z0-9;._\-]+), ?Signature=([0-9a-f]{64})"
)

# ``YYYYMMDDTHHMMSSZ`` with plausible fields (what amz_date_epoch accepts, checked faster).
_AMZ_DATE_FORM = re.compile(r"\d{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d|60)Z")


def parse_v4_header(auth: str, headers: dict[str, str]) -> AuthInfo:
    """``Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``."""
    sdk_form = _V4_SDK_FORM.fullmatch(auth)
    if sdk_form is not None:
        amz_date = headers.get("x-amz-date")
        if amz_date is not None and _AMZ_DATE_FORM.fullmatch(amz_date) is not None:
            key, date, region, service, signed, signature = sdk_form.groups()
            # positional: this runs on every request
            return AuthInfo(
                "header", key, region, service, date, amz_date, tuple(signed.split(";")), signature, None,
                headers.get("x-amz-security-token"),
            )
    parts: dict[str, str] = {}
    for item in auth[len(_V4_PREFIX) :].split(","):
        item = item.strip()
        if not item:
            continue
        key, eq, value = item.partition("=")
        if not eq:
            return _incomplete(
                f"'{item}' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'"
            )
        parts[key.strip()] = value.strip()
    amz_date = headers.get("x-amz-date")
    if amz_date is None and "date" in headers:
        amz_date = http_date_to_amz(headers["date"])
    credential = parts.get("Credential", "")
    scope = credential.split("/")
    # Whatever else is wrong, a readable scope still routes the error to its service.
    routed = (scope[0], scope[2], scope[3]) if len(scope) == 5 else ("", None, None)

    def problem(kind: str, message: str) -> AuthInfo:
        return AuthInfo("header", routed[0], region=routed[1], service=routed[2], problem=(kind, message))

    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not parts.get(name)
    ]
    if amz_date is None and "x-amz-date" not in headers and "date" not in headers:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        message = " ".join(missing) + f" Authorization={auth}"
        return problem("date" if len(missing) == 1 and "'Date'" in missing[0] else "incomplete", message)
    if len(scope) != 5:
        return problem(
            "incomplete",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            f"got '{credential}'",
        )
    if scope[4] != "aws4_request":
        return problem(
            "incomplete", f"Credential should be scoped with a valid terminator: 'aws4_request', not '{scope[4]}'."
        )
    if not scope[0]:
        return problem("incomplete", "a non-empty Access Key (AKID) must be provided in the credential.")
    if not _valid_scope_date(scope[1]) or not scope[2] or not scope[3]:
        return problem("incomplete", f"the Credential is mal-formed; {_CREDENTIAL_FORM}")
    if amz_date is None or amz_date_epoch(amz_date) is None:
        raw = headers.get("x-amz-date", headers.get("date", ""))
        return problem(
            "incomplete",
            f"Date must be in ISO-8601 'basic format'. Got '{raw}'. See http://en.wikipedia.org/wiki/ISO_8601",
        )
    return AuthInfo(
        "header",
        scope[0],
        region=scope[2],
        service=scope[3],
        date=scope[1],
        amz_date=amz_date,
        signed_headers=tuple(parts["SignedHeaders"].split(";")),
        signature=parts["Signature"],
        session_token=headers.get("x-amz-security-token"),
    )


def parse_v4_query(query_string: str) -> AuthInfo:
    """A presigned SigV4 URL: ``X-Amz-Algorithm``, ``X-Amz-Credential``... query parameters."""
    params = amz_query_params(query_string)
    scope = params.get("X-Amz-Credential", "").split("/")
    # Whatever else is wrong, a readable scope still routes the error to its service (S3
    # answers in its own XML error shape).
    routed = (scope[2], scope[3]) if len(scope) == 5 and scope[3] else (None, None)

    def _query_problem(message: str) -> AuthInfo:
        return AuthInfo("presigned", "", region=routed[0], service=routed[1], problem=("query-params", message))

    if any(not params.get(name) for name in _V4_QUERY_REQUIRED):
        return _query_problem(_V4_QUERY_MISSING)
    if params["X-Amz-Algorithm"] != V4_ALGORITHM:
        return _query_problem('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    raw_expires = params["X-Amz-Expires"]
    try:
        expires = int(raw_expires)
    except ValueError:
        return _query_problem("X-Amz-Expires should be a number")
    if expires < 0:
        return _query_problem("X-Amz-Expires must be non-negative")
    if expires > MAX_PRESIGNED_EXPIRES:
        return _query_problem(f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGNED_EXPIRES}")
    if len(scope) != 5 or not scope[0] or not _valid_scope_date(scope[1]) or scope[4] != "aws4_request":
        return _query_problem(f"Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; {_CREDENTIAL_FORM}")
    amz_date = params["X-Amz-Date"]
    if amz_date_epoch(amz_date) is None:
        return _query_problem("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    return AuthInfo(
        "presigned",
        scope[0],
        region=scope[2],
        service=scope[3],
        date=scope[1],
        amz_date=amz_date,
        signed_headers=tuple(params["X-Amz-SignedHeaders"].split(";")),
        signature=params["X-Amz-Signature"],
        expires=expires,
        session_token=params.get("X-Amz-Security-Token"),
    )


def parse_v2_header(auth: str, headers: dict[str, str]) -> AuthInfo:
    """S3's ``Authorization: AWS <key>:<signature>`` (HMAC-SHA1)."""
    key, colon, signature = auth[4:].strip().partition(":")
    if not colon or not key or not signature:
        return AuthInfo(
            "sigv2-header",
            key,
            service="s3",
            problem=("invalid-argument", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"),
        )
    return AuthInfo(
        "sigv2-header", key, service="s3", signature=signature, session_token=headers.get("x-amz-security-token")
    )


def parse_v2_query(query_string: str) -> AuthInfo:
    """An S3 SigV2 presigned URL: ``AWSAccessKeyId``, ``Signature``, ``Expires``."""
    params = {}
    for pair in query_string.split("&"):
        name, _, value = pair.partition("=")
        if name in ("AWSAccessKeyId", "Signature", "Expires", "x-amz-security-token"):
            params[name] = unquote(value) if "%" in value else value
    key, signature, expires = params.get("AWSAccessKeyId"), params.get("Signature"), params.get("Expires")
    if not key or not signature or not expires:
        return AuthInfo(
            "sigv2-presigned",
            key or "",
            service="s3",
            problem=(
                "access-denied",
                "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
            ),
        )
    if not expires.isdigit():
        return AuthInfo(
            "sigv2-presigned",
            key,
            service="s3",
            problem=("access-denied", f"Invalid date (should be seconds since epoch): {expires}"),
        )
    return AuthInfo(
        "sigv2-presigned",
        key,
        service="s3",
        signature=signature,
        expires_at=int(expires),
        session_token=params.get("x-amz-security-token"),
    )


def _parse_v4a_header(auth: str, headers: dict[str, str]) -> AuthInfo:
    """SigV4a (multi-region S3 access points): read for routing; never verifiable here.

    Its credential scope has no region (``key/date/service/aws4_request``).
    """
    parts = dict(item.strip().partition("=")[::2] for item in auth[len(_V4A_PREFIX) :].split(","))
    scope = parts.get("Credential", "").split("/")
    if len(scope) != 4 or not scope[0]:
        return _incomplete(f"the Credential is mal-formed; {_CREDENTIAL_FORM}")
    return AuthInfo(
        "sigv4a",
        scope[0],
        service=scope[2],
        date=scope[1],
        amz_date=headers.get("x-amz-date"),
        signed_headers=tuple(parts.get("SignedHeaders", "").split(";")),
        signature=parts.get("Signature", ""),
        session_token=headers.get("x-amz-security-token"),
    )


def amz_query_params(query_string: str) -> dict[str, str]:
    """The ``X-Amz-*`` parameters of a query string, percent-decoded."""
    params = {}
    for pair in query_string.split("&"):
        if pair.startswith("X-Amz-"):
            name, _, value = pair.partition("=")
            params[name] = unquote(value)
    return params


def amz_date_epoch(value: str) -> float | None:
    """``YYYYMMDDTHHMMSSZ`` -> epoch seconds, or None when it is not in that form."""
    if len(value) != 16 or value[8] != "T" or value[15] != "Z":
        return None
    digits = value[:8] + value[9:15]
    if not digits.isdigit() or not digits.isascii():
        return None
    year, month, day = int(value[0:4]), int(value[4:6]), int(value[6:8])
    hour, minute, second = int(value[9:11]), int(value[11:13]), int(value[13:15])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))


def http_date_epoch(value: str) -> float | None:
    """An HTTP ``Date`` (RFC 1123, as SigV2 and SigV4's Date fallback use) -> epoch seconds."""
    parsed = parsedate_tz(value)
    if parsed is None:
        return None
    offset = parsed[9] or 0
    return float(calendar.timegm(parsed[:6] + (0, 0, 0)) - offset)


def http_date_to_amz(value: str) -> str | None:
    """An HTTP ``Date`` -> ``YYYYMMDDTHHMMSSZ``, or None when it does not parse."""
    import time

    epoch = http_date_epoch(value)
    if epoch is None:
        return None
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


def _valid_scope_date(value: str) -> bool:
    return len(value) == 8 and value.isdigit() and value.isascii()


def _incomplete(message: str) -> AuthInfo:
    return AuthInfo("header", "", problem=("incomplete", message))

