"""The POST policy of a browser upload: decoding, conditions, and the signature over it.

The policy is base64 JSON ``{"expiration": ..., "conditions": [...]}`` (S3 API reference,
"POST Policy"). Conditions are exact matches (``{"field": "value"}`` or ``["eq", "$field",
"value"]``), prefixes (``["starts-with", "$field", "prefix"]``) and the file's size
(``["content-length-range", min, max]``). Every form field but the signature's own, the file
and ``x-ignore-*`` fields must be named by a condition. The signature is SigV4 (HMAC-SHA256
with the derived signing key, hex) or SigV2 (HMAC-SHA1 with the secret, base64) over the
base64 policy text as sent.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hmac
import json
import re
from dataclasses import dataclass
from hashlib import sha256

from overcast.auth.failures import S3 as S3_FAILURES
from overcast.auth.sigv2 import sign as sign_v2
from overcast.auth.sigv4 import signing_key
from overcast.errors import AwsError

# Fields a policy need not name (S3 API reference, "POST Policy": conditions).
_UNCOVERED = frozenset({"policy", "file", "x-amz-signature", "awsaccesskeyid", "signature"})
_EXPIRATION = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z")


def invalid_policy(message: str) -> AwsError:
    return AwsError("InvalidPolicyDocument", f"Invalid Policy: {message}", 400)


def policy_denied(message: str) -> AwsError:
    return AwsError("AccessDenied", f"Invalid according to Policy: {message}", 403)


# The spelling S3 names the signing fields with in its errors, whatever the form's spelling.
_CANONICAL_FIELDS = {"x-amz-algorithm": "X-Amz-Algorithm", "x-amz-credential": "X-Amz-Credential",
                     "x-amz-date": "X-Amz-Date", "x-amz-signature": "X-Amz-Signature",
                     "x-amz-security-token": "X-Amz-Security-Token"}


def missing_field(name: str) -> AwsError:
    """S3's answer to a form without a field it needs (or with it after the file)."""
    name = _CANONICAL_FIELDS.get(name.lower(), name)
    return AwsError("InvalidArgument",
                    f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order "
                    "of the fields.", 400, fields={"ArgumentName": name, "ArgumentValue": ""})


@dataclass(slots=True)
class SizeRange:
    """The ``content-length-range`` of a policy (inclusive bounds)."""

    low: int
    high: int


def decode_policy(text: str) -> dict:
    """The policy document of the ``policy`` field; InvalidPolicyDocument if it is not one."""
    if not text.strip():
        raise invalid_policy("Expecting '{' but found End-of-Input")
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_policy("invalid Base64 encoding.") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid_policy("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise invalid_policy("Invalid JSON.")
    for name in document:
        if name not in ("expiration", "conditions"):
            raise invalid_policy(f"Unexpected: {json.dumps(name)}")
    if "expiration" not in document:
        raise invalid_policy("Policy missing expiration.")
    expiration_epoch(document["expiration"])
    if "conditions" not in document:
        raise invalid_policy("Policy missing conditions.")
    if not isinstance(document["conditions"], list):
        raise invalid_policy("Invalid 'conditions' value: must be a List.")
    for condition in document["conditions"]:
        _check_condition_form(condition)
    return document


def _check_condition_form(condition) -> None:
    """A condition S3 can read: a one-property object with a string value, or a list naming
    a known operation with its two arguments."""
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise invalid_policy("Invalid Simple-Condition: Simple-Conditions must have exactly one property "
                                 "specified.")
        if not isinstance(next(iter(condition.values())), str):
            raise invalid_policy("Invalid Simple-Condition: value must be a string.")
        return
    if not isinstance(condition, list):
        raise invalid_policy("Invalid condition test: must be a List or Object.")
    if not condition or not isinstance(condition[0], str):
        raise invalid_policy("Invalid Condition: missing operation identifier.")
    operation = condition[0]
    if operation.lower() not in ("eq", "starts-with", "content-length-range"):
        raise invalid_policy(f"Invalid Condition: unknown operation '{operation}'.")
    if len(condition) != 3:
        raise invalid_policy(f"Invalid {operation}: wrong number of arguments.")


def expiration_epoch(value) -> float:
    """``2007-12-01T12:00:00.000Z`` -> epoch seconds."""
    match = _EXPIRATION.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise invalid_policy(f"Invalid 'expiration' value: '{value}'")
    year, month, day, hour, minute, second = (int(group) for group in match.groups())
    return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))


def _described(operator: str, name: str, value) -> str:
    return json.dumps([operator, f"${name}", value])


def check_policy(document: dict, fields: dict[str, str], bucket: str, now: float) -> SizeRange | None:
    """Raise unless the form satisfies the policy (all but the file's size); returns the
    size range to check once the file is read.

    ``fields`` are the form fields by lower-cased name (the policy's names match any case).
    """
    if now > expiration_epoch(document["expiration"]):
        raise policy_denied("Policy expired.")
    covered: set[str] = set()
    size_range = None
    values = {**fields, "bucket": bucket}
    for condition in document["conditions"]:
        if isinstance(condition, dict):
            for name, expected in condition.items():
                _match(values, covered, "eq", name, expected)
        elif isinstance(condition, list) and condition:
            operator = str(condition[0]).lower()
            if operator == "content-length-range":
                size_range = _size_range(condition)
                continue
            if len(condition) != 3 or not isinstance(condition[1], str) or not condition[1].startswith("$"):
                raise invalid_policy(f"Invalid Condition: {json.dumps(condition)}")
            if operator not in ("eq", "starts-with"):
                raise invalid_policy(f"Invalid Condition: unknown operation '{condition[0]}'.")
            _match(values, covered, operator, condition[1][1:], condition[2])
        else:
            raise invalid_policy(f"Invalid Condition: {json.dumps(condition)}")
    extra = [name for name in fields if name not in covered and name not in _UNCOVERED
             and not name.startswith("x-ignore-")]
    if extra:
        raise policy_denied("Extra input fields: " + ", ".join(extra))
    return size_range


