"""In-process checks of EC2's helpers: filter wildcards, zone ids, id shapes, DNS names."""

from __future__ import annotations

import pytest

from overcast.errors import AwsError
from overcast.services.ec2.filters import compile_filters, page
from overcast.services.ec2.ids import id_prefix, new_id, private_dns_name
from overcast.services.ec2.regions import zone_id_prefix

KNOWN = {"name": lambda item: [item["name"]]}


@pytest.mark.parametrize("pattern, value, expected", [
    ("web", "web", True), ("web", "web-1", False), ("web*", "web-1", True), ("*-1", "web-1", True),
    ("w?b", "web", True), ("w?b", "weeb", False), ("web\\*", "web*", True), ("web\\*", "web-1", False),
    ("a.b", "axb", False), ("*", "", True),
])
def test_filter_wildcards(pattern, value, expected):
    matches = compile_filters([{"Name": "name", "Values": [pattern]}], KNOWN)
    assert matches({"name": value}) is expected


def test_filters_and_together_values_or_together():
    matches = compile_filters([{"Name": "name", "Values": ["a", "b"]}, {"Name": "tag:x", "Values": ["1"]}], KNOWN,
                              {"tag:": lambda key: (lambda item: [item.get(key)])})
    assert matches({"name": "b", "x": "1"}) and not matches({"name": "b", "x": "2"})
    assert not matches({"name": "c", "x": "1"})


def test_unknown_filter_and_bad_token_are_invalid_parameter_value():
    with pytest.raises(AwsError) as caught:
        compile_filters([{"Name": "nope", "Values": ["x"]}], KNOWN)
    assert caught.value.code == "InvalidParameterValue"
    with pytest.raises(AwsError):
        page([1, 2, 3], 5, "garbage", "instances")
    first, token = page(list(range(7)), 5, None, "instances")
    assert first == [0, 1, 2, 3, 4]
    with pytest.raises(AwsError):  # a token of another listing
        page(list(range(7)), 5, token, "tags")
    assert page(list(range(7)), 5, token, "instances") == ([5, 6], None)


def test_zone_id_prefixes():
    assert [zone_id_prefix(r) for r in ("us-east-1", "eu-west-2", "ap-southeast-2", "ap-northeast-1",
                                         "ca-central-1", "sa-east-1")] == [
        "use1", "euw2", "apse2", "apne1", "cac1", "sae1"]


def test_ids_and_names():
    instance_id = new_id("i")
    assert len(instance_id) == 19 and id_prefix(instance_id) == "i"
    assert id_prefix("i-1234abcd") == "i" and id_prefix("i-XYZ") is None and id_prefix("bogus") is None
    assert private_dns_name("10.0.1.5", "us-east-1") == "ip-10-0-1-5.ec2.internal"
    assert private_dns_name("10.0.1.5", "eu-west-1") == "ip-10-0-1-5.eu-west-1.compute.internal"
