"""A small signed query-protocol SQS client: what older SDKs send and read.

Requests are ``Action=<Op>&Version=2012-11-05&...`` form POSTs, SigV4-signed for ``sqs``;
answers are XML in the 2012-11-05 namespace. ``call`` returns a ``QueryResponse`` with the
status, the parsed XML root and helpers to read results and errors::

    answer = query.call("CreateQueue", {"QueueName": "q", "Attribute.1.Name": "DelaySeconds",
                                         "Attribute.1.Value": "5"})
    answer.status == 200; answer.text("QueueUrl")
    answer.error_code  # "AWS.SimpleQueueService.NonExistentQueue" on errors
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
VERSION = "2012-11-05"


@dataclass
class QueryResponse:
    status: int
    root: ET.Element
    body: bytes

    def find_all(self, tag: str) -> list[ET.Element]:
        """Every element named ``tag`` (namespace optional), anywhere in the answer."""
        return [el for el in self.root.iter() if el.tag in (tag, NS + tag)]

    def text(self, tag: str) -> str | None:
        """The text of the first element named ``tag``, or None."""
        found = self.find_all(tag)
        return found[0].text if found else None

    def texts(self, tag: str) -> list[str]:
        return [el.text or "" for el in self.find_all(tag)]

    def pairs(self, entry: str = "Attribute", key: str = "Name", value: str = "Value") -> dict[str, str]:
        """Flattened map entries (``<Attribute><Name/><Value/></Attribute>``) as a dict."""
        result = {}
        for el in self.find_all(entry):
            k = next((c.text for c in el if c.tag in (key, NS + key)), None)
            v = next((c.text or "" for c in el if c.tag in (value, NS + value)), "")
            if k is not None:
                result[k] = v
        return result

    @property
    def error_code(self) -> str | None:
        return self.text("Code")

    @property
    def error_message(self) -> str | None:
        return self.text("Message")


class QueryClient:
    """Signed form POSTs to the SQS endpoint (or to a queue URL, as old SDKs do)."""

    def __init__(self, endpoint: str, access_key: str = "test", secret: str = "test", region: str = "us-east-1"):
        self.endpoint = endpoint.rstrip("/")
        self.credentials = Credentials(access_key, secret)
        self.region = region

    def call(self, action: str, params: dict | None = None, url: str | None = None,
             headers: dict | None = None) -> QueryResponse:
        """POST ``Action=action`` with ``params`` to ``url`` (default: the endpoint's root),
        with extra unsigned ``headers`` (such as X-Amzn-Trace-Id) if given."""
        target = url or self.endpoint + "/"
        body = urlencode({"Action": action, "Version": VERSION, **(params or {})}).encode()
        request = AWSRequest(
            method="POST", url=target, data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        SigV4Auth(self.credentials, "sqs", self.region).add_auth(request)
        sent = {**dict(request.headers.items()), **(headers or {})}
        response = requests.post(target, data=body, headers=sent, timeout=60)
        return QueryResponse(response.status_code, ET.fromstring(response.content), response.content)

    def raw(self, method: str, url: str, body: bytes = b"", headers: dict | None = None) -> requests.Response:
        """A signed request as given (any method, body and headers), answered as it came."""
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
        SigV4Auth(self.credentials, "sqs", self.region).add_auth(request)
        return requests.request(method, url, data=body, headers=dict(request.headers.items()), timeout=60)
