"""The audit stream: every API call reaches the in-process hook once it completed.

Driven in process through the ASGI app (the hook is an in-process interface; CloudTrail will
subscribe to it), with requests signed by botocore as a client sends them.
"""

import asyncio

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from overcast.config import Settings
from overcast.gateway.app import create_app


def _signed(body: str, key: str = "test"):
    request = AWSRequest(method="POST", url="http://localhost:4566/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, "test"), "sts", "eu-west-2").add_auth(request)
    headers = [(k.lower().encode(), v.encode()) for k, v in request.headers.items()]
    headers += [(b"host", b"localhost:4566"), (b"content-length", str(len(body)).encode())]
    return {"type": "http", "method": "POST", "path": "/", "raw_path": b"/", "query_string": b"",
            "headers": headers, "client": ("127.0.0.9", 5555)}, body.encode()


async def _call(app, scope, body):
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    await app.handle_http(scope, receive, send)
    return sent[0]["status"]


def test_every_call_is_audited_with_its_outcome(tmp_path):
    app = create_app(Settings(data_dir=str(tmp_path), log_level="warning"))
    records = []
    app.cloud.audit.subscribe(records.append)

    async def scenario():
        await app.cloud.start()
        try:
            ok = await _call(app, *_signed("Action=GetCallerIdentity&Version=2011-06-15", "111122223333"))
            bad = await _call(app, *_signed("Action=NoSuchThing&Version=2011-06-15"))
            return ok, bad
        finally:
            await app.cloud.stop()

    ok, bad = asyncio.run(scenario())
    assert (ok, bad) == (200, 400)
    first, second = records
    assert (first.service, first.operation, first.status, first.error_code) == ("sts", "GetCallerIdentity", 200, None)
    assert first.account == "111122223333"
    assert first.principal_arn == "arn:aws:iam::111122223333:root"
    assert first.region == "eu-west-2"
    assert first.source_ip == "127.0.0.9"
    assert first.request_id and first.time > 0
    assert second.error_code == "InvalidAction" and second.status == 400


def test_a_failing_subscriber_never_fails_the_call(tmp_path):
    app = create_app(Settings(data_dir=str(tmp_path), log_level="warning"))

    def broken(record):
        raise RuntimeError("observer bug")

    app.cloud.audit.subscribe(broken)

    async def scenario():
        await app.cloud.start()
        try:
            return await _call(app, *_signed("Action=GetCallerIdentity&Version=2011-06-15"))
        finally:
            await app.cloud.stop()

    assert asyncio.run(scenario()) == 200
