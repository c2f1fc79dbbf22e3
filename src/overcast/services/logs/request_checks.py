"""Strict mode checks a request's own parameters before authorizing it, as Logs orders them:
these are the operations' own checks (the operations run them again in open mode). Every
check is called ``check(params)``. The core operations' checks are the model's constraints
(``validation.check_input``) plus the rules an operation adds of its own."""

from __future__ import annotations

from functools import partial

from overcast.services.logs.errors import InvalidParameterException
from overcast.services.logs.events import check_put_log_events
from overcast.services.logs.group_settings import check_retention
from overcast.services.logs.groups import PREFIX_AND_PATTERN
from overcast.services.logs.identifiers import EITHER_NAME_OR_ID, reject_name_and_arn
from overcast.services.logs.streams import check_stream_order
from overcast.services.logs.tags import check_tags
from overcast.services.logs.validation import check_input


def _either_name_or_id(params: dict) -> None:
    if (params.get("logGroupName") is None) == (params.get("logGroupIdentifier") is None):
        raise InvalidParameterException(EITHER_NAME_OR_ID)


def _describe_log_groups(params: dict) -> None:
    check_input("DescribeLogGroups", params)
    if params.get("logGroupNamePrefix") is not None and params.get("logGroupNamePattern") is not None:
        raise InvalidParameterException(PREFIX_AND_PATTERN)


def _describe_log_streams(params: dict) -> None:
    check_input("DescribeLogStreams", params)
    reject_name_and_arn(params)
    check_stream_order(params)
    _either_name_or_id(params)


def _get_log_events(params: dict) -> None:
    check_input("GetLogEvents", params)
    _either_name_or_id(params)


def _create_log_group(params: dict) -> None:
    check_input("CreateLogGroup", params)
    check_tags(params.get("tags"))


def _put_retention_policy(params: dict) -> None:
    check_input("PutRetentionPolicy", params)
    check_retention(params["retentionInDays"])


def _model(operation: str):
    return partial(check_input, operation)


CHECKS = {
    "CreateLogGroup": _create_log_group,
    "DescribeLogGroups": _describe_log_groups,
    "DescribeLogStreams": _describe_log_streams,
    "GetLogEvents": _get_log_events,
    "PutLogEvents": check_put_log_events,
    "PutRetentionPolicy": _put_retention_policy,
    **{operation: _model(operation) for operation in (
        "DeleteLogGroup", "ListLogGroups", "CreateLogStream", "DeleteLogStream", "DeleteRetentionPolicy",
        "AssociateKmsKey", "DisassociateKmsKey", "PutLogGroupDeletionProtection", "PutDataProtectionPolicy",
        "GetDataProtectionPolicy", "DeleteDataProtectionPolicy", "PutResourcePolicy", "DeleteResourcePolicy",
        "DescribeResourcePolicies", "TagResource", "UntagResource", "ListTagsForResource", "TagLogGroup",
        "UntagLogGroup", "ListTagsLogGroup")},
}
