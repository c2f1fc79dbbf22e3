"""The MD5 digests SQS returns, computed exactly as AWS does (SDKs recompute and compare them).

- ``MD5OfMessageBody``: MD5 of the body's UTF-8 bytes.
- ``MD5OfMessageAttributes`` / ``MD5OfMessageSystemAttributes``: MD5 over the attributes
  sorted by name, each encoded as

      len(name) name  len(type) type  transport  len(value) value

  with lengths as 4-byte big-endian integers, ``transport`` one byte (1 for a ``StringValue``,
  2 for a ``BinaryValue``), strings as UTF-8 (the SQS Developer Guide, "Calculating the MD5
  message digest for message attributes"; the Java SDK's ``MessageMD5ChecksumHandler``).

Attributes here are in their API shape: ``{name: {"DataType": ..., "StringValue": ... |
"BinaryValue": bytes}}``.
"""

from __future__ import annotations

import hashlib
import struct

_STRING = b"\x01"
_BINARY = b"\x02"
_LENGTH = struct.Struct(">I").pack


def md5_of_body(body: str) -> str:
    """MD5 hex digest of a message body."""
    return hashlib.md5(body.encode("utf-8", "surrogatepass")).hexdigest()


def md5_of_attributes(attributes: dict | None) -> str | None:
    """MD5 hex digest of message (or system) attributes; None when there are none."""
    if not attributes:
        return None
    parts: list[bytes] = []
    append = parts.append
    for name in sorted(attributes):
        value = attributes[name]
        encoded = name.encode("utf-8")
        append(_LENGTH(len(encoded)))
        append(encoded)
        data_type = value["DataType"].encode("utf-8")
        append(_LENGTH(len(data_type)))
        append(data_type)
        string_value = value.get("StringValue")
        if string_value is not None:
            raw = string_value.encode("utf-8")
            append(_STRING)
        else:
            raw = value.get("BinaryValue") or b""
            append(_BINARY)
        append(_LENGTH(len(raw)))
        append(raw)
    return hashlib.md5(b"".join(parts)).hexdigest()
