"""KMS's side of the authorization interface (``overcast.auth.authorization.authority``).

A key's policy is its resource policy, and KMS reads it differently from other services: the
key policy itself must let the caller in, directly or through its account (the default
policy's ``arn:aws:iam::<account>:root`` statement, which is what makes identity policies
count). Identity policies alone never open a key, and a policy without the root statement
locks out even the account's root. The engine decides the rest as usual (same-account
principals named directly need no identity policy; an "account" statement needs one; explicit
denies win). Grants join the key policy as statements (``grant_policy.py``), so a grantee
needs no identity policy either.

The KeyId an operation names (key id, key ARN, alias name or alias ARN) becomes the key's ARN
(``KeyArn``, ``TargetKeyArn``, ``AliasKeyArn`` in the action table); aliases themselves are
authorized by identity policies only, as in AWS. Condition keys: kms:CallerAccount,
kms:ViaService (calls made through another service), kms:EncryptionContext:* and
kms:EncryptionContextKeys, kms:RequestAlias, aws:RequestTag/* and aws:TagKeys of the request;
kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:KeyManager, kms:MultiRegion,
kms:MultiRegionKeyType and kms:ResourceAliases of the key.
"""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority, ResourceFacts
from overcast.auth.authorization.denials import denial_message
from overcast.errors import AwsError
from overcast.services.kms.grant_policy import policy_with_grants
from overcast.services.kms.grants import grant_id_of_token
from overcast.services.kms.key_store import ALIAS_ARN, KEY_ARN, KEY_ID, alias_arn, key_arn

# Where each operation's encryption context is (ReEncrypt: the source for kms:ReEncryptFrom,
# the destination for kms:ReEncryptTo).
_CONTEXT_PARAMS = {"kms:ReEncryptFrom": "SourceEncryptionContext", "kms:ReEncryptTo": "DestinationEncryptionContext"}


