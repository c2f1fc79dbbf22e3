"""What every wire protocol implements, and the HTTP request/response it works on.

A protocol turns an ``HttpRequest`` into (operation, params) and a result dict or an
``AwsError`` into an ``HttpResponse``, driven only by botocore's service model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Protocol as _TypingProtocol
from urllib.parse import unquote_plus

from botocore.model import OperationModel, ServiceModel

from overcast.errors import AwsError


class BodyStream(_TypingProtocol):
    """A request or response body read piece by piece (large uploads and downloads)."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...


def parse_query(query_string: str) -> dict[str, list[str]]:
    """``parse_qs(query_string, keep_blank_values=True)``: the same result, without decoding
    the names and values that hold no ``%`` or ``+`` (most of them; a third of the cost of a
    presigned GET went to the standard library's general parse)."""
    out: dict[str, list[str]] = {}
    for pair in query_string.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        found = out.get(name)
        if found is None:
            out[name] = [value]
        else:
            found.append(value)
    return out


@dataclass(slots=True)
class HttpRequest:
    """An HTTP request as the client sent it."""

    method: str
    path: str  # percent-encoded path as sent, without the query string
    query_string: str = ""  # raw query string, without "?"
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names; repeats joined with ","
    body: bytes = b""
    # Set instead of ``body`` for operations whose input payload is a streaming blob; the
    # gateway has already removed any aws-chunked framing.
    stream: BodyStream | None = None
    _query: dict[str, list[str]] | None = None

    @property
    def query(self) -> dict[str, list[str]]:
        """The query string parsed into name -> values (blank values kept)."""
        if self._query is None:
            self._query = parse_query(self.query_string) if self.query_string else {}
        return self._query

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass(slots=True)
class HttpResponse:
    """An HTTP response; ``body`` is bytes or an async iterator of bytes (streamed)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Any = b""


class WireProtocol(ABC):
    """Base of the six protocols. Subclasses implement every method.

    ``ctx`` is the ``RequestContext`` (request id, account, region, host...), which some
    protocols write into responses (query's ``ResponseMetadata``, S3's error ``RequestId``).
    """

    name: str = ""
    # True when the operation can only be found after reading the body (query/ec2 ``Action=``).
    needs_body_to_route: bool = False

    @abstractmethod
    def find_operation(self, service: ServiceModel, request: HttpRequest) -> OperationModel:
        """The operation this request asks for; raise an AwsError when there is none."""
        ...

    @abstractmethod
    def parse_request(self, operation: OperationModel, request: HttpRequest) -> dict:
        """The operation's input params, shaped as botocore's client would have given them."""
        ...

    @abstractmethod
    def serialize_response(self, operation: OperationModel, result: dict, ctx) -> HttpResponse:
        """The HTTP response for a successful call returning ``result`` (output shape dict)."""
        ...

    @abstractmethod
    def serialize_error(
        self, service: ServiceModel, operation: OperationModel | None, error: AwsError, ctx
    ) -> HttpResponse:
        """The HTTP response for ``error``, in the shape this protocol's clients parse."""
        ...
