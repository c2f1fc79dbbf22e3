"""The HTML error pages of S3's website endpoint, and its redirect answers.

The website endpoint answers errors as HTML, not XML: a title and heading "404 Not Found",
a list of the error's Code, Message, its details (Key, BucketName...), RequestId and HostId,
then, when the bucket's custom error document could not be served either, a second list under
"An Error Occurred While Attempting to Retrieve a Custom Error Document". The error's code and
message also travel in ``x-amz-error-code`` / ``x-amz-error-message`` headers.
"""

from __future__ import annotations

from html import escape
from http import HTTPStatus

from overcast.errors import AwsError
from overcast.protocols import HttpResponse
from overcast.protocols.rest_xml import host_id


def request_id_headers(request_id: str) -> dict[str, str]:
    return {"x-amz-request-id": request_id, "x-amz-id-2": host_id(request_id)}


def _title(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _items(error: AwsError) -> list[str]:
    lines = [f"<li>Code: {escape(error.code, quote=False)}</li>",
             f"<li>Message: {escape(error.message, quote=False)}</li>"]
    for name, value in error.fields.items():
        lines.append(f"<li>{escape(str(name), quote=False)}: {escape(str(value), quote=False)}</li>")
    return lines


def error_headers(error: AwsError, request_id: str) -> dict[str, str]:
    """The headers of any website answer to ``error`` (page or custom error document)."""
    headers = request_id_headers(request_id)
    headers["x-amz-error-code"] = error.code
    headers["x-amz-error-message"] = error.message
    for name, value in error.fields.items():
        if name in ("Key", "BucketName"):
            headers[f"x-amz-error-detail-{name}"] = str(value)
    for name, value in error.headers.items():
        if name.lower() in ("content-range", "allow"):
            headers[name.lower()] = str(value)
    return headers


def error_page(error: AwsError, request_id: str, head: bool, document_error: AwsError | None = None) -> HttpResponse:
    """S3's HTML page for ``error``; ``document_error`` is why the error document failed too."""
    title = _title(error.status)
    lines = ["<html>", f"<head><title>{title}</title></head>", "<body>", f"<h1>{title}</h1>", "<ul>",
             *_items(error), f"<li>RequestId: {request_id}</li>", f"<li>HostId: {host_id(request_id)}</li>", "</ul>"]
    if document_error is not None:
        lines += ["<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>", "<ul>",
                  *_items(document_error), "</ul>"]
    lines += ["<hr/>", "</body>", "</html>", ""]
    body = "\n".join(lines).encode()
    headers = error_headers(error, request_id)
    headers["content-type"] = "text/html; charset=utf-8"
    headers["content-length"] = str(len(body))
    return HttpResponse(error.status, headers, b"" if head else body)


def redirect(status: int, location: str, request_id: str) -> HttpResponse:
    """A website redirect: the status, ``Location`` and no body."""
    headers = request_id_headers(request_id)
    headers["location"] = location
    headers["content-length"] = "0"
    return HttpResponse(status, headers, b"")
