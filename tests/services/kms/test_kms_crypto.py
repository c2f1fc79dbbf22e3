"""KMS Encrypt, Decrypt and ReEncrypt through a real server: symmetric blobs that name their key,
the encryption context bound to the ciphertext, RSA OAEP with AWS's size limits, and the
errors AWS answers (key usage, algorithms, wrong key, bad input, disabled keys, DryRun); in
strict mode, each operation authorized on the right key with its condition keys."""

from __future__ import annotations

import base64
import json
import os
import sys

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from kms_helpers import advance_clock, error_of

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


@pytest.fixture
def key(kms):
    return kms.create_key()["KeyMetadata"]


def _rsa_key(kms, spec="RSA_2048"):
    return kms.create_key(KeySpec=spec, KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]


def test_symmetric_round_trip_needs_no_key_id(kms, key):
    out = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret")
    assert out["KeyId"] == key["Arn"] and out["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert b"secret" not in out["CiphertextBlob"]
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"])
    assert back["Plaintext"] == b"secret"
    assert back["KeyId"] == key["Arn"] and back["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert back["KeyMaterialId"] == kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]


def test_every_encryption_is_fresh(kms, key):
    first = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"same")["CiphertextBlob"]
    second = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"same")["CiphertextBlob"]
    assert first != second


def test_encrypt_by_alias_and_decrypt_with_alias_key_id(kms, key):
    kms.create_alias(AliasName="alias/crypto", TargetKeyId=key["KeyId"])
    blob = kms.encrypt(KeyId="alias/crypto", Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, KeyId="alias/crypto")["Plaintext"] == b"x"
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key["Arn"])["Plaintext"] == b"x"


def test_context_is_bound_and_its_order_does_not_matter(kms, key):
    context = {"tenant": "a", "purpose": "test", "z": "1"}
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p", EncryptionContext=context)["CiphertextBlob"]
    reordered = dict(reversed(list(context.items())))
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=reordered)["Plaintext"] == b"p"
    for wrong in ({}, {"tenant": "b", "purpose": "test", "z": "1"}, {**context, "extra": "v"}):
        code, message, status = error_of(kms.decrypt, CiphertextBlob=blob, EncryptionContext=wrong)
        assert (code, status) == ("InvalidCiphertextException", 400)


def test_context_given_only_at_decrypt_fails(kms, key):
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    assert error_of(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"a": "b"})[0] == "InvalidCiphertextException"


def test_decrypt_with_another_key_is_incorrect_key(kms, key):
    other = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    code, message, status = error_of(kms.decrypt, CiphertextBlob=blob, KeyId=other["KeyId"])
    assert (code, status) == ("IncorrectKeyException", 400)
    assert message == "The key ID in the request does not identify a KMS key that can perform this operation."


def test_plaintext_limit_is_4096_bytes(kms, key):
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"a" * 4096)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"a" * 4096


def test_plaintext_over_4096_bytes_is_a_validation_error(endpoint, key):
    from botocore.config import Config
    from aws_clients import make_client

    raw = make_client(endpoint, "kms", config=Config(parameter_validation=False))
    code, message, status = error_of(raw.encrypt, KeyId=key["KeyId"], Plaintext=b"a" * 4097)
    assert (code, status) == ("ValidationException", 400)
    assert message == ("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
                       "Member must have length less than or equal to 4096")


def test_unknown_key_is_not_found(kms):
    code, message, _ = error_of(kms.encrypt, KeyId="11111111-2222-3333-4444-555555555555", Plaintext=b"p")
    assert code == "NotFoundException"
    assert message == "Key 'arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555' does not exist"


def test_disabled_key_refuses_encrypt_and_decrypt(kms, key):
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p")[:2] == (
        "DisabledException", f"{key['Arn']} is disabled.")
    assert error_of(kms.decrypt, CiphertextBlob=blob)[:2] == ("DisabledException", f"{key['Arn']} is disabled.")
    kms.enable_key(KeyId=key["KeyId"])
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"


