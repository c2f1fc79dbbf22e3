"""KMS durability, for real: a server killed with SIGKILL and restarted on its data dir keeps
every acknowledged key usable (ciphertexts made before the crash decrypt, signatures verify),
with its aliases, grants and rotations; the master key stays in its own 0600 file and no key
material is stored in plain text; a deletion or rotation timer set before the crash still fires
on the cloud clock."""

from __future__ import annotations

import json
import os
import stat
import threading

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess

DAY = 86400


def client(server: ServerProcess):
    return boto3.session.Session().client(
        "kms", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=30))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def restart(server: ServerProcess):
    server.kill()
    server.start()
    return client(server)


def test_keys_created_under_load_survive_kill_9(own_server):
    kms = client(own_server)
    made: list[tuple[str, bytes]] = []  # (key id, ciphertext) acknowledged before the kill
    enough = threading.Event()

    def create_loop() -> None:
        creator = client(own_server)
        while not enough.is_set():
            try:
                key_id = creator.create_key()["KeyMetadata"]["KeyId"]
                blob = creator.encrypt(KeyId=key_id, Plaintext=key_id.encode())["CiphertextBlob"]
            except Exception:  # the kill cuts a request short: it was never acknowledged
                return
            made.append((key_id, blob))
            if len(made) >= 20:
                enough.set()

    worker = threading.Thread(target=create_loop)
    worker.start()
    enough.wait(60)
    own_server.kill()
    worker.join(30)
    own_server.start()
    kms = client(own_server)
    assert len(made) >= 20
    for key_id, blob in made:
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == key_id.encode()


def test_every_kind_of_state_survives(own_server):
    kms = client(own_server)
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/durable", TargetKeyId=sym)
    old = kms.encrypt(KeyId=sym, Plaintext=b"v1")["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=sym)
    grant = kms.create_grant(KeyId=sym, GranteePrincipal="arn:aws:iam::000000000000:role/app",
                             Operations=["Decrypt"])["GrantId"]
    signer = kms.create_key(KeySpec="ECC_NIST_P384", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signature = kms.sign(KeyId=signer, Message=b"m", SigningAlgorithm="ECDSA_SHA_384")["Signature"]
    mac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    mac = kms.generate_mac(KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]

    kms = restart(own_server)
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"v1"
    assert kms.describe_key(KeyId="alias/durable")["KeyMetadata"]["KeyId"] == sym
    assert len(kms.list_key_rotations(KeyId=sym)["Rotations"]) == 1
    assert kms.list_grants(KeyId=sym)["Grants"][0]["GrantId"] == grant
    assert kms.verify(KeyId=signer, Message=b"m", Signature=signature,
                      SigningAlgorithm="ECDSA_SHA_384")["SignatureValid"] is True
    assert kms.verify_mac(KeyId=mac_key, Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_256")["MacValid"] is True


def test_material_is_sealed_under_the_master_key_file(own_server):
    kms = client(own_server)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=key_id, Plaintext=b"x")
    master = os.path.join(own_server.data_dir, "kms-master.key")
    assert stat.S_IMODE(os.stat(master).st_mode) == 0o600 and os.path.getsize(master) == 32
    own_server.kill()
    import sqlite3

    db = sqlite3.connect(os.path.join(own_server.data_dir, "kms.db"))
    sealed = db.execute("SELECT sealed FROM key_versions").fetchall()
    db.close()
    assert sealed and all(len(row[0]) == 12 + 32 + 16 for row in sealed)  # nonce | AES-GCM(material) | tag
    own_server.start()


def test_timers_set_before_a_crash_still_fire(own_server):
    kms = client(own_server)
    doomed = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    rotating = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotating, RotationPeriodInDays=90)
    kms = restart(own_server)
    own_server.post("/_overcast/clock", json.dumps({"advance": 91 * DAY}).encode())
    assert kms.list_keys()["Keys"] == [{"KeyId": rotating, "KeyArn": kms.describe_key(KeyId=rotating)[
        "KeyMetadata"]["Arn"]}]
    assert len(kms.list_key_rotations(KeyId=rotating)["Rotations"]) == 1
