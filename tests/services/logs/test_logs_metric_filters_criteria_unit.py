"""fieldSelectionCriteria (pure): the expression language over system fields, and its errors."""

from __future__ import annotations

import pytest

from overcast.errors import AwsError
from overcast.services.logs.system_fields import check_emitted_dimensions, compile_criteria

FIELDS = {"@aws.account": "123456789012", "@aws.region": "us-east-1"}


@pytest.mark.parametrize("text,expected", [
    ('@aws.region = "us-east-1"', True),
    ('@aws.region != "us-east-1"', False),
    ('@aws.account IN ["123456789012", "987654321098"]', True),
    ('@aws.region NOT IN ["cn-north-1"]', True),
    ('@aws.account = "123456789012" AND @aws.region = "us-east-1"', True),
    ('@aws.account = "1" OR @aws.region = "us-east-1"', True),
    ('@aws.account = "1" or @aws.region = "eu-west-1"', False),
    ('NOT (@aws.region = "us-east-1")', False),
    ('(@aws.account = "1" OR @aws.account = "123456789012") AND NOT @aws.region IN ["eu-west-1"]', True),
    ('@aws.account = "a" OR @aws.account = "b" AND @aws.region = "us-east-1"', False),  # AND binds first
])
def test_criteria(text, expected):
    assert compile_criteria(text)(FIELDS) is expected


@pytest.mark.parametrize("text", ['@aws.region = us-east-1', '@aws.region ~ "x"', '(@aws.region = "x"',
                                  'region = "x"', '@aws.region IN "x"', '@aws.region = "x" extra',
                                  '@aws.region NOT "x"', '@aws.region IN ["x",]'])
def test_invalid_criteria(text):
    with pytest.raises(AwsError) as info:
        compile_criteria(text)
    assert info.value.code == "InvalidParameterException"
    assert info.value.message.startswith("Invalid fieldSelectionCriteria")


def test_no_criteria_and_emitted_dimensions():
    assert compile_criteria(None) is None and compile_criteria("  ") is None
    assert check_emitted_dimensions(["@aws.region", "@aws.account"], 1) == ["@aws.account", "@aws.region"]
    with pytest.raises(AwsError):
        check_emitted_dimensions(["@aws.account", "@aws.region"], 2)  # 4 dimensions in all