def test_pending_deletion_key_is_invalid_state(kms, key):
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    code, message, _ = error_of(kms.decrypt, CiphertextBlob=blob)
    assert (code, message) == ("KMSInvalidStateException", f"{key['Arn']} is pending deletion.")


def test_deleted_key_ciphertext_is_refused_without_naming_why(kms, key, server):
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    advance_clock(server, 7 * 86400 + 60)
    code, message, _ = error_of(kms.decrypt, CiphertextBlob=blob)
    assert code == "AccessDeniedException"
    assert message == ("The ciphertext refers to a customer master key that does not exist, does not exist in "
                       "this region, or you are not allowed to access.")


def test_signing_key_is_refused_for_encrypt_with_aws_text(kms):
    signer = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    code, message, _ = error_of(kms.encrypt, KeyId=signer["KeyId"], Plaintext=b"p")
    assert code == "InvalidKeyUsageException"
    assert message == f"{signer['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt."


def test_symmetric_key_refuses_rsa_algorithm(kms, key):
    code, message, _ = error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p",
                                EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert (code, message) == ("InvalidKeyUsageException",
                               "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.")


def test_rsa_key_needs_an_oaep_algorithm(kms):
    rsa_key = _rsa_key(kms)
    code, message, _ = error_of(kms.encrypt, KeyId=rsa_key["KeyId"], Plaintext=b"p")
    assert (code, message) == ("InvalidKeyUsageException",
                               "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")


@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
def test_rsa_round_trip(kms, algorithm):
    rsa_key = _rsa_key(kms)
    out = kms.encrypt(KeyId=rsa_key["KeyId"], Plaintext=b"rsa secret", EncryptionAlgorithm=algorithm)
    assert len(out["CiphertextBlob"]) == 256 and out["EncryptionAlgorithm"] == algorithm
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], KeyId=rsa_key["KeyId"], EncryptionAlgorithm=algorithm)
    assert back["Plaintext"] == b"rsa secret" and back["EncryptionAlgorithm"] == algorithm
    assert "KeyMaterialId" not in back


def test_rsa_decrypt_with_the_other_algorithm_fails(kms):
    rsa_key = _rsa_key(kms)
    blob = kms.encrypt(KeyId=rsa_key["KeyId"], Plaintext=b"p", EncryptionAlgorithm="RSAES_OAEP_SHA_1")["CiphertextBlob"]
    code = error_of(kms.decrypt, CiphertextBlob=blob, KeyId=rsa_key["KeyId"], EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert code[0] == "InvalidCiphertextException"


def test_rsa_ciphertext_made_locally_with_the_public_key_decrypts(kms):
    rsa_key = _rsa_key(kms, "RSA_3072")
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=rsa_key["KeyId"])["PublicKey"])
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    blob = public.encrypt(b"made outside", oaep)
    back = kms.decrypt(CiphertextBlob=blob, KeyId=rsa_key["Arn"], EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert back["Plaintext"] == b"made outside"


@pytest.mark.parametrize("spec,limits", [
    ("RSA_2048", {"RSAES_OAEP_SHA_1": 214, "RSAES_OAEP_SHA_256": 190}),
    ("RSA_3072", {"RSAES_OAEP_SHA_1": 342, "RSAES_OAEP_SHA_256": 318}),
    ("RSA_4096", {"RSAES_OAEP_SHA_1": 470, "RSAES_OAEP_SHA_256": 446}),
])
def test_rsa_plaintext_limits(kms, spec, limits):
    rsa_key = _rsa_key(kms, spec)
    for algorithm, limit in limits.items():
        blob = kms.encrypt(KeyId=rsa_key["KeyId"], Plaintext=b"m" * limit,
                           EncryptionAlgorithm=algorithm)["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob, KeyId=rsa_key["KeyId"],
                           EncryptionAlgorithm=algorithm)["Plaintext"] == b"m" * limit
        code, _, status = error_of(kms.encrypt, KeyId=rsa_key["KeyId"], Plaintext=b"m" * (limit + 1),
                                   EncryptionAlgorithm=algorithm)
        assert (code, status) == ("ValidationException", 400)


def test_rsa_ciphertext_without_key_id_is_invalid(kms):
    rsa_key = _rsa_key(kms)
    blob = kms.encrypt(KeyId=rsa_key["KeyId"], Plaintext=b"p", EncryptionAlgorithm="RSAES_OAEP_SHA_1")["CiphertextBlob"]
    assert error_of(kms.decrypt, CiphertextBlob=blob)[0] == "InvalidCiphertextException"


def test_re_encrypt_moves_a_ciphertext_to_another_key_and_context(kms, key):
    other = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"move me", EncryptionContext={"a": "1"})["CiphertextBlob"]
    out = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"}, DestinationKeyId=other["KeyId"],
                         DestinationEncryptionContext={"b": "2"})
    assert out["SourceKeyId"] == key["Arn"] and out["KeyId"] == other["Arn"]
    assert out["SourceEncryptionAlgorithm"] == out["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert out["SourceKeyMaterialId"] and out["DestinationKeyMaterialId"]
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"b": "2"})
    assert back["Plaintext"] == b"move me" and back["KeyId"] == other["Arn"]


