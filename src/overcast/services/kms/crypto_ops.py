"""KMS's cryptographic operations, a mixin of the KMS provider.

Each operation checks its parameters against the model first, then finds the key (the key
store answers NotFound, Disabled and KMSInvalidState as AWS does), then the key's usage and the
algorithm, then (``DryRun``) stops before any cryptography, as AWS orders them.
"""

from __future__ import annotations

import os

from overcast.errors import AwsError
from overcast.services.kms import asymmetric, ciphertext, mac, shared_secret, signing
from overcast.services.kms.crypto_authority import CryptoAuthority
from overcast.services.kms.crypto_errors import (algorithm_incompatible, custom_key_store_not_found, dry_run,
                                                 incorrect_key, invalid_ciphertext, unreadable_ciphertext_key,
                                                 usage_not_valid, validation)
from overcast.services.kms.crypto_validation import check_crypto_input
from overcast.services.kms.errors import UnsupportedOperationException
from overcast.services.kms.key_specs import CHINA_ONLY_SPECS, SPECS
from overcast.services.kms.key_store import key_arn
from overcast.storage.scope import partition_of

_DATA_KEY_BYTES = {"AES_128": 16, "AES_256": 32}
_MATERIAL_ID_CACHE = 10_000  # key versions whose KeyMaterialId is remembered


