"""The error answer when a request could not even be routed to a protocol."""

from __future__ import annotations

from xml.sax.saxutils import escape

from overcast.protocols.base import HttpResponse


def fallback_error(error, request_id: str) -> HttpResponse:
    """A generic AWS XML error (the shape query and S3 clients both read)."""
    kind = "Sender" if error.sender_fault else "Receiver"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(error.code)}</Code>"
        f"<Message>{escape(error.message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return HttpResponse(
        error.status,
        {"content-type": "text/xml", "x-amzn-requestid": request_id, **error.headers},
        body,
    )
