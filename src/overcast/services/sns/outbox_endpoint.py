"""``GET /_overcast/sns/outbox``: the outbox as JSON, for tests and ``overcast sns outbox``.

The gateway reaches it through the SNS provider (``OutboxListing.outbox_listing``). Query
parameters ``topic`` (an ARN or a topic name), ``endpoint`` (the address subscribed),
``protocol`` and ``limit`` narrow the list; the answer is ``{"messages": [...]}``, oldest first.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from overcast.services.sns.outbox import DEFAULT_LIMIT, list_outbox


class OutboxListing:
    """The provider's side of the outbox endpoint."""

    def outbox_listing(self, query_string: bytes) -> dict:
        """The endpoint's JSON answer; ValueError (answered 400) for a bad parameter."""
        query = {name: values[-1] for name, values in parse_qs(query_string.decode("latin-1")).items()}
        limit_text = query.get("limit", str(DEFAULT_LIMIT))
        if not limit_text.isdigit() or int(limit_text) < 1:
            raise ValueError("limit must be a whole number >= 1")
        messages = list_outbox(self, topic=query.get("topic"), endpoint=query.get("endpoint"),
                               protocol=query.get("protocol"), limit=int(limit_text))
        return {"messages": messages}
