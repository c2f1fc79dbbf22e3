"""Model constraints of the cryptographic operations, blobs included.

``validation.check_input`` walks strings, numbers, lists and maps; the cryptographic operations
also take blobs (Plaintext, CiphertextBlob, Message, Signature...) with length limits, which KMS
reports in its own words: a sensitive blob without its value, another one as the Java buffer
the service saw::

    Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096
    Value 'java.nio.HeapByteBuffer[pos=0 lim=6145 cap=6145]' at 'ciphertextBlob' failed to satisfy ...
"""

from __future__ import annotations

from overcast.services.iam.validation import _check as collect_problems
from overcast.services.kms.errors import ValidationException
from overcast.services.kms.validation import kms_model


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _blob_problems(shape, value: bytes, path: str) -> list[str]:
    md = shape.metadata
    shown = "Value" if md.get("sensitive") else f"Value 'java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]'"
    prefix = f"{shown} at '{path}' failed to satisfy constraint: "
    if "min" in md and len(value) < md["min"]:
        return [prefix + f"Member must have length greater than or equal to {md['min']}"]
    if "max" in md and len(value) > md["max"]:
        return [prefix + f"Member must have length less than or equal to {md['max']}"]
    return []


def check_crypto_input(operation: str, params: dict) -> None:
    """Raise ValidationException listing every model constraint ``params`` breaks, in the order
    of the model's members."""
    shape = kms_model().operation_model(operation).input_shape
    problems: list[str] = []
    for name, member in shape.members.items():
        value = params.get(name)
        path = _camel(name)
        if value is None:
            if name in shape.required_members:
                problems.append(f"Value null at '{path}' failed to satisfy constraint: Member must not be null")
        elif member.type_name == "blob" and isinstance(value, (bytes, bytearray)):
            problems.extend(_blob_problems(member, value, path))
        else:
            collect_problems(member, value, path, problems)
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise ValidationException(f"{len(problems)} validation {noun} detected: " + "; ".join(problems))
