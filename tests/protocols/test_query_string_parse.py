"""``parse_query``: the gateway's query-string parse gives what ``urllib.parse.parse_qs``
(with blank values kept) gives, for any string."""

from __future__ import annotations

from urllib.parse import parse_qs

from hypothesis import given, settings
from hypothesis import strategies as st

from overcast.protocols.base import parse_query

_PIECES = st.sampled_from(["a", "b", "=", "&", "%", "+", "2F", "20", "C3", "A9", "ZZ", "é", " ", "X-Amz-"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join))
def test_same_as_parse_qs(query_string):
    assert parse_query(query_string) == parse_qs(query_string, keep_blank_values=True)


def test_examples():
    assert parse_query("uploads&prefix=a%2Fb&prefix=c+d") == {"uploads": [""], "prefix": ["a/b", "c d"]}
    assert parse_query("&&=v&") == {"": ["v"]}
