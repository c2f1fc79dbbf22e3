"""Request parameters fit for a debug log: secrets replaced, bodies and long values cut.

A member is secret when the service model marks its shape ``sensitive`` (passwords, secret
keys, tokens in most models) or its name says so (S3's SSE-C keys, STS/IAM secrets and
tokens, which some models leave unmarked). Bytes and streams are shown by size only.
"""

from __future__ import annotations

REDACTED = "***"
# (pagination and idempotency tokens, NextToken or ClientToken, are not secrets: not listed)
_SECRET_WORDS = ("password", "secret", "privatekey", "customerkey", "sessiontoken", "securitytoken",
                 "identitytoken", "accesstoken", "idtoken", "tokencode", "samlassertion", "signature")
_LONGEST = 256


def _secret_name(name: str) -> bool:
    lowered = name.lower().replace("_", "").replace("-", "")
    return any(word in lowered for word in _SECRET_WORDS)


def redacted(value, shape=None, name: str = ""):
    """``value`` (parsed parameters) with secrets replaced; ``shape`` is its botocore shape."""
    if name and _secret_name(name):
        return REDACTED
    if shape is not None and shape.metadata.get("sensitive"):
        return REDACTED
    if isinstance(value, dict):
        members = getattr(shape, "members", None) or {}
        value_shape = getattr(shape, "value", None)  # a map's values
        return {key: redacted(item, members.get(key, value_shape), key if members or value_shape is None else "")
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        member = getattr(shape, "member", None)
        return [redacted(item, member) for item in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        return value if len(value) <= _LONGEST else f"{value[:_LONGEST]}...<{len(value)} chars>"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return f"<{type(value).__name__}>"  # a stream, a request object
