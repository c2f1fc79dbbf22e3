"""OpenID Connect identity providers (STS's AssumeRoleWithWebIdentity trusts their tokens).

Create/Get/Delete/List OpenIDConnectProvider, Add/RemoveClientIDToOpenIDConnectProvider,
UpdateOpenIDConnectProviderThumbprint; ``oidc_provider(account, issuer_url)`` for STS.
Quotas: 100 providers per account, 100 client ids and 5 thumbprints per provider.
"""

from __future__ import annotations

import json

from overcast.services.iam import errors
from overcast.services.iam.records import tag_list
from overcast.services.iam.tags import tags_from_params

MAX_PROVIDERS = 100
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
_PREFIX = "oidc-provider/"


def url_key(url: str) -> str:
    """``https://Example.com/path/`` and ``example.com/path`` name the same provider."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host, slash, path = rest.partition("/")
    return (host.lower() + slash + path).rstrip("/")


def provider_arn(account: str, key: str) -> str:
    return f"arn:aws:iam::{account}:{_PREFIX}{key}"


class OidcOperations:
    def _oidc_row(self, account: str, key: str) -> dict | None:
        row = self.db.query_one(
            "SELECT url_key, url, client_ids, thumbprints, tags, created FROM oidc_providers "
            "WHERE account = ? AND url_key = ?", (account, key))
        if row is None:
            return None
        return {"key": row[0], "url": row[1], "client_ids": json.loads(row[2]), "thumbprints": json.loads(row[3]),
                "tags": json.loads(row[4]), "created": row[5], "arn": provider_arn(account, row[0])}

    def require_oidc(self, account: str, arn: str) -> dict:
        prefix = f"arn:aws:iam::{account}:{_PREFIX}"
        found = self._oidc_row(account, arn[len(prefix):]) if arn.startswith(prefix) else None
        if found is None:
            raise errors.no_such_entity(f"OpenIDConnect Provider not found for arn {arn}")
        return found

    def oidc_provider(self, account: str, issuer_url: str) -> dict | None:
        """{"arn", "url", "client_ids", "thumbprints"} of the provider for ``issuer_url``, or None."""
        found = self._oidc_row(account, url_key(issuer_url))
        if found is None:
            return None
        return {k: found[k] for k in ("arn", "url", "client_ids", "thumbprints")}

    def _save_oidc(self, account: str, found: dict) -> None:
        self.db.execute("UPDATE oidc_providers SET client_ids = ?, thumbprints = ? WHERE account = ? AND url_key = ?",
                        (json.dumps(found["client_ids"]), json.dumps(found["thumbprints"]), account, found["key"]))

    def create_open_id_connect_provider(self, ctx, params):
        url = params["Url"]
        if not url.startswith("https://") or len(url) <= len("https://"):
            raise errors.invalid_input("Invalid value for Url: the URL must begin with https://.")
        key = url_key(url)
        if self._oidc_row(ctx.account, key) is not None:
            raise errors.entity_exists(f"Provider with url {url} already exists.")
        count = self.db.query_one("SELECT COUNT(*) FROM oidc_providers WHERE account = ?", (ctx.account,))[0]
        if count >= MAX_PROVIDERS:
            raise errors.quota("OpenIdConnectProvidersPerAccount", MAX_PROVIDERS)
        client_ids = list(dict.fromkeys(params.get("ClientIDList") or []))
        thumbprints = list(dict.fromkeys(params.get("ThumbprintList") or []))
        if len(client_ids) > MAX_CLIENT_IDS:
            raise errors.quota("ClientIdsPerOpenIdConnectProvider", MAX_CLIENT_IDS)
        if len(thumbprints) > MAX_THUMBPRINTS:
            raise errors.quota("ThumbprintsPerOpenIdConnectProvider", MAX_THUMBPRINTS)
        tags = tags_from_params(params)
        self.db.execute(
            "INSERT INTO oidc_providers (account, url_key, url, client_ids, thumbprints, tags, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ctx.account, key, url, json.dumps(client_ids), json.dumps(thumbprints), json.dumps(tags),
             self.clock.now()))
        out = {"OpenIDConnectProviderArn": provider_arn(ctx.account, key)}
        if tags:
            out["Tags"] = tag_list(tags)
        return out

    def get_open_id_connect_provider(self, ctx, params):
        found = self.require_oidc(ctx.account, params["OpenIDConnectProviderArn"])
        out = {"Url": found["key"], "ClientIDList": found["client_ids"], "ThumbprintList": found["thumbprints"],
               "CreateDate": found["created"]}
        if found["tags"]:
            out["Tags"] = tag_list(found["tags"])
        return out

    def delete_open_id_connect_provider(self, ctx, params):
        found = self.require_oidc(ctx.account, params["OpenIDConnectProviderArn"])
        self.db.execute("DELETE FROM oidc_providers WHERE account = ? AND url_key = ?", (ctx.account, found["key"]))
        return {}

    def list_open_id_connect_providers(self, ctx, params):
        rows = self.db.query("SELECT url_key FROM oidc_providers WHERE account = ? ORDER BY url_key", (ctx.account,))
        return {"OpenIDConnectProviderList": [{"Arn": provider_arn(ctx.account, r[0])} for r in rows]}

    def add_client_id_to_open_id_connect_provider(self, ctx, params):
        found = self.require_oidc(ctx.account, params["OpenIDConnectProviderArn"])
        if params["ClientID"] not in found["client_ids"]:
            if len(found["client_ids"]) >= MAX_CLIENT_IDS:
                raise errors.quota("ClientIdsPerOpenIdConnectProvider", MAX_CLIENT_IDS)
            found["client_ids"].append(params["ClientID"])
            self._save_oidc(ctx.account, found)
        return {}

    def remove_client_id_from_open_id_connect_provider(self, ctx, params):
        found = self.require_oidc(ctx.account, params["OpenIDConnectProviderArn"])
        if params["ClientID"] in found["client_ids"]:
            found["client_ids"].remove(params["ClientID"])
            self._save_oidc(ctx.account, found)
        return {}

    def update_open_id_connect_provider_thumbprint(self, ctx, params):
        found = self.require_oidc(ctx.account, params["OpenIDConnectProviderArn"])
        thumbprints = list(dict.fromkeys(params.get("ThumbprintList") or []))
        if len(thumbprints) > MAX_THUMBPRINTS:
            raise errors.quota("ThumbprintsPerOpenIdConnectProvider", MAX_THUMBPRINTS)
        found["thumbprints"] = thumbprints
        self._save_oidc(ctx.account, found)
        return {}
