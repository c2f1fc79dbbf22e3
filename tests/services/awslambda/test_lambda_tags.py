"""TagResource, UntagResource, ListTags on functions, and CreateFunction's Tags."""

from __future__ import annotations

import pytest
from lambda_helpers import create_python_function, error_of

CODE = "def handler(event, context):\n    return event\n"


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


def test_tag_untag_list(lam):
    arn = create_python_function(lam, "tagged", CODE, Tags={"a": "1"})["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"b": "2", "a": "3"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"a": "3", "b": "2"}
    lam.untag_resource(Resource=arn, TagKeys=["a", "missing"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    assert lam.get_function(FunctionName="tagged")["Tags"] == {"b": "2"}


def test_tags_of_a_missing_function_or_a_version(lam):
    arn = create_python_function(lam, "t2", CODE)["FunctionArn"]
    missing = arn.replace(":function:t2", ":function:nope")
    assert error_of(lam.list_tags, Resource=missing, status=404) == (
        "ResourceNotFoundException", f"Function not found: {missing}")
    assert error_of(lam.tag_resource, Resource=f"{arn}:$LATEST", Tags={"a": "b"})[0] == \
        "InvalidParameterValueException"


def test_tag_limit(lam):
    arn = create_python_function(lam, "many", CODE, Tags={f"k{i}": "v" for i in range(49)})["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"k49": "v"})
    assert error_of(lam.tag_resource, Resource=arn, Tags={"k50": "v"}) == (
        "InvalidParameterValueException", "Number of tags exceeds resource tag limit of 50.")
    assert len(lam.list_tags(Resource=arn)["Tags"]) == 50