class KmsAuthority(ResourceAuthority):
    # -- what the request names --------------------------------------------------------------

    def _key_arn_of(self, ctx, key_id) -> str:
        """The ARN of the key ``key_id`` names (through its alias); for a name that finds no key,
        the ARN it would have, so identity policies still decide and the operation then answers
        NotFound."""
        if not isinstance(key_id, str) or not key_id:
            return ""
        if KEY_ARN.match(key_id):
            return key_id
        alias = ALIAS_ARN.match(key_id)
        if alias is not None or key_id.startswith("alias/"):
            region, account, name = alias.groups() if alias else (ctx.region, ctx.account, key_id)
            row = self.db.query_one("SELECT key_id FROM aliases WHERE account = ? AND region = ? AND name = ?",
                                    (account, region, name))
            return key_arn(region, account, row[0]) if row else alias_arn(region, account, name)
        return key_arn(ctx.region, ctx.account, key_id) if KEY_ID.match(key_id) else key_id

    def authorization_values(self, ctx, params: dict) -> dict:
        out = {}
        if params.get("KeyId") is not None:
            out["KeyArn"] = self._key_arn_of(ctx, params["KeyId"])
        elif params.get("GrantToken") is not None:
            # RetireGrant by token alone: the key of the grant the token names
            grant_id = grant_id_of_token(params["GrantToken"]) if isinstance(params["GrantToken"], str) else None
            row = self.db.query_one("SELECT account, region, key_id FROM grants WHERE grant_id = ?",
                                    (grant_id,)) if grant_id else None
            if row is not None:
                out["KeyArn"] = key_arn(row[1], row[0], row[2])
        if params.get("TargetKeyId") is not None:
            out["TargetKeyArn"] = self._key_arn_of(ctx, params["TargetKeyId"])
        if params.get("DestinationKeyId") is not None:
            out["DestinationKeyArn"] = self._key_arn_of(ctx, params["DestinationKeyId"])
        name = params.get("AliasName")
        if isinstance(name, str) and name.startswith("alias/"):
            row = self.db.query_one("SELECT key_id FROM aliases WHERE account = ? AND region = ? AND name = ?",
                                    (ctx.account, ctx.region, name))
            if row is not None:
                out["AliasKeyArn"] = key_arn(ctx.region, ctx.account, row[0])
        if ctx.operation == "CreateKey":
            # the values CreateKey's condition keys see when the request leaves them out
            spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
            out["EffectiveKeySpec"] = spec
            out["EffectiveKeyUsage"] = params.get("KeyUsage") or "ENCRYPT_DECRYPT"
            out["EffectiveOrigin"] = params.get("Origin") or "AWS_KMS"
            multi_region = bool(params.get("MultiRegion"))
            out["EffectiveMultiRegion"] = "true" if multi_region else "false"
            if multi_region:
                out["EffectiveMultiRegionKeyType"] = "PRIMARY"
        constraints = params.get("Constraints")
        if isinstance(constraints, dict) and constraints:
            out["GrantConstraintType"] = sorted(k for k in constraints if k.startswith("EncryptionContext"))
        return out

    def request_condition_keys(self, ctx, params: dict, request) -> dict:
        out = {"kms:CallerAccount": ctx.account}
        via = ctx.extra.get("kms_via_service")
        if via:
            out["kms:ViaService"] = via
        context = params.get("EncryptionContext")
        if isinstance(context, dict):
            out.update(encryption_context_keys(context))
        key_id = params.get("KeyId")
        if isinstance(key_id, str) and (key_id.startswith("alias/") or ALIAS_ARN.match(key_id)):
            out["kms:RequestAlias"] = key_id if key_id.startswith("alias/") else ALIAS_ARN.match(key_id).group(3)
        tags = params.get("Tags")
        if isinstance(tags, list) and tags:
            pairs = [(str(t.get("TagKey")), str(t.get("TagValue", ""))) for t in tags if isinstance(t, dict)]
            out.update({f"aws:RequestTag/{key}": value for key, value in pairs})
            out["aws:TagKeys"] = [key for key, _ in pairs]
        ctx.extra["kms_request_params"] = params
        return out

    # -- what the key is ----------------------------------------------------------------------

    def _key_record(self, arn: str):
        match = KEY_ARN.match(arn)
        if match is None:
            return None
        region, account, key_id = match.groups()
        return self.keys.get(account, region, key_id)

    def resource_facts(self, ctx, arn: str) -> ResourceFacts | None:
        """A key's owner and its policy with its grants; aliases and missing keys: None."""
        record = self._key_record(arn)
        if record is None:
            return None
        # policy_required: the key policy (or a grant) must name the caller or its account,
        # else nothing opens the key, not an identity policy, not the account's root
        return ResourceFacts(owner=record.account, policy=policy_with_grants(record.policy, self.grants_for(record)),
                             policy_required=True)

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        record = self._key_record(arn)
        return {t["TagKey"]: t["TagValue"] for t in record.tag_list} if record is not None else {}

    def resource_condition_keys(self, ctx, arn: str, check, facts, mentioned) -> dict:
        record = self._key_record(arn)
        if record is None:
            return {}
        out = {"kms:KeySpec": record.spec, "kms:CustomerMasterKeySpec": record.spec, "kms:KeyUsage": record.usage,
               "kms:CustomerMasterKeyUsage": record.usage, "kms:KeyOrigin": record.origin,
               "kms:KeyManager": record.manager, "kms:MultiRegion": "true" if record.multi_region else "false"}
        if record.multi_region:
            out["kms:MultiRegionKeyType"] = "REPLICA" if record.is_replica else "PRIMARY"
        if mentioned("resourcealiases"):
            out["kms:ResourceAliases"] = [row[0] for row in self.db.query(
                "SELECT name FROM aliases WHERE account = ? AND region = ? AND key_id = ?",
                (record.account, record.region, record.key_id))]
        params = ctx.extra.get("kms_request_params") or {}
        source = _CONTEXT_PARAMS.get(check.action)
        if source is not None and isinstance(params.get(source), dict):
            out.update(encryption_context_keys(params[source]))
        return out

    # grants are statements of the key's policy (``grant_policy.py``): nothing to add here.

    def denial_error(self, ctx, denial):
        """KMS's wording: AccessDeniedException (400 in its JSON protocol), the default text."""
        return AwsError("AccessDeniedException",
                        denial_message(denial.principal, denial.action, denial.resource, denial.reason), 400)


def encryption_context_keys(context: dict) -> dict:
    """kms:EncryptionContext:<key> per pair and kms:EncryptionContextKeys."""
    out = {f"kms:EncryptionContext:{key}": str(value) for key, value in context.items()}
    out["kms:EncryptionContextKeys"] = [str(key) for key in context]
    return out
