"""Request bodies the SDKs compress (``Content-Encoding: gzip``): CloudWatch's PutMetricData
is sent gzipped above a size threshold (the model's ``requestcompression`` trait).

Only the RPC protocols (query, JSON, CBOR) are decoded: on REST services (S3) a
Content-Encoding describes the object stored, never the transport. The signature covers the
body as sent, so the gateway keeps the encoded bytes for authentication
(``encoded``) and parses the decoded ones.
"""

from __future__ import annotations

import zlib

from overcast.errors import AwsError, RequestEntityTooLarge

RPC_PROTOCOLS = frozenset({"query", "json", "smithy-rpc-v2-cbor"})


def decode_body(request, protocol_name: str, limit: int) -> bytes | None:
    """Replace a gzip-encoded RPC body by its decoded bytes (at most ``limit`` of them);
    return the body as sent, or None when there was nothing to decode."""
    encodings = [e.strip().lower() for e in request.headers.get("content-encoding", "").split(",") if e.strip()]
    if "gzip" not in encodings or protocol_name not in RPC_PROTOCOLS or not request.body:
        return None
    encoded = request.body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        decoded = inflater.decompress(encoded, limit + 1)
    except zlib.error:
        raise AwsError("SerializationException", "The request body is not valid gzip data.", 400) from None
    if len(decoded) > limit or inflater.unconsumed_tail:
        raise RequestEntityTooLarge(message=f"Request body exceeds the limit of {limit} bytes once decompressed.")
    request.body = decoded
    return encoded