def test_re_encrypt_to_rsa_and_back(kms, key):
    rsa_key = _rsa_key(kms)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"both ways")["CiphertextBlob"]
    to_rsa = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=rsa_key["KeyId"],
                            DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    back = kms.re_encrypt(CiphertextBlob=to_rsa, SourceKeyId=rsa_key["KeyId"],
                          SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationKeyId=key["KeyId"])
    assert kms.decrypt(CiphertextBlob=back["CiphertextBlob"])["Plaintext"] == b"both ways"


def test_re_encrypt_with_wrong_source_key_is_incorrect_key(kms, key):
    other = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    code = error_of(kms.re_encrypt, CiphertextBlob=blob, SourceKeyId=other["KeyId"], DestinationKeyId=other["KeyId"])
    assert code[0] == "IncorrectKeyException"


def test_dry_run_checks_then_refuses(kms, key):
    code, message, status = error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p", DryRun=True)
    assert (code, status) == ("DryRunOperationException", 412)
    assert message == "The request would have succeeded, but the DryRun option is set."
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p", DryRun=True)[0] == "DisabledException"


def test_grant_tokens_are_accepted_and_checked(kms, key):
    token = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal="arn:aws:iam::000000000000:root",
                             Operations=["Encrypt", "Decrypt"])["GrantToken"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p", GrantTokens=[token])["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, GrantTokens=[token])["Plaintext"] == b"p"
    code, _, status = error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p", GrantTokens=["not-a-grant-token"])
    assert (code, status) == ("InvalidGrantTokenException", 400)


def test_recipient_without_an_enclave_is_refused(kms, key):
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    code, _, status = error_of(kms.decrypt, CiphertextBlob=blob,
                               Recipient={"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
                                          "AttestationDocument": b"not an attestation"})
    assert (code, status) == ("ValidationException", 400)


def test_old_ciphertexts_decrypt_after_rotation(kms, key):
    old = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"before")["CiphertextBlob"]
    before = kms.decrypt(CiphertextBlob=old)["KeyMaterialId"]
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    new = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"after")["CiphertextBlob"]
    old_back, new_back = kms.decrypt(CiphertextBlob=old), kms.decrypt(CiphertextBlob=new)
    assert old_back["Plaintext"] == b"before" and new_back["Plaintext"] == b"after"
    assert old_back["KeyMaterialId"] == before != new_back["KeyMaterialId"]


# -- strict mode: the cryptographic operations authorized as AWS does --------------------------

@pytest.fixture(scope="module")
def strict_kms(tmp_path_factory):
    """A --strict server, the root of account A, and a maker of IAM users with a policy."""
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-kms-crypto")), "--strict").start()
    iam = client(proc, "iam", ACCOUNT_A)

    def user(name, *statements):
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return client(proc, "kms", key["AccessKeyId"], key["SecretAccessKey"])

    yield client(proc, "kms", ACCOUNT_A), user
    proc.stop()


