"""Signed raw HTTP to S3 for the shapes boto3 cannot send or hides (empty headers and query
values, the exact XML S3 answers): SigV4 by botocore, sent by requests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def send(endpoint: str, method: str, path: str, body: bytes = b"", headers: dict | None = None,
         region: str = "us-east-1") -> requests.Response:
    """``method path`` (the query string as written) signed with the test credentials."""
    request = AWSRequest(method=method, url=endpoint + path, data=body,
                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD", **(headers or {})})
    S3SigV4Auth(Credentials("test", "test"), "s3", region).add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, data=body, headers=dict(prepared.headers.items()), timeout=30)


def error_of(response: requests.Response) -> dict:
    """The ``<Error>`` document's children, by tag."""
    return {child.tag: child.text or "" for child in ET.fromstring(response.content)}


def children(response: requests.Response) -> list[str]:
    """The tags of the root's children, in order (namespace removed)."""
    return [child.tag.replace(NS, "") for child in ET.fromstring(response.content)]


def element_text(response: requests.Response, tag: str) -> str | None:
    """The text of the root's first child ``tag`` (None without one)."""
    found = ET.fromstring(response.content).find(NS + tag)
    return None if found is None else (found.text or "")


def raw_element(response: requests.Response, tag: str) -> str | None:
    """``tag``'s content exactly as written in the body (entities left as sent)."""
    match = re.search(rf"<{tag}>(.*?)</{tag}>|<{tag}/>", response.text, re.S)
    return None if match is None else (match.group(1) or "")
