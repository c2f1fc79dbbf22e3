"""What SQS accepts in a message: body characters, sizes, message and system attributes, ids.

Every check raises the ``AwsError`` SQS answers (``InvalidMessageContents``,
``InvalidParameterValue``, ``MissingParameter``); batch operations catch them per entry.
Limits come from the SendMessage / MessageAttributeValue documentation of the SQS API
reference and the "Amazon SQS message attributes" page of the Developer Guide.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from overcast.errors import AwsError

# The characters SQS allows in a body (the W3C XML character set):
# #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF
_INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
INVALID_CONTENTS = (
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
    "#xE000 to #xFFFD | #x10000 to #x10FFFF"
)

MAX_ATTRIBUTES = 10  # message attributes per message
MAX_ATTRIBUTE_NAME = 256  # characters in a message attribute name
MAX_DATA_TYPE = 256  # characters in a DataType, custom label included
MAX_DELAY_SECONDS = 900  # 15 minutes
MAX_FIFO_ID = 128  # MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId

# Letters and digits of any script (SQS takes "ø", "ß", "ä"), underscore, hyphen and period;
# symbols and punctuation such as "§", "!" or "?" are refused.
_ATTRIBUTE_NAME = re.compile(r"[\w.\-]+\Z")
_RESERVED_PREFIX = re.compile(r"(?i)(aws\.|amazon\.)")
# Alphanumerics and punctuation: printable ASCII without the space.
_FIFO_ID = re.compile(r"[!-~]{1,128}\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
_BASE_TYPES = ("String", "Number", "Binary")
_SYSTEM_ATTRIBUTES = ("AWSTraceHeader",)


def invalid_parameter(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def missing_parameter(name: str) -> AwsError:
    return AwsError("MissingParameter", f"The request must contain the parameter {name}.")


def valid_characters(text: str) -> bool:
    """True when every character of ``text`` is one SQS allows."""
    return _INVALID_CHARACTER.search(text) is None


def utf8_length(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (what SQS counts against its size limits)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def check_body(body) -> int:
    """Check a MessageBody; returns its size in bytes."""
    if body is None or body == "":
        raise missing_parameter("MessageBody")
    if not isinstance(body, str):
        raise invalid_parameter("The parameter MessageBody must be a string.")
    if body.isascii():
        # Printable ASCII needs no character-by-character look (the common case, fast in C).
        if not body.isprintable() and _INVALID_CHARACTER.search(body) is not None:
            raise AwsError("InvalidMessageContents", INVALID_CONTENTS)
        return len(body)
    if _INVALID_CHARACTER.search(body) is not None:
        raise AwsError("InvalidMessageContents", INVALID_CONTENTS)
    return len(body.encode("utf-8"))


def check_size(size: int, maximum: int) -> None:
    """Body plus message attributes must fit the queue's MaximumMessageSize."""
    if size > maximum:
        raise invalid_parameter(
            f"One or more parameters are invalid. Reason: Message must be shorter than {maximum} bytes."
        )


def check_delay(delay, is_fifo: bool) -> int | None:
    """A per-message DelaySeconds (0-900 s; not allowed on FIFO queues); None when absent."""
    if delay is None:
        return None
    if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= MAX_DELAY_SECONDS:
        raise invalid_parameter(
            f"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
        )
    if is_fifo and delay:
        raise invalid_parameter(
            f"Value {delay} for parameter DelaySeconds is invalid. "
            "Reason: The request include parameter that is not valid for this queue type."
        )
    return delay


def check_fifo_id(name: str, value) -> str:
    """MessageGroupId / MessageDeduplicationId / ReceiveRequestAttemptId: 1-128 printable ASCII."""
    if not isinstance(value, str) or not _FIFO_ID.match(value):
        raise invalid_parameter(
            f"Value {value} for parameter {name} is invalid. Reason: {name} can only include "
            f"alphanumeric and punctuation characters. 1 to {MAX_FIFO_ID} in length."
        )
    return value


