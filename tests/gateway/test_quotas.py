"""Request quotas (``--quotas``): over a quota, each service answers its own throttling error,
boto3's retry modes back off and succeed, and the default (off) never throttles.

Every S3 test writes under a prefix of its own, so it starts with a full bucket of tokens."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from aws_clients import STRICT, make_client
from serverproc import ServerProcess, free_port

RATE = 5  # requests per second (and the burst: one second's worth) of every quota below
_QUOTAS = {"quotas": [
    {"service": "s3", "methods": ["PUT", "POST", "DELETE"], "scope": "prefix", "shared": True, "rate": RATE},
    {"service": "s3", "methods": ["GET", "HEAD"], "scope": "prefix", "shared": True, "rate": RATE},
    {"service": "kms", "key_specs": ["SYMMETRIC_DEFAULT"], "operations": ["Encrypt", "Decrypt"], "shared": True,
     "rate": RATE},
    {"service": "kms", "key_specs": ["RSA_"], "operations": ["Encrypt", "Decrypt"], "shared": True, "rate": RATE},
    {"service": "sqs", "scope": "queue", "fifo_throughput_limit": "perMessageGroupId", "operations": ["SendMessage"],
     "rate": 1000},
    {"service": "sqs", "scope": "queue", "fifo_only": True, "operations": ["SendMessage"], "rate": RATE},
    {"service": "sts", "operations": ["GetCallerIdentity"], "rate": RATE},
]}
_prefixes = itertools.count()
NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})  # one attempt, no retry


@pytest.fixture(scope="module")
def quota_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quotas")
    path = folder / "quotas.json"
    path.write_text(json.dumps(_QUOTAS))
    extra = ("--strict",) if STRICT else ()
    proc = ServerProcess(str(folder / "data"), "--quotas", str(path), *extra).start()
    yield proc
    proc.stop()


@pytest.fixture
def client(quota_server):
    quota_server.post("/_overcast/reset")
    return lambda service, config=NO_RETRY: make_client(quota_server.endpoint, service, config=config)


def _bucket(client) -> tuple:
    s3 = client("s3")
    s3.create_bucket(Bucket="quota-bucket")
    return s3, f"p{next(_prefixes)}/"


def _burst(call, count=30) -> list:
    """``count`` calls in a row: the errors (ClientError) among them, in order."""
    errors = []
    for _ in range(count):
        try:
            call()
        except ClientError as exc:
            errors.append(exc)
    return errors


def test_s3_a_burst_over_the_prefix_quota_gets_slowdown(client):
    s3, prefix = _bucket(client)
    for i in range(RATE):  # the bucket starts full: one second's worth passes
        s3.put_object(Bucket="quota-bucket", Key=f"{prefix}first-{i}", Body=b"x")
    errors = _burst(lambda: s3.put_object(Bucket="quota-bucket", Key=f"{prefix}k", Body=b"x"))
    assert errors, "30 PUTs at once on a 5 PUT/s prefix were never throttled"
    error = errors[0].response
    assert error["Error"] == {"Code": "SlowDown", "Message": "Please reduce your request rate."}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 503
    headers = error["ResponseMetadata"]["HTTPHeaders"]
    assert headers["server"] == "AmazonS3" and headers["x-amz-request-id"] and headers["x-amz-id-2"]
    # another prefix of the same bucket has its own quota; GETs have theirs
    s3.put_object(Bucket="quota-bucket", Key=f"other-{prefix}k", Body=b"x")
    assert s3.get_object(Bucket="quota-bucket", Key=f"{prefix}first-0")["Body"].read() == b"x"


@pytest.mark.open_mode_only  # unsigned requests: a strict server refuses them first
def test_s3_slowdown_on_the_wire(client, quota_server):
    _, prefix = _bucket(client)
    url = f"{quota_server.endpoint}/quota-bucket/{prefix}k"
    answers = [requests.put(url, data=b"x", timeout=10) for _ in range(30)]
    throttled = [a for a in answers if a.status_code == 503]
    assert throttled and all(a.status_code == 200 for a in answers[:RATE])
    answer = throttled[0]
    assert answer.headers["content-type"] == "application/xml"
    assert re.fullmatch(
        r'<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>SlowDown</Code><Message>Please reduce your '
        r"request rate.</Message><RequestId>[^<]+</RequestId><HostId>[^<]+</HostId></Error>",
        answer.text,
    ), answer.text
    assert answer.headers["x-amz-request-id"] in answer.text
    head = requests.head(url, timeout=10)  # GET/HEAD: their own quota, untouched
    assert head.status_code == 200


def test_kms_throttling_exception(client):
    kms = client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    errors = _burst(lambda: kms.encrypt(KeyId=key, Plaintext=b"secret"))
    assert errors
    error = errors[0].response
    assert error["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    # RSA keys have a quota of their own: the symmetric keys' exhausted one does not touch it
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    encrypt = lambda: kms.encrypt(KeyId=rsa, Plaintext=b"secret", EncryptionAlgorithm="RSAES_OAEP_SHA_256")  # noqa: E731
    for _ in range(RATE):
        encrypt()
    assert _burst(encrypt)


@pytest.mark.open_mode_only  # another account's key without a key policy naming it: strict mode refuses
def test_kms_counts_a_cross_account_request_for_the_key_owner(quota_server):
    def kms_of(account):
        return make_client(quota_server.endpoint, "kms", config=NO_RETRY, aws_access_key_id=account)

    owner, caller = kms_of("222222222222"), kms_of("333333333333")
    shared = owner.create_key()["KeyMetadata"]["Arn"]
    own = caller.create_key()["KeyMetadata"]["KeyId"]
    assert _burst(lambda: caller.encrypt(KeyId=shared, Plaintext=b"x"))  # the owner's quota, spent by the caller
    # the owner's own calls meet the spent quota: a full one would take these RATE calls
    assert _burst(lambda: owner.encrypt(KeyId=shared, Plaintext=b"x"), count=RATE)
    caller.encrypt(KeyId=own, Plaintext=b"x")  # the caller's own quota is untouched


def test_sqs_fifo_throttling_and_standard_queues_are_not_limited(client):
    sqs = client("sqs")
    fifo = sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true",
                                                                 "ContentBasedDeduplication": "true"})["QueueUrl"]
    errors = _burst(lambda: sqs.send_message(QueueUrl=fifo, MessageBody="m", MessageGroupId="g"))
    assert errors
    error = errors[0].response
    assert error["Error"]["Code"] == "ThrottlingException" and error["Error"]["Message"] == "Rate exceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == "ThrottlingException;Sender"
    standard = sqs.create_queue(QueueName="plain")["QueueUrl"]
    assert not _burst(lambda: sqs.send_message(QueueUrl=standard, MessageBody="m"))


def test_sqs_fifo_high_throughput_mode_has_its_own_quota(client):
    sqs = client("sqs")
    fast = sqs.create_queue(QueueName="fast.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    count = itertools.count()
    send = lambda: sqs.send_message(QueueUrl=fast, MessageBody=f"m{next(count)}", MessageGroupId="g")  # noqa: E731
    assert not _burst(send)  # 30 at once: within the high throughput quota (1000/s here)
    sqs.set_queue_attributes(QueueUrl=fast, Attributes={"FifoThroughputLimit": "perQueue"})
    errors = _burst(send)  # the queue's mode is read on each request: now the plain FIFO quota
    assert errors and errors[0].response["Error"]["Code"] == "ThrottlingException"


def test_sts_throttling_in_the_query_shape(client):
    sts = client("sts")
    errors = _burst(sts.get_caller_identity)
    assert errors
    error = errors[0].response
    assert error["Error"] == {"Type": "Sender", "Code": "Throttling", "Message": "Rate exceeded"}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_boto3_retry_modes_back_off_and_succeed(client, mode):
    _, prefix = _bucket(client)
    s3 = client("s3", Config(retries={"mode": mode, "max_attempts": 10}))
    attempts = []
    s3.meta.events.register("before-send.s3.PutObject", lambda request, **_: attempts.append(request))
    retried = 0
    for i in range(3 * RATE):
        answer = s3.put_object(Bucket="quota-bucket", Key=f"{prefix}k{i}", Body=b"x")
        retried += answer["ResponseMetadata"]["RetryAttempts"]
    assert retried > 0, "the burst was never throttled"
    assert len(attempts) == 3 * RATE + retried  # every retry went on the wire
    listed = s3.list_objects_v2(Bucket="quota-bucket", Prefix=prefix)["KeyCount"]
    assert listed == 3 * RATE  # every object written once the client backed off


def test_quotas_off_never_throttle(aws_client):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="unlimited")
    for i in range(50):
        s3.put_object(Bucket="unlimited", Key=f"same/k{i}", Body=b"x")
    assert s3.list_objects_v2(Bucket="unlimited", Prefix="same/")["KeyCount"] == 50


def test_the_shipped_aws_file_holds_aws_numbers():
    from overcast.quotas.rules import load

    quotas = load("aws")
    s3 = {q.methods: q for q in quotas["s3"]}
    assert s3[frozenset({"PUT", "POST", "DELETE"})].rate == 3500 and s3[frozenset({"GET", "HEAD"})].rate == 5500
    assert all(q.scope == "prefix" and q.shared and q.burst_in("us-east-1") == q.rate for q in s3.values())
    fifo = [q for q in quotas["sqs"] if q.fifo_throughput_limit is None]
    assert [(q.rate, q.fifo_only, q.shared) for q in fifo] == [(300, True, False)]
    symmetric = next(q for q in quotas["kms"] if "SYMMETRIC_DEFAULT" in q.key_specs)
    assert symmetric.shared and "GenerateDataKey" in symmetric.operations and symmetric.rate_in("eu-south-1") == 10000
    assert next(q for q in quotas["kms"] if q.operations == {"CreateKey"}).rate == 5
    assert {"sts", "iam", "cloudwatch"} <= set(quotas)


def test_the_shipped_aws_file_starts(tmp_path):
    proc = ServerProcess(str(tmp_path / "d"), "--quotas", "aws").start()
    try:
        assert "request quotas from aws\n" in proc.output
        s3 = make_client(proc.endpoint, "s3")
        s3.create_bucket(Bucket="shipped-quotas")
        s3.put_object(Bucket="shipped-quotas", Key="k", Body=b"x")
    finally:
        proc.stop()


@pytest.mark.parametrize("content, named", [
    ("{not json", "is not JSON"),
    ('{"quotas": {}}', 'has no "quotas" list'),
    ('{"quotas": [{"service": "s4", "rate": 1}]}', "service 's4' is not an AWS service name"),
    ('{"quotas": [{"service": "s3", "rate": -1}]}', "quotas[0]: rate must be a positive number"),
    ('{"quotas": [{"service": "kms", "scope": "prefix", "rate": 1}]}', "scope 'prefix' is not one of"),
    ('{"quotas": [{"service": "s3", "rate": 1, "rates": 2}]}', "has unknown field 'rates'"),
    ('{"quotas": [{"service": "sqs", "operations": ["Sendmessage"], "rate": 1}]}',
     "'Sendmessage' is not an operation of sqs"),
    (None, "cannot be read"),
])
def test_a_bad_quotas_file_is_refused_at_start(tmp_path, content, named):
    _refused(tmp_path, content, named, from_env=False)


def test_a_bad_quotas_file_named_in_the_environment_is_refused_at_start(tmp_path):
    _refused(tmp_path, '{"quotas": [{"service": "s3", "rate": 0}]}', "rate must be a positive number", from_env=True)


def _refused(tmp_path, content, named, from_env):
    path = tmp_path / "quotas.json"
    if content is not None:
        path.write_text(content)
    flag = [] if from_env else ["--quotas", str(path)]
    env = {**os.environ, "OVERCAST_QUOTAS": str(path)} if from_env else {**os.environ}
    result = subprocess.run(
        [sys.executable, "-m", "overcast", "serve", "--port", str(free_port()), "--imds-port", "0",
         "--data-dir", str(tmp_path / "d"), *flag],
        capture_output=True, text=True, timeout=30, env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"overcast: OVERCAST_QUOTAS='{path}' (--quotas): "), result.stderr
    assert named in result.stderr and result.stderr.count("\n") == 1, result.stderr
