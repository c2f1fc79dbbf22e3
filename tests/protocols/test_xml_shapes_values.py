"""The shared XML writer and scalar codecs, checked against botocore's XML parser."""

from __future__ import annotations

import datetime
import math
import xml.etree.ElementTree as ET

import pytest
from botocore.model import ServiceModel
from botocore.parsers import create_parser

from overcast.protocols import values, xml_shapes

UTC = datetime.timezone.utc

MODEL = ServiceModel({
    "metadata": {"protocol": "rest-xml", "apiVersion": "2024-01-01", "endpointPrefix": "t"},
    "operations": {},
    "shapes": {
        "Root": {"type": "structure", "xmlNamespace": {"uri": "http://example.com/doc/"}, "members": {
            "Id": {"shape": "Text", "xmlAttribute": True, "locationName": "id"},
            "Grantee": {"shape": "Grantee"},
            "Wrapped": {"shape": "Wrapped"},
            "Flat": {"shape": "Flat", "locationName": "Item"},
            "Tags": {"shape": "FlatMap", "locationName": "Tag"},
            "Meta": {"shape": "Map"},
            "When": {"shape": "Time"},
            "Epoch": {"shape": "Time", "timestampFormat": "unixTimestamp"},
            "Data": {"shape": "Bytes"},
            "Ratio": {"shape": "Number"},
            "Flag": {"shape": "Flag"},
            "Note": {"shape": "Text", "locationName": "note"},
        }},
        "Grantee": {"type": "structure", "xmlNamespace": {"prefix": "xsi", "uri": "http://www.w3.org/2001/XMLSchema-instance"},
                    "members": {"Type": {"shape": "Text", "xmlAttribute": True, "locationName": "xsi:type"},
                                "Name": {"shape": "Text"}}},
        "Wrapped": {"type": "list", "member": {"shape": "Text", "locationName": "entry"}},
        "Flat": {"type": "list", "member": {"shape": "Text"}, "flattened": True},
        "FlatMap": {"type": "map", "key": {"shape": "Text", "locationName": "Key"},
                    "value": {"shape": "Text", "locationName": "Value"}, "flattened": True},
        "Map": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Number"}},
        "Text": {"type": "string"},
        "Time": {"type": "timestamp"},
        "Bytes": {"type": "blob"},
        "Number": {"type": "double"},
        "Flag": {"type": "boolean"},
    },
}, service_name="t")


def test_element_round_trips_through_botocore_xml_parser():
    shape = MODEL.shape_for("Root")
    value = {
        "Id": 'a"&<b>',
        "Grantee": {"Type": "CanonicalUser", "Name": "x"},
        "Wrapped": ["1", "2"],
        "Flat": ["a", "b"],
        "Tags": {"k1": "v1", "k2": ""},
        "Meta": {"m": 1.5},
        "When": datetime.datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC),
        "Epoch": datetime.datetime(2024, 5, 1, tzinfo=UTC),
        "Data": b"\x00\xff",
        "Ratio": float("nan"),
        "Flag": False,
        "Note": "line1\r\nline2 & <tag>",
    }
    text = xml_shapes.write_element(shape, "Root", value)
    assert text.startswith('<Root xmlns="http://example.com/doc/" id="a&quot;&amp;&lt;b&gt;">')
    assert '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">' in text
    assert "<Wrapped><entry>1</entry><entry>2</entry></Wrapped><Item>a</Item><Item>b</Item>" in text
    assert "<Tag><Key>k1</Key><Value>v1</Value></Tag>" in text
    assert "<Meta><entry><key>m</key><value>1.5</value></entry></Meta>" in text
    assert "<When>2024-05-01T12:00:00.123Z</When><Epoch>1714521600</Epoch>" in text
    parsed = create_parser("rest-xml")._parse_shape(shape, ET.fromstring(text))
    assert math.isnan(parsed.pop("Ratio"))
    assert parsed == {k: v for k, v in value.items() if k != "Ratio"}


def test_members_only_and_none_values():
    shape = MODEL.shape_for("Root")
    assert xml_shapes.write_members(shape, {"Note": "n", "Flag": None, "Wrapped": []}) == "<Wrapped></Wrapped><note>n</note>"


@pytest.mark.parametrize("text, expected", [
    ("2024-05-01T12:00:00Z", datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ("2024-05-01T12:00:00.1234567Z", datetime.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)),
    ("2024-05-01T14:00:00+02:00", datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ("Wed, 01 May 2024 12:00:00 GMT", datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ("1714564800", datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)),
    (1714564800.5, datetime.datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)),
])
def test_parse_timestamp_formats(text, expected):
    assert values.parse_timestamp(text) == expected


def test_format_timestamp_formats():
    when = datetime.datetime(2024, 5, 1, 12, 0, 0, 123999)
    assert values.format_timestamp(when, "iso8601") == "2024-05-01T12:00:00.123Z"
    assert values.format_timestamp(when, "rfc822") == "Wed, 01 May 2024 12:00:00 GMT"
    assert values.format_timestamp(when, "unixtimestamp") == 1714564800.123
    assert values.format_timestamp(1714564800, "unixtimestamp") == 1714564800


def test_scalar_parsers_reject_junk():
    for bad in ("", "abc", "2024-13-45T00:00:00Z", True):
        with pytest.raises(ValueError):
            values.parse_timestamp(bad)
    with pytest.raises(ValueError):
        values.decode_blob("not base64!")
    with pytest.raises(ValueError):
        values.parse_float("inf")  # only AWS's spellings: NaN, Infinity, -Infinity
    assert values.parse_float("-Infinity") == float("-inf")
    assert values.format_float(float("inf")) == "Infinity"
    assert values.parse_boolean("TRUE") is True
    with pytest.raises(ValueError):
        values.parse_boolean("yes")
    with pytest.raises(ValueError):
        values.parse_integer(True)