def _match(values: dict[str, str], covered: set[str], operator: str, name: str, expected) -> None:
    lowered = name.lower()
    covered.add(lowered)
    if not isinstance(expected, str):
        raise invalid_policy(f"Invalid Condition: {_described(operator, name, expected)}")
    actual = values.get(lowered)
    if operator == "eq":
        ok = actual == expected
    elif lowered == "content-type" and actual is not None:
        # a comma-separated Content-Type matches when each of its values does
        ok = all(part.strip().startswith(expected) for part in actual.split(","))
    else:
        ok = actual is not None and actual.startswith(expected)
    if not ok:
        raise policy_denied(f"Policy Condition failed: {_described(operator, name, expected)}")


def _size_range(condition: list) -> SizeRange:
    try:
        low, high = int(condition[1]), int(condition[2])
    except (IndexError, TypeError, ValueError):
        raise invalid_policy(f"Invalid Condition: {json.dumps(condition)}") from None
    if len(condition) != 3 or low < 0 or high < low:
        raise invalid_policy(f"Invalid Condition: {json.dumps(condition)}")
    return SizeRange(low, high)


def check_size(size_range: SizeRange | None, size: int) -> None:
    """EntityTooSmall / EntityTooLarge for a file outside the policy's range."""
    if size_range is None:
        return
    if size < size_range.low:
        raise AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400,
                       fields={"ProposedSize": str(size), "MinSizeAllowed": str(size_range.low)})
    if size > size_range.high:
        raise entity_too_large(size, size_range.high)


def entity_too_large(size: int, limit: int) -> AwsError:
    return AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400,
                    fields={"ProposedSize": str(size), "MaxSizeAllowed": str(limit)})


@dataclass(slots=True)
class FormSignature:
    """Who signed a form's policy, and how (read from the fields, not yet verified)."""

    version: int  # 4 or 2
    access_key: str
    signature: str
    scope: tuple[str, str, str] | None = None  # SigV4: (date, region, service)


def form_signature(fields: dict[str, str]) -> FormSignature:
    """The signature fields of a form with a policy; InvalidArgument for a missing one."""
    if "x-amz-credential" in fields or "x-amz-algorithm" in fields or "x-amz-signature" in fields:
        for name in ("x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"):
            if not fields.get(name):
                raise missing_field(name.upper().replace("X-AMZ-", "X-Amz-"))
        if fields["x-amz-algorithm"] != "AWS4-HMAC-SHA256":
            raise AwsError("InvalidArgument", "Unsupported algorithm; only AWS4-HMAC-SHA256 is supported.", 400,
                           fields={"ArgumentName": "x-amz-algorithm", "ArgumentValue": fields["x-amz-algorithm"]})
        credential = fields["x-amz-credential"]
        scope = credential.split("/")
        if len(scope) != 5 or not scope[0]:
            raise _bad_credential(credential, 'the Credential is mal-formed; expecting '
                                  '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".')
        if not (len(scope[1]) == 8 and scope[1].isdigit()):
            raise _bad_credential(credential, f"incorrect date format {json.dumps(scope[1])}. This date in the "
                                  'credential must be in the format "yyyyMMdd".')
        if scope[3] != "s3":
            raise _bad_credential(credential, f'incorrect service {json.dumps(scope[3])}. This endpoint belongs '
                                  'to "s3".')
        if scope[4] != "aws4_request":
            raise _bad_credential(credential, f'incorrect terminal {json.dumps(scope[4])}. This endpoint uses '
                                  '"aws4_request".')
        return FormSignature(4, scope[0], fields["x-amz-signature"], (scope[1], scope[2], scope[3]))
    if not fields.get("awsaccesskeyid"):
        raise missing_field("AWSAccessKeyId")
    if not fields.get("signature"):
        raise missing_field("Signature")
    return FormSignature(2, fields["awsaccesskeyid"], fields["signature"])


def _bad_credential(credential: str, message: str) -> AwsError:
    return AwsError("InvalidArgument", message, 400,
                    fields={"ArgumentName": "X-Amz-Credential", "ArgumentValue": credential})


def verify_form_signature(signed: FormSignature, policy_text: str, credential, token: str | None) -> None:
    """Strict mode: the key must exist and the signature over the policy must verify."""
    if credential is None:
        raise S3_FAILURES.unknown_key(signed.access_key)
    if credential.session_token is not None and token != credential.session_token:
        raise S3_FAILURES.invalid_token()
    if signed.version == 4:
        date, region, service = signed.scope
        key = signing_key(credential.secret_key, date, region, service)
        expected = hmac.new(key, policy_text.encode("utf-8"), sha256).hexdigest()
    else:
        expected = sign_v2(credential.secret_key, policy_text)
    if not hmac.compare_digest(expected, signed.signature):
        raise S3_FAILURES.signature_mismatch(signed.access_key, signed.signature, policy_text, None)
