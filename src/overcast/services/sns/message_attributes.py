"""Publish's MessageAttributes: their checks (SNS's texts) and their size.

"All parts of the message attribute, including name, type, and value, are included in the
message size restriction, which is 256 KB" (SNS message attributes). Names: 1-256 of
A-Z a-z 0-9 _ - . , not starting or ending with a period, no two periods in a row. Types:
String, Number, Binary, String.Array, each with an optional custom ".suffix".
"""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal, InvalidOperation

from overcast.errors import AwsError

MAX_NAME = 256
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.\-]")
_TYPE = re.compile(r"^(String|Number|Binary)(\..+)?$")


def _invalid(text: str) -> AwsError:
    return AwsError("ParameterValueInvalid", text)


def _check_name(name: str) -> None:
    if len(name.encode("utf-8")) > MAX_NAME:
        raise _invalid("Length of message attribute name must be less than 256 bytes.")
    if name.startswith("."):
        raise _invalid("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise _invalid("Invalid message attribute name ending with character '.' was found.")
    for char in name:
        if not _NAME_CHARS.match(char):
            raise _invalid(f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message "
                           "attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.")
    if ".." in name:
        raise _invalid("Message attribute name can not have successive '.' character.")


def checked_attributes(attributes, where: str = "messageAttributes") -> dict[str, dict]:
    """The attributes as the delivery queue keeps them (binary values as base64 text).
    ``where``: the request path AWS names in a missing DataType's ValidationError."""
    if not attributes:
        return {}
    out: dict[str, dict] = {}
    for name, value in attributes.items():
        _check_name(name)
        data_type = value.get("DataType") if isinstance(value, dict) else None
        if data_type is None:
            raise AwsError("ValidationError", f"1 validation error detected: Value null at '{where}.{name}.member."
                           "dataType' failed to satisfy constraint: Member must not be null", 400)
        if not isinstance(data_type, str) or not _TYPE.match(data_type):
            raise _invalid(f"The message attribute '{name}' has an invalid message attribute type, the set of "
                           "supported type prefixes is Binary, Number, and String.")
        binary = data_type.startswith("Binary")
        field = "BinaryValue" if binary else "StringValue"
        if "StringValue" not in value and "BinaryValue" not in value:
            raise _invalid(f"The message attribute '{name}' must contain non-empty message attribute value for "
                           f"message attribute type '{data_type}'.")
        if field not in value:
            raise _invalid(f"The message attribute '{name}' with type '{data_type}' must use field "
                           f"'{'Binary' if binary else 'String'}'.")
        raw = value[field]
        if raw is None or raw == "" or raw == b"":
            raise _invalid(f"The message attribute '{name}' must contain non-empty message attribute value for "
                           f"message attribute type '{data_type}'.")
        if binary:
            data = raw if isinstance(raw, (bytes, bytearray)) else str(raw).encode("utf-8")
            out[name] = {"DataType": data_type, "BinaryValue": base64.b64encode(bytes(data)).decode("ascii")}
            continue
        if data_type.startswith("Number"):
            _check_number(name, raw)
        elif data_type.startswith("String.Array"):
            _check_array(name, raw)
        out[name] = {"DataType": data_type, "StringValue": raw}
    return out


def _check_number(name: str, text: str) -> None:
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        number = None
    # "Number ... can be up to 38 digits of precision, between 10^-128 and 10^+126"
    if number is None or not number.is_finite():
        raise _invalid(f"An invalid number value '{text}' was found in the message attribute '{name}'.")


def _check_array(name: str, text: str) -> None:
    try:
        values = json.loads(text)
    except ValueError:
        values = None
    if not isinstance(values, list) or any(isinstance(v, (list, dict)) for v in values):
        raise _invalid(f"The message attribute '{name}' with type 'String.Array' has an invalid value. Value must be "
                       "a JSON array of strings, numbers, booleans or nulls.")


def size_of(message: str, attributes: dict[str, dict]) -> int:
    """Bytes Publish counts against the 256 KiB limit: the message and every attribute's
    name, type and value."""
    total = len(message.encode("utf-8"))
    for name, value in attributes.items():
        total += len(name.encode("utf-8")) + len(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            total += len(base64.b64decode(value["BinaryValue"]))
        else:
            total += len(value["StringValue"].encode("utf-8"))
    return total