class CryptoOperations(CryptoAuthority):
    """Encrypt, Decrypt, ReEncrypt, the data key generators, GenerateRandom, Sign, Verify,
    GetPublicKey, GenerateMac, VerifyMac and DeriveSharedSecret."""

    # ----------------------------------------------------------------- helpers

    def _check_request(self, operation: str, params: dict) -> None:
        """The model's constraints, then the grant tokens (KMS issued each, InvalidGrantTokenException
        otherwise), before any key is looked up."""
        check_crypto_input(operation, params)
        self.check_grant_tokens(params)

    def _usable_key(self, ctx, key_id: str, operation: str, usage: str):
        """The key ``key_id`` names, usable for ``operation`` and of ``usage``."""
        key = self.keys.resolve(ctx, key_id, operation=operation)
        if key.usage != usage:
            raise usage_not_valid(key.arn, key.usage, operation)
        return key

    @staticmethod
    def _require_algorithm(key, algorithm: str) -> None:
        """``algorithm`` must be one of those the key's spec lists for its usage."""
        if algorithm not in _algorithms(key):
            raise algorithm_incompatible(algorithm, key.spec)

    @staticmethod
    def _stop_if_dry_run(params: dict) -> None:
        if params.get("DryRun"):
            raise dry_run()

    @staticmethod
    def _refuse_recipient(params: dict) -> None:
        """``Recipient`` takes an attestation document signed by the AWS Nitro PKI, which only a
        Nitro enclave can produce; KMS refuses any other document."""
        if params.get("Recipient"):
            raise validation("The attestation document in the Recipient parameter is not valid. Recipient is "
                             "supported only for attestation documents from an AWS Nitro enclave.")

    def _material_id(self, key, version: int) -> str | None:
        """The KeyMaterialId of one material version of a symmetric key (AWS names it in
        Decrypt, ReEncrypt and the data key answers). Remembered beside the opened material it
        belongs to: material imported anew is another object, so a stale id is never served,
        and the hot path makes no second query."""
        material = self.keys.material(key, version)
        cache = self.__dict__.setdefault("_material_ids", {})
        slot = (key.account, key.region, key.key_id, version)
        known = cache.get(slot)
        if known is not None and known[0] is material:
            return known[1]
        found = next((material_id for number, material_id, *_ in self.keys.versions(key) if number == version), None)
        if len(cache) >= _MATERIAL_ID_CACHE:
            cache.clear()
        cache[slot] = (material, found)
        return found

    def _seal(self, key, plaintext: bytes, context: dict | None) -> bytes:
        version = key.current_version
        return ciphertext.seal(self.keys.material(key, version), key.account, key.key_id, version, plaintext,
                               context)

    def _open_symmetric(self, ctx, blob: bytes, key, context: dict | None, operation: str):
        """(key, version, plaintext) of a symmetric blob; a key the caller named must be the
        blob's (IncorrectKeyException), else the blob names its key."""
        envelope = ciphertext.parse(blob)
        if key is None:
            key = self._key_of_blob(ctx, envelope, operation)
        elif key.key_id != envelope.key_id or key.account != envelope.account:
            raise incorrect_key()
        try:
            material = self.keys.material(key, envelope.version)
        except KeyError:  # a version this key never had: the header was forged
            raise invalid_ciphertext() from None
        return key, envelope.version, ciphertext.open_envelope(envelope, material, context)

    def _key_of_blob(self, ctx, envelope, operation: str):
        try:
            key = self.keys.resolve(ctx, key_arn(ctx.region, envelope.account, envelope.key_id), operation=operation)
        except AwsError as error:
            if error.code == "NotFoundException":
                raise unreadable_ciphertext_key() from None
            raise
        if key.usage != "ENCRYPT_DECRYPT" or key.spec != "SYMMETRIC_DEFAULT":
            raise invalid_ciphertext()
        return key

    def _dry_run_without_ciphertext(self, ctx, params: dict, keys: list[tuple], operation: str) -> None:
        """A dry run with the IGNORE_CIPHERTEXT modifier checks only the keys the request names
        ((key id, algorithm) pairs) and answers DryRunOperationException."""
        if params.get("DryRun") and "IGNORE_CIPHERTEXT" in (params.get("DryRunModifiers") or ()):
            for key_id, algorithm in keys:
                if key_id is not None:
                    self._require_algorithm(self._usable_key(ctx, key_id, operation, "ENCRYPT_DECRYPT"), algorithm)
            raise dry_run()

    def _decrypt_any(self, ctx, blob: bytes, key_id: str | None, algorithm: str, context: dict | None,
                     operation: str):
        """(key, version or None, plaintext) for Decrypt and ReEncrypt's source."""
        if blob is None:
            raise validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
                             "constraint: Member must not be null")
        key = None
        if key_id is not None:
            key = self._usable_key(ctx, key_id, operation, "ENCRYPT_DECRYPT")
            self._require_algorithm(key, algorithm)
            if key.asymmetric:
                if context:
                    raise _context_with_asymmetric_key()
                return key, None, asymmetric.rsa_decrypt(self.keys.material(key), algorithm, blob)
        elif algorithm != "SYMMETRIC_DEFAULT":
            # KMS finds an asymmetric key only by KeyId: an RSA ciphertext does not name its key.
            raise validation(f"KeyId is required when EncryptionAlgorithm is {algorithm}.")
        return self._open_symmetric(ctx, blob, key, context, operation)

    def _encrypt_any(self, key, algorithm: str, plaintext: bytes, context: dict | None) -> bytes:
        if not key.asymmetric:
            return self._seal(key, plaintext, context)
        if context:
            raise _context_with_asymmetric_key()
        return asymmetric.rsa_encrypt(self.keys.material(key).public_key(), key.spec, algorithm, plaintext)

    def _with_material_id(self, out: dict, name: str, key, version) -> dict:
        if version is not None and (material_id := self._material_id(key, version)):
            out[name] = material_id
        return out

    # ----------------------------------------------------------- encryption

    def encrypt(self, ctx, params: dict) -> dict:
        self._check_request("Encrypt", params)
        key = self._usable_key(ctx, params["KeyId"], "Encrypt", "ENCRYPT_DECRYPT")
        algorithm = params.get("EncryptionAlgorithm") or "SYMMETRIC_DEFAULT"
        self._require_algorithm(key, algorithm)
        self._stop_if_dry_run(params)
        blob = self._encrypt_any(key, algorithm, params["Plaintext"], params.get("EncryptionContext"))
        return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}

    def decrypt(self, ctx, params: dict) -> dict:
        self._check_request("Decrypt", params)
        self._refuse_recipient(params)
        algorithm = params.get("EncryptionAlgorithm") or "SYMMETRIC_DEFAULT"
        self._dry_run_without_ciphertext(ctx, params, [(params.get("KeyId"), algorithm)], "Decrypt")
        key, version, plaintext = self._decrypt_any(ctx, params.get("CiphertextBlob"), params.get("KeyId"), algorithm,
                                                    params.get("EncryptionContext"), "Decrypt")
        self._stop_if_dry_run(params)
        out = {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
        return self._with_material_id(out, "KeyMaterialId", key, version)

    def re_encrypt(self, ctx, params: dict) -> dict:
        self._check_request("ReEncrypt", params)
        source_algorithm = params.get("SourceEncryptionAlgorithm") or "SYMMETRIC_DEFAULT"
        destination_algorithm = params.get("DestinationEncryptionAlgorithm") or "SYMMETRIC_DEFAULT"
        self._dry_run_without_ciphertext(ctx, params, [(params.get("SourceKeyId"), source_algorithm),
                                                       (params["DestinationKeyId"], destination_algorithm)],
                                         "ReEncrypt")
        source, version, plaintext = self._decrypt_any(ctx, params.get("CiphertextBlob"), params.get("SourceKeyId"),
                                                       source_algorithm, params.get("SourceEncryptionContext"),
                                                       "ReEncrypt")
        destination = self._usable_key(ctx, params["DestinationKeyId"], "ReEncrypt", "ENCRYPT_DECRYPT")
        self._require_algorithm(destination, destination_algorithm)
        self._stop_if_dry_run(params)
        blob = self._encrypt_any(destination, destination_algorithm, plaintext,
                                 params.get("DestinationEncryptionContext"))
        out = {"CiphertextBlob": blob, "SourceKeyId": source.arn, "KeyId": destination.arn,
               "SourceEncryptionAlgorithm": source_algorithm, "DestinationEncryptionAlgorithm": destination_algorithm}
        self._with_material_id(out, "SourceKeyMaterialId", source, version)
        if not destination.asymmetric:
            self._with_material_id(out, "DestinationKeyMaterialId", destination, destination.current_version)
        return out

    # ------------------------------------------------------------ data keys

    def _data_key(self, ctx, params: dict, operation: str) -> tuple[object, bytes, bytes]:
        self._check_request(operation, params)
        size = _data_key_size(params)
        key = self._symmetric_key(ctx, params["KeyId"], operation)
        self._stop_if_dry_run(params)
        plaintext = os.urandom(size)
        return key, plaintext, self._seal(key, plaintext, params.get("EncryptionContext"))

    def _symmetric_key(self, ctx, key_id: str, operation: str):
        """The symmetric encryption key data keys are generated under (AWS refuses asymmetric and
        HMAC keys for them)."""
        key = self._usable_key(ctx, key_id, operation, "ENCRYPT_DECRYPT")
        self._require_algorithm(key, "SYMMETRIC_DEFAULT")
        return key

    def generate_data_key(self, ctx, params: dict) -> dict:
        self._refuse_recipient(params)
        key, plaintext, blob = self._data_key(ctx, params, "GenerateDataKey")
        out = {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": key.arn}
        return self._with_material_id(out, "KeyMaterialId", key, key.current_version)

    def generate_data_key_without_plaintext(self, ctx, params: dict) -> dict:
        key, _, blob = self._data_key(ctx, params, "GenerateDataKeyWithoutPlaintext")
        out = {"CiphertextBlob": blob, "KeyId": key.arn}
        return self._with_material_id(out, "KeyMaterialId", key, key.current_version)

    def _data_key_pair(self, ctx, params: dict, operation: str) -> dict:
        self._check_request(operation, params)
        spec = params["KeyPairSpec"]
        key = self._symmetric_key(ctx, params["KeyId"], operation)
        if spec in CHINA_ONLY_SPECS and partition_of(ctx.region) != "aws-cn":
            raise validation(f"KeyPairSpec {spec} is not supported in this region.")
        if not asymmetric.supports_pair(spec):  # SM2 in a China Region: no SM2 in ``cryptography``
            raise UnsupportedOperationException(f"KeyPairSpec {spec} is not supported by Overcast.")
        self._stop_if_dry_run(params)
        private_key = asymmetric.generate_pair(spec)
        private_der = asymmetric.private_key_der(private_key)
        out = {"PrivateKeyCiphertextBlob": self._seal(key, private_der, params.get("EncryptionContext")),
               "PrivateKeyPlaintext": private_der, "PublicKey": asymmetric.public_key_der(private_key),
               "KeyId": key.arn, "KeyPairSpec": spec}
        return self._with_material_id(out, "KeyMaterialId", key, key.current_version)

    def generate_data_key_pair(self, ctx, params: dict) -> dict:
        self._refuse_recipient(params)
        return self._data_key_pair(ctx, params, "GenerateDataKeyPair")

    def generate_data_key_pair_without_plaintext(self, ctx, params: dict) -> dict:
        out = self._data_key_pair(ctx, params, "GenerateDataKeyPairWithoutPlaintext")
        del out["PrivateKeyPlaintext"]
        return out

    def generate_random(self, ctx, params: dict) -> dict:
        self._check_request("GenerateRandom", params)
        self._refuse_recipient(params)
        if params.get("CustomKeyStoreId") is not None:
            # No custom key stores exist here (CloudHSM and external key stores are not modelled).
            raise custom_key_store_not_found()
        if params.get("NumberOfBytes") is None:
            raise validation("Please specify number of bytes.")
        return {"Plaintext": os.urandom(params["NumberOfBytes"])}

    # -------------------------------------------------------------- signing

    def _signing_key(self, ctx, params: dict, operation: str):
        self._check_request(operation, params)
        key = self._usable_key(ctx, params["KeyId"], operation, "SIGN_VERIFY")
        self._require_algorithm(key, params["SigningAlgorithm"])
        return key

    def sign(self, ctx, params: dict) -> dict:
        key = self._signing_key(ctx, params, "Sign")
        message_type = params.get("MessageType") or "RAW"
        self._stop_if_dry_run(params)
        signature = signing.sign(self.keys.material(key), params["SigningAlgorithm"], params["Message"],
                                 message_type)
        return {"KeyId": key.arn, "Signature": signature, "SigningAlgorithm": params["SigningAlgorithm"]}

    def verify(self, ctx, params: dict) -> dict:
        key = self._signing_key(ctx, params, "Verify")
        message_type = params.get("MessageType") or "RAW"
        self._stop_if_dry_run(params)
        signing.verify(self.keys.material(key).public_key(), params["SigningAlgorithm"], params["Message"],
                       message_type, params["Signature"])
        return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": params["SigningAlgorithm"]}

    def get_public_key(self, ctx, params: dict) -> dict:
        self._check_request("GetPublicKey", params)
        key = self.keys.resolve(ctx, params["KeyId"], operation="GetPublicKey")
        if not key.asymmetric:
            raise UnsupportedOperationException(f"{key.arn} key usage is {key.usage} which is not valid for "
                                                "GetPublicKey.")
        out = {"KeyId": key.arn, "PublicKey": asymmetric.public_key_der(self.keys.material(key)),
               "CustomerMasterKeySpec": key.spec, "KeySpec": key.spec, "KeyUsage": key.usage}
        member, listed = SPECS[key.spec].usages[key.usage]
        out[member] = list(listed)
        return out

    # ------------------------------------------------------------------ MAC

    def _mac_key(self, ctx, params: dict, operation: str):
        self._check_request(operation, params)
        key = self._usable_key(ctx, params["KeyId"], operation, "GENERATE_VERIFY_MAC")
        self._require_algorithm(key, params["MacAlgorithm"])
        self._stop_if_dry_run(params)
        return key

    def generate_mac(self, ctx, params: dict) -> dict:
        key = self._mac_key(ctx, params, "GenerateMac")
        digest = mac.generate(self.keys.material(key), params["MacAlgorithm"], params["Message"])
        return {"Mac": digest, "MacAlgorithm": params["MacAlgorithm"], "KeyId": key.arn}

    def verify_mac(self, ctx, params: dict) -> dict:
        key = self._mac_key(ctx, params, "VerifyMac")
        mac.verify(self.keys.material(key), params["MacAlgorithm"], params["Message"], params["Mac"])
        return {"KeyId": key.arn, "MacValid": True, "MacAlgorithm": params["MacAlgorithm"]}

    # -------------------------------------------------------- key agreement

    def derive_shared_secret(self, ctx, params: dict) -> dict:
        self._check_request("DeriveSharedSecret", params)
        self._refuse_recipient(params)
        key = self._usable_key(ctx, params["KeyId"], "DeriveSharedSecret", "KEY_AGREEMENT")
        self._require_algorithm(key, params["KeyAgreementAlgorithm"])
        self._stop_if_dry_run(params)
        secret = shared_secret.derive(self.keys.material(key), key.spec, params["PublicKey"])
        return {"KeyId": key.arn, "SharedSecret": secret, "KeyAgreementAlgorithm": params["KeyAgreementAlgorithm"],
                "KeyOrigin": key.origin}


def _data_key_size(params: dict) -> int:
    """Exactly one of KeySpec and NumberOfBytes (AWS: "Please specify either number of bytes or
    key spec.")."""
    spec, count = params.get("KeySpec"), params.get("NumberOfBytes")
    if (spec is None) == (count is None):
        raise validation("Please specify either number of bytes or key spec.")
    return _DATA_KEY_BYTES[spec] if spec is not None else count


def _algorithms(key) -> tuple[str, ...]:
    """The algorithms a key's spec supports for its usage (DescribeKey's lists)."""
    return SPECS[key.spec].usages.get(key.usage, ("", ()))[1]


def _context_with_asymmetric_key():
    return validation("EncryptionContext is not supported with asymmetric KMS keys.")
