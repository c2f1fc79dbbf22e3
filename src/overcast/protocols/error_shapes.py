"""What a service model says about an error code: its shape, query code, status and fault.

A service raises ``AwsError(code, ...)`` with the code as the model names the error shape
(``QueueDoesNotExist``) or as its ``error.code`` trait spells it (``ResourceNotFound``). The
protocols look it up here to answer with what each wire needs:

- the modelled shape (to write its extra members, ``AwsError.fields``);
- the query code (``error.code`` trait, or the legacy query code of a json-first service
  such as SQS), for the query protocol and the ``x-amzn-query-error`` header of
  ``awsQueryCompatible`` services;
- the HTTP status (``error.httpStatusCode``) when the raised error did not set one;
- the fault side (``Sender``/``Receiver``).

An unmodelled code passes through as is, with the error's own status and fault.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from overcast.errors import AwsError
from overcast.protocols.query_compat import generic_error, legacy_error


@dataclass(frozen=True, slots=True)
class ModelledError:
    """One error code resolved against a service model."""

    shape: object | None  # botocore StructureShape, None when unmodelled
    name: str  # shape name (the code itself when unmodelled)
    code: str  # the shape's error code for json-like wires (error.code trait or shape name)
    query_code: str  # the code query-protocol clients expect
    status: int | None  # error.httpStatusCode
    sender_fault: bool | None  # error.senderFault


@functools.lru_cache(maxsize=None)
def _table(service_model) -> dict[str, ModelledError]:
    table: dict[str, ModelledError] = {}
    by_code: dict[str, ModelledError] = {}
    service_name = service_model.service_name
    for shape in service_model.error_shapes:
        trait = shape.metadata.get("error") or {}
        legacy = legacy_error(service_name, shape.name) or {}
        code = shape.error_code or shape.name
        query_code = trait.get("code") or legacy.get("code") or shape.name
        status = trait.get("httpStatusCode", legacy.get("httpStatusCode"))
        fault = trait.get("senderFault", legacy.get("senderFault"))
        info = ModelledError(shape, shape.name, code, query_code, status, fault)
        table[shape.name] = info
        by_code.setdefault(code, info)
        by_code.setdefault(query_code, info)
    for code, info in by_code.items():
        table.setdefault(code, info)
    return table


def modelled_error(service_model, code: str) -> ModelledError:
    """``code`` resolved among ``service_model``'s error shapes (by name, error code or query code)."""
    if service_model is not None:
        found = _table(service_model).get(code)
        if found is not None:
            return found
        generic = generic_error(service_model.service_name, code)
        if generic is not None:  # SQS's generic errors: json name in the body, query code in the header
            query_code, json_name = generic
            return ModelledError(None, json_name, json_name, query_code, None, None)
    return ModelledError(None, code, code, code, None, None)


def _explicit(error: AwsError, attribute: str) -> bool:
    # set on the instance (passed to __init__) or by a subclass overriding AwsError's default
    return attribute in error.__dict__ or getattr(type(error), attribute) != getattr(AwsError, attribute)


def error_status(error: AwsError, info: ModelledError) -> int:
    """The HTTP status: the error's own when it set one, else the model's, else 400."""
    if _explicit(error, "status") or info.status is None:
        return error.status
    return info.status


def is_sender_fault(error: AwsError, info: ModelledError) -> bool:
    """True for a client error (``Sender``), False for a service error (``Receiver``)."""
    if _explicit(error, "sender_fault"):
        return error.sender_fault
    if info.sender_fault is not None:
        return bool(info.sender_fault)
    if info.status is not None and not _explicit(error, "status"):
        return info.status < 500
    return error.sender_fault and error_status(error, info) < 500


def fault_name(error: AwsError, info: ModelledError) -> str:
    """``Sender`` or ``Receiver``, as query errors and ``x-amzn-query-error`` spell it."""
    return "Sender" if is_sender_fault(error, info) else "Receiver"