def check_message_attributes(attributes) -> int:
    """Check message (user) attributes; returns the bytes they count toward the size limit.

    Each attribute counts its name, its DataType and its value (UTF-8 bytes of a string,
    raw bytes of a binary).
    """
    if not attributes:
        return 0
    if not isinstance(attributes, dict):
        raise invalid_parameter("The parameter MessageAttributes must be a map.")
    if len(attributes) > MAX_ATTRIBUTES:
        raise invalid_parameter(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    size = 0
    for name, value in attributes.items():
        _check_attribute_name(name)
        size += utf8_length(name) + _check_attribute_value(name, value, "message (user)")
    return size


def check_system_attributes(attributes) -> str | None:
    """Check MessageSystemAttributes (only AWSTraceHeader, a String); returns the trace header.

    System attributes do not count toward the message size.
    """
    if not attributes:
        return None
    if not isinstance(attributes, dict):
        raise invalid_parameter("The parameter MessageSystemAttributes must be a map.")
    for name, value in attributes.items():
        if name not in _SYSTEM_ATTRIBUTES:
            raise invalid_parameter(f"Message system attribute name '{name}' is invalid.")
        _check_attribute_value(name, value, "message system")
        if value.get("DataType") != "String":
            raise invalid_parameter(f"Message system attribute '{name}' must use the String data type.")
    return attributes["AWSTraceHeader"]["StringValue"]


def _check_attribute_name(name) -> None:
    if not isinstance(name, str) or not name:
        raise invalid_parameter("Message (user) attribute name must not be empty.")
    if len(name) > MAX_ATTRIBUTE_NAME:
        raise invalid_parameter(
            f"Message (user) attribute name '{name}' is too long: at most {MAX_ATTRIBUTE_NAME} characters."
        )
    if not _ATTRIBUTE_NAME.match(name) or name[0] == "." or name[-1] == "." or ".." in name:
        raise invalid_parameter(
            f"Message (user) attribute name '{name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, "
            "underscore (_), hyphen (-), and period (.) characters, must not start or end with a period, "
            "and must not have successive periods."
        )
    if _RESERVED_PREFIX.match(name):
        raise invalid_parameter(f"Message (user) attribute name '{name}' is reserved for use by Amazon Web Services.")


def empty_value(name: str, data_type: str, kind: str) -> AwsError:
    """SQS's answer for an attribute without a value, e.g. "Message (user) attribute 'x' must
    contain a non-empty value of type 'String'."."""
    return invalid_parameter(f"{kind.capitalize()} attribute '{name}' must contain a non-empty value of type '{data_type}'.")


def _check_attribute_value(name: str, value, kind: str) -> int:
    """Check one attribute's DataType and value; returns DataType bytes + value bytes."""
    if not isinstance(value, dict):
        raise invalid_parameter(f"The {kind} attribute '{name}' must be a structure.")
    data_type = value.get("DataType")
    if not data_type:
        raise invalid_parameter(f"The {kind} attribute '{name}' must contain a non-empty attribute type.")
    base, dot, label = data_type.partition(".")
    if base not in _BASE_TYPES or len(data_type) > MAX_DATA_TYPE or (dot and not label):
        raise invalid_parameter(
            f"The type of {kind} attribute '{name}' is invalid. You must use only the following supported "
            "type prefixes: Binary, Number, String."
        )
    if value.get("StringListValues") or value.get("BinaryListValues"):
        raise invalid_parameter(f"Message attribute list values in {kind} attribute '{name}' are not supported.")
    string_value = value.get("StringValue")
    binary_value = value.get("BinaryValue")
    if string_value is not None and binary_value is not None:
        raise invalid_parameter(f"The {kind} attribute '{name}' must contain exactly one value.")
    if base == "Binary":
        if string_value is not None:
            raise invalid_parameter(f"The {kind} attribute '{name}' with type 'Binary' must use field 'Binary'.")
        if not binary_value:
            raise empty_value(name, data_type, kind)
        return utf8_length(data_type) + len(binary_value)
    if binary_value is not None:
        raise invalid_parameter(f"The {kind} attribute '{name}' with type '{base}' must use field 'String'.")
    if not string_value:
        raise empty_value(name, data_type, kind)
    if _INVALID_CHARACTER.search(string_value) is not None:
        raise invalid_parameter(f"The {kind} attribute '{name}' contains invalid characters.")
    if base == "Number" and not _valid_number(string_value):
        raise invalid_parameter(f"Can't cast the value of {kind} attribute '{name}' to a number.")
    return utf8_length(data_type) + utf8_length(string_value)


def _valid_number(text: str) -> bool:
    """SQS numbers: up to 38 significant digits, magnitude between 10^-128 and 10^+126."""
    if not _NUMBER.match(text.strip()):
        return False
    try:
        number = Decimal(text)
    except InvalidOperation:
        return False
    if number.is_zero():
        return True
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")  # significant digits
    magnitude = number.adjusted()
    return len(digits) <= 38 and -128 <= magnitude <= 126
