"""The S3 ceiling: a bare ASGI app on uvicorn that keeps bodies in a dict by path.

PUT stores the body (answering 200 with a fixed ETag), GET/HEAD answer the stored bytes (404
if none), anything else 200 with no body. No routing, signature, parsing, storage or XML:
what uvicorn itself costs for the same requests the S3 workloads send.
"""

_objects: dict[str, bytes] = {}
_PUT_HEADERS = [(b"etag", b'"00000000000000000000000000000000"'), (b"content-length", b"0")]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    parts = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    method, path = scope["method"], scope["path"]
    if method == "PUT":
        _objects[path] = b"".join(parts)
        await send({"type": "http.response.start", "status": 200, "headers": _PUT_HEADERS})
        await send({"type": "http.response.body", "body": b""})
        return
    if method in ("GET", "HEAD"):
        body = _objects.get(path)
        status = 200 if body is not None or path == "/" else 404  # "/": the harness's readiness probe
        body = body or b""
        headers = [(b"content-type", b"binary/octet-stream"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body if method == "GET" else b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
