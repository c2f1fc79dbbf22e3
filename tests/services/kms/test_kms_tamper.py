"""Tampering with KMS ciphertexts: a changed byte anywhere in a symmetric blob (format, account,
key id, material version, header check, nonce, ciphertext, tag), a cut or lengthened blob, or a
changed RSA ciphertext is InvalidCiphertextException, never another key's plaintext or a 500."""

from __future__ import annotations

import base64
import json
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kms_helpers import error_of

from overcast.errors import AwsError
from overcast.services.kms import ciphertext

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))
from signed_http import send, sign  # noqa: E402

ACCOUNT = "000000000000"
KEY_ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def _regions(blob: bytes) -> dict[str, range]:
    """Where each part of a blob lies (the layout ciphertext.py documents)."""
    key_end = 14 + blob[13]
    return {"format": range(0, 1), "account": range(1, 13), "key id length": range(13, 14),
            "key id": range(14, key_end), "version": range(key_end, key_end + 4),
            "header check": range(key_end + 4, key_end + 8), "nonce": range(key_end + 8, key_end + 20),
            "ciphertext": range(key_end + 20, len(blob) - 16), "tag": range(len(blob) - 16, len(blob))}


def _flipped(blob: bytes, index: int, bit: int = 0x01) -> bytes:
    changed = bytearray(blob)
    changed[index] ^= bit
    return bytes(changed)


def _refused(blob: bytes, material: bytes, context=None) -> bool:
    try:
        ciphertext.open_envelope(ciphertext.parse(blob), material, context)
    except AwsError as error:
        return error.code == "InvalidCiphertextException"
    return False


def test_blob_layout_round_trips():
    material = os.urandom(32)
    blob = ciphertext.seal(material, ACCOUNT, KEY_ID, 7, b"plain", {"b": "2", "a": "1"})
    envelope = ciphertext.parse(blob)
    assert (envelope.account, envelope.key_id, envelope.version) == (ACCOUNT, KEY_ID, 7)
    assert ciphertext.open_envelope(envelope, material, {"a": "1", "b": "2"}) == b"plain"
    assert all(len(r) for r in _regions(blob).values())


@pytest.mark.parametrize("bit", [0x01, 0x80])
def test_every_byte_of_every_region_is_protected(bit):
    material = os.urandom(32)
    blob = ciphertext.seal(material, ACCOUNT, KEY_ID, 1, b"some plaintext", {"k": "v"})
    for region, indexes in _regions(blob).items():
        for index in indexes:
            assert _refused(_flipped(blob, index, bit), material, {"k": "v"}), (region, index)


def test_cut_and_lengthened_blobs_are_refused():
    material = os.urandom(32)
    blob = ciphertext.seal(material, ACCOUNT, KEY_ID, 1, b"some plaintext", None)
    for length in range(len(blob)):
        assert _refused(blob[:length], material), length
    assert _refused(blob + b"\x00", material)
    assert _refused(b"", material)


def test_context_encoding_cannot_be_shifted():
    """Pairs are length-prefixed: moving a character from a key to its value is another context."""
    material = os.urandom(32)
    blob = ciphertext.seal(material, ACCOUNT, KEY_ID, 1, b"p", {"ab": "c"})
    assert _refused(blob, material, {"a": "bc"})
    assert ciphertext.canonical_context({"x": "1", "y": "2"}) == ciphertext.canonical_context({"y": "2", "x": "1"})


def test_other_material_is_refused():
    blob = ciphertext.seal(os.urandom(32), ACCOUNT, KEY_ID, 1, b"p", None)
    assert _refused(blob, os.urandom(32))


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def test_every_tampered_byte_is_refused_by_the_server(kms):
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"tamper with me", EncryptionContext={"k": "v"})["CiphertextBlob"]
    regions = _regions(blob)
    assert ciphertext.parse(blob).key_id == key["KeyId"]
    for region, indexes in regions.items():
        for index in indexes:
            code, _, status = error_of(kms.decrypt, CiphertextBlob=_flipped(blob, index), EncryptionContext={"k": "v"})
            assert (code, status) == ("InvalidCiphertextException", 400), (region, index)
    # With the right KeyId too: the blob is judged before the key is compared.
    for index in regions["key id"]:
        assert error_of(kms.decrypt, CiphertextBlob=_flipped(blob, index), KeyId=key["KeyId"],
                        EncryptionContext={"k": "v"})[0] == "InvalidCiphertextException"
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "v"})["Plaintext"] == b"tamper with me"


def test_garbage_and_truncated_blobs_are_refused_by_the_server(kms):
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    for bad in (b"\x00", b"garbage" * 10, blob[:40], blob[:-1], blob + b"x"):
        assert error_of(kms.decrypt, CiphertextBlob=bad)[0] == "InvalidCiphertextException"


def test_tampered_rsa_ciphertext_is_refused(kms):
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p", EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    for index in (0, 100, 255):
        assert error_of(kms.decrypt, CiphertextBlob=_flipped(blob, index), KeyId=key["KeyId"],
                        EncryptionAlgorithm="RSAES_OAEP_SHA_256")[0] == "InvalidCiphertextException"
    assert error_of(kms.decrypt, CiphertextBlob=blob[:-1], KeyId=key["KeyId"],
                    EncryptionAlgorithm="RSAES_OAEP_SHA_256")[0] == "InvalidCiphertextException"


def test_named_key_reads_only_well_formed_blobs():
    blob = ciphertext.seal(os.urandom(32), ACCOUNT, KEY_ID, 3, b"p", None)
    assert ciphertext.named_key(blob) == (ACCOUNT, KEY_ID)
    assert ciphertext.named_key(_flipped(blob, 20)) is None
    assert ciphertext.named_key(b"short") is None and ciphertext.named_key(None) is None


def test_refusals_carry_no_message_on_the_wire(kms, endpoint):
    """As AWS: {"__type": "InvalidCiphertextException"} and nothing else."""
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    data = json.dumps({"CiphertextBlob": base64.b64encode(_flipped(blob, len(blob) - 1)).decode()}).encode()
    request = sign(endpoint, "POST", "/", service="kms", body=data,
                   headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Decrypt"})
    status, _, body = send(request)
    assert status == 400 and json.loads(body) == {"__type": "InvalidCiphertextException"}


_TEXT = st.text(max_size=12)


@settings(max_examples=200, deadline=None)
@given(plaintext=st.binary(min_size=1, max_size=64), context=st.dictionaries(_TEXT, _TEXT, max_size=4),
       other=st.dictionaries(_TEXT, _TEXT, max_size=4))
def test_any_context_round_trips_and_only_itself_opens(plaintext, context, other):
    """Any encryption context, in any order, opens its blob; any other context does not."""
    material = bytes(32)
    blob = ciphertext.seal(material, ACCOUNT, KEY_ID, 1, plaintext, context)
    shuffled = dict(reversed(list(context.items())))
    assert ciphertext.open_envelope(ciphertext.parse(blob), material, shuffled) == plaintext
    if other != context:
        assert _refused(blob, material, other)