def test_strict_decrypt_without_key_id_is_authorized_on_the_blobs_key(strict_kms):
    root, user = strict_kms
    key, other = root.create_key()["KeyMetadata"], root.create_key()["KeyMetadata"]
    blob = root.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    allowed = user("decrypt-this", allow("kms:Decrypt", key["Arn"]))
    assert allowed.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"
    elsewhere = user("decrypt-other", allow("kms:Decrypt", other["Arn"]))
    code, status, message = denied(elsewhere.decrypt, CiphertextBlob=blob)
    assert (code, status) == ("AccessDeniedException", 400)
    assert message.endswith(f"kms:Decrypt on resource: {key['Arn']} because no identity-based policy allows the "
                            "kms:Decrypt action")


def test_strict_encryption_context_and_algorithm_conditions(strict_kms):
    root, user = strict_kms
    key = root.create_key()["KeyMetadata"]
    tenant_a = user("tenant-a", allow("kms:Encrypt", key["Arn"], Condition={
        "StringEquals": {"kms:EncryptionContext:tenant": "a", "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}))
    assert tenant_a.encrypt(KeyId=key["KeyId"], Plaintext=b"p", EncryptionContext={"tenant": "a"})["CiphertextBlob"]
    assert denied(tenant_a.encrypt, KeyId=key["KeyId"], Plaintext=b"p",
                   EncryptionContext={"tenant": "b"})[0] == "AccessDeniedException"
    assert denied(tenant_a.encrypt, KeyId=key["KeyId"], Plaintext=b"p")[0] == "AccessDeniedException"


def test_strict_re_encrypt_needs_from_and_to(strict_kms):
    root, user = strict_kms
    source, destination = root.create_key()["KeyMetadata"], root.create_key()["KeyMetadata"]
    blob = root.encrypt(KeyId=source["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    both = user("re-both", allow("kms:ReEncryptFrom", source["Arn"]), allow("kms:ReEncryptTo", destination["Arn"]))
    assert both.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])["KeyId"] == destination["Arn"]
    only_from = user("re-from", allow("kms:ReEncryptFrom", source["Arn"]))
    code, _, message = denied(only_from.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    assert code == "AccessDeniedException" and f"kms:ReEncryptTo on resource: {destination['Arn']}" in message
    same_key_only = user("re-same", allow(["kms:ReEncryptFrom", "kms:ReEncryptTo"], Condition={
        "Bool": {"kms:ReEncryptOnSameKey": "true"}}))
    assert same_key_only.re_encrypt(CiphertextBlob=blob, DestinationKeyId=source["KeyId"])["KeyId"] == source["Arn"]
    assert denied(same_key_only.re_encrypt, CiphertextBlob=blob,
                   DestinationKeyId=destination["KeyId"])[0] == "AccessDeniedException"


def test_strict_signing_algorithm_condition(strict_kms):
    root, user = strict_kms
    key = root.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    pss_only = user("pss-only", allow("kms:Sign", key["Arn"], Condition={
        "StringLike": {"kms:SigningAlgorithm": "RSASSA_PSS_*"}, "StringEquals": {"kms:MessageType": "RAW"}}))
    assert pss_only.sign(KeyId=key["KeyId"], Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    assert denied(pss_only.sign, KeyId=key["KeyId"], Message=b"m",
                   SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")[0] == "AccessDeniedException"


def test_strict_generate_random_needs_its_permission(strict_kms):
    root, user = strict_kms
    assert len(user("random-ok", allow("kms:GenerateRandom")).generate_random(NumberOfBytes=8)["Plaintext"]) == 8
    assert denied(user("random-no", allow("kms:Encrypt")).generate_random,
                   NumberOfBytes=8)[0] == "AccessDeniedException"


def test_dry_run_ignoring_the_ciphertext_checks_only_the_keys(kms, key):
    code, _, status = error_of(kms.decrypt, CiphertextBlob=b"not a ciphertext", KeyId=key["KeyId"], DryRun=True,
                               DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert (code, status) == ("DryRunOperationException", 412)
    assert error_of(kms.decrypt, CiphertextBlob=b"not a ciphertext", KeyId=key["KeyId"],
                    DryRun=True)[0] == "InvalidCiphertextException"
    other = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=other["KeyId"])
    assert error_of(kms.re_encrypt, CiphertextBlob=b"x", DestinationKeyId=other["KeyId"], DryRun=True,
                    DryRunModifiers=["IGNORE_CIPHERTEXT"])[0] == "DisabledException"


def test_aws_cli_encrypts_and_decrypts(aws_cli, kms, key, tmp_path):
    (tmp_path / "secret.bin").write_bytes(b"from the cli\x00\xff")
    out = aws_cli("kms", "encrypt", "--key-id", key["KeyId"], "--plaintext", f"fileb://{tmp_path / 'secret.bin'}",
                  "--encryption-context", "app=cli")
    assert out["KeyId"] == key["Arn"] and out["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    (tmp_path / "blob.bin").write_bytes(base64.b64decode(out["CiphertextBlob"]))
    back = aws_cli("kms", "decrypt", "--ciphertext-blob", f"fileb://{tmp_path / 'blob.bin'}",
                   "--encryption-context", "app=cli")
    assert base64.b64decode(back["Plaintext"]) == b"from the cli\x00\xff"
    failed = aws_cli("kms", "decrypt", "--ciphertext-blob", f"fileb://{tmp_path / 'blob.bin'}", check=False)
    assert failed.returncode != 0 and "InvalidCiphertextException" in failed.stderr


def test_multi_region_ciphertext_decrypts_in_the_replica_region(kms, endpoint):
    from aws_clients import make_client

    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]
    kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    blob = kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"everywhere", EncryptionContext={"r": "1"})["CiphertextBlob"]
    europe = make_client(endpoint, "kms", region="eu-west-1")
    back = europe.decrypt(CiphertextBlob=blob, EncryptionContext={"r": "1"})
    assert back["Plaintext"] == b"everywhere"
    assert back["KeyId"] == f"arn:aws:kms:eu-west-1:000000000000:key/{primary['KeyId']}"
    # A single-Region key's ciphertext names a key the other Region does not have.
    local = kms.create_key()["KeyMetadata"]
    local_blob = kms.encrypt(KeyId=local["KeyId"], Plaintext=b"here only")["CiphertextBlob"]
    assert error_of(europe.decrypt, CiphertextBlob=local_blob)[0] == "AccessDeniedException"


def test_another_account_decrypts_by_the_blob_alone(kms, key, endpoint):
    from aws_clients import make_client

    # The key policy lets the other account in (what strict mode requires, as AWS does).
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "kms:*",
             "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"},
             "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}]}))
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"shared")["CiphertextBlob"]
    other = make_client(endpoint, "kms", aws_access_key_id="222233334444", aws_secret_access_key="test")
    back = other.decrypt(CiphertextBlob=blob)
    assert back["Plaintext"] == b"shared" and back["KeyId"] == key["Arn"]
    assert other.encrypt(KeyId=key["Arn"], Plaintext=b"x")["KeyId"] == key["Arn"]


def test_strict_grant_with_context_constraint_opens_decrypt_by_blob(strict_kms):
    root, user = strict_kms
    key = root.create_key()["KeyMetadata"]
    grantee = user("grantee", allow("iam:GetUser"))  # nothing for KMS in its own policies
    grantee_arn = f"arn:aws:iam::{ACCOUNT_A}:user/grantee"
    root.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Decrypt", "GenerateDataKey"],
                      Constraints={"EncryptionContextSubset": {"app": "orders"}})
    data_key = grantee.generate_data_key(KeyId=key["Arn"], KeySpec="AES_256",
                                         EncryptionContext={"app": "orders", "id": "7"})
    back = grantee.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext={"app": "orders", "id": "7"})
    assert back["Plaintext"] == data_key["Plaintext"]
    other = root.encrypt(KeyId=key["KeyId"], Plaintext=b"p", EncryptionContext={"app": "billing"})["CiphertextBlob"]
    assert denied(grantee.decrypt, CiphertextBlob=other, EncryptionContext={"app": "billing"})[0] == \
        "AccessDeniedException"
    assert denied(grantee.encrypt, KeyId=key["Arn"], Plaintext=b"p",
                  EncryptionContext={"app": "orders"})[0] == "AccessDeniedException"
