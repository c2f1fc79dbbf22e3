"""The constraints KMS's model puts on input members (required, length, range, pattern, enum),
checked before an operation runs and answered as KMS does (``ValidationException``)::

    1 validation error detected: Value 'X' at 'keyUsage' failed to satisfy constraint:
    Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, ...]

The walk over a shape is IAM's (the same AWS wording); only the model and the error differ.
"""

from __future__ import annotations

import functools

import botocore.session

from overcast.services.iam.validation import check_model_input
from overcast.services.kms.errors import ValidationException


@functools.lru_cache(maxsize=1)
def kms_model():
    return botocore.session.get_session().get_service_model("kms")


def check_input(operation: str, params: dict, skip: tuple[str, ...] = ()) -> None:
    """Raise ValidationException listing every model constraint ``params`` breaks (but the
    top-level members in ``skip``, which the operation checks itself in its own words)."""
    check_model_input(kms_model(), operation, params, ValidationException, skip)
