"""The alarm operations' own errors (the shared ones are in ``errors.py``)."""

from __future__ import annotations

from overcast.errors import AwsError


def ValidationError(message: str) -> AwsError:  # noqa: N802 - named after the AWS error code
    """CloudWatch's semantic checks of alarms answer ValidationError (400)."""
    return AwsError("ValidationError", message, 400)


def NotImplementedFeature(message: str) -> AwsError:  # noqa: N802
    return AwsError("NotImplemented", message, 501)
