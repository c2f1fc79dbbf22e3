"""Service-specific credentials: Create/List/Update/Reset/DeleteServiceSpecificCredential.

A user may hold, per supported service, at most two credentials (IAM quota). For CodeCommit
(Git over HTTPS) and Amazon Keyspaces the credential is a user name ``<user>-at-<account>``
(``<user>+1-at-<account>`` for the second) and a generated password; for Amazon Bedrock and
CloudWatch Logs it is an API key: a public alias and a secret, which may expire after
``CredentialAgeDays``. The password or secret is shown once (create, reset); IAM keeps only a
salted hash, which ``authenticate_service_credential`` checks for the service that receives it.
"""

from __future__ import annotations

import base64
import re
import secrets

from overcast.services.iam import errors, ids
from overcast.services.iam.listing import paginate
from overcast.services.iam.login_profiles import password_hash, password_matches

MAX_PER_SERVICE = 2  # "a maximum of two sets of service-specific credentials for each supported service per user"
CREDENTIAL_PREFIX = "ACCA"
# Password services: a user name and password. API-key services: the prefix their secrets carry.
PASSWORD_SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com")
API_KEY_PREFIXES = {"bedrock.amazonaws.com": "ABSK", "logs.amazonaws.com": "ACWL"}
_DAY = 86_400
_ID_PATTERN = re.compile(r"[\w]+", re.ASCII)
# The credential id is checked after the user (ServiceSpecificCredentialId's own check, below).
SELF_CHECKED_MEMBERS = {op: ("ServiceSpecificCredentialId",) for op in (
    "UpdateServiceSpecificCredential", "ResetServiceSpecificCredential", "DeleteServiceSpecificCredential")}

_COLUMNS = "credential_id, account, user_key, service, login, secret_hash, status, created, expires"


def _check_service(service: str) -> None:
    if service not in PASSWORD_SERVICES and service not in API_KEY_PREFIXES:
        raise errors.AwsError(
            "NoSuchEntity", f"No such service {service} is supported for Service Specific Credentials", 404)


def _check_credential_id(credential_id: str) -> None:
    if not _ID_PATTERN.fullmatch(credential_id):
        raise errors.validation("1 validation error detected: Value at 'serviceSpecificCredentialId' failed to "
                                "satisfy constraint: Member must satisfy regular expression pattern: [\\w]+")


def _new_password() -> str:
    """60 characters of base64 (44 random bytes), as IAM's generated service passwords are."""
    return base64.b64encode(secrets.token_bytes(44)).decode()


def _new_api_key(service: str, alias: str) -> str:
    """The service's prefix and the base64 of ``alias:secret``: the key names its own credential."""
    return API_KEY_PREFIXES[service] + base64.b64encode(f"{alias}:{_new_password()}".encode()).decode()


class ServiceCredentialOperations:
    # -- for the services that receive these credentials ---------------------------------------

    def authenticate_service_credential(self, service: str, login: str, secret: str):
        """The IAM user whose active, unexpired credential for ``service`` is ``login``/``secret``
        (for an API key, its alias and the whole key), or None."""
        for row in self.db.query(f"SELECT {_COLUMNS} FROM service_credentials WHERE service = ? AND login = ?",
                                 (service, login)):
            if self._status(row) == "Active" and password_matches(secret, row[5]):
                return self.find_user(row[1], row[2])
        return None

    # -- helpers --------------------------------------------------------------------------------

    def _status(self, row) -> str:
        expires = row[8]
        if row[6] == "Active" and expires is not None and self.clock.now() >= expires:
            return "Expired"
        return row[6]

    def _credential_shape(self, row, user_name: str) -> dict:
        credential_id, _, _, service, login, _, _, created, expires = row
        out = {"UserName": user_name, "Status": self._status(row), "CreateDate": created,
               "ServiceSpecificCredentialId": credential_id, "ServiceName": service}
        out["ServiceCredentialAlias" if service in API_KEY_PREFIXES else "ServiceUserName"] = login
        if expires is not None:
            out["ExpirationDate"] = expires
        return out

    def _with_secret(self, row, user_name: str, secret: str) -> dict:
        out = self._credential_shape(row, user_name)
        out["ServiceCredentialSecret" if row[3] in API_KEY_PREFIXES else "ServicePassword"] = secret
        return out

    def _free_login(self, service: str, user_name: str, account: str) -> str:
        taken = {r[0] for r in self.db.query("SELECT login FROM service_credentials WHERE service = ? AND account = ?",
                                             (service, account))}  # a login names its account
        slot = 0
        while True:
            login = f"{user_name}{f'+{slot}' if slot else ''}-at-{account}"
            if login not in taken:
                return login
            slot += 1

    def _credential_user(self, ctx, params):
        """The user a credential operation is about (UserName, else the calling user); None for root."""
        name = params.get("UserName") or self.caller_user_name(ctx)
        return self.require_user(ctx.account, name) if name is not None else None

    def _require_credential(self, ctx, params):
        user = self._credential_user(ctx, params)
        credential_id = params["ServiceSpecificCredentialId"]
        _check_credential_id(credential_id)
        row = None
        if user is not None:
            row = self.db.query_one(f"SELECT {_COLUMNS} FROM service_credentials WHERE credential_id = ? AND "
                                    "account = ? AND user_key = ?", (credential_id, ctx.account, user.key))
        if row is None:
            raise errors.no_such_entity(f"No such credential {credential_id} exists")
        return user, row

    # -- operations -----------------------------------------------------------------------------

    def create_service_specific_credential(self, ctx, params):
        user = self.require_user(ctx.account, params["UserName"])  # the user is checked before the service
        service = params["ServiceName"]
        _check_service(service)
        age_days = params.get("CredentialAgeDays")
        if age_days is not None and service not in API_KEY_PREFIXES:
            raise errors.invalid_input("CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.")
        count = self.db.query_one("SELECT COUNT(*) FROM service_credentials WHERE account = ? AND user_key = ? AND "
                                  "service = ?", (ctx.account, user.key, service))[0]
        if count >= MAX_PER_SERVICE:
            raise errors.quota("ServiceSpecificCredentialsPerUser", MAX_PER_SERVICE)
        login = self._free_login(service, user.name, ctx.account)
        secret = _new_api_key(service, login) if service in API_KEY_PREFIXES else _new_password()
        now = self.clock.now()
        expires = now + age_days * _DAY if age_days is not None else None
        row = (ids.unique_id(CREDENTIAL_PREFIX), ctx.account, user.key, service, login, password_hash(secret),
               "Active", now, expires)
        self.db.execute(f"INSERT INTO service_credentials ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return {"ServiceSpecificCredential": self._with_secret(row, user.name, secret)}

    def list_service_specific_credentials(self, ctx, params):
        service = params.get("ServiceName")
        if service:
            _check_service(service)
        if params.get("AllUsers"):
            if params.get("UserName"):
                raise errors.invalid_input("AllUsers cannot be specified together with UserName.")
            rows = self.db.query(f"SELECT {_COLUMNS} FROM service_credentials WHERE account = ?", (ctx.account,))
        else:
            user = self._credential_user(ctx, params)
            rows = [] if user is None else self.db.query(
                f"SELECT {_COLUMNS} FROM service_credentials WHERE account = ? AND user_key = ?",
                (ctx.account, user.key))
        rows = [r for r in rows if not service or r[3] == service]
        page, more = paginate(rows, params, key=lambda r: f"{r[2]}\0{r[7]:020.6f}\0{r[0]}")
        names = {}
        out = []
        for row in page:
            if row[2] not in names:
                found = self.find_user(ctx.account, row[2])
                names[row[2]] = found.name if found is not None else row[2]
            out.append(self._credential_shape(row, names[row[2]]))
        return {"ServiceSpecificCredentials": out, **more}

    def update_service_specific_credential(self, ctx, params):
        _, row = self._require_credential(ctx, params)
        self.db.execute("UPDATE service_credentials SET status = ? WHERE credential_id = ?", (params["Status"], row[0]))
        return {}

    def reset_service_specific_credential(self, ctx, params):
        user, row = self._require_credential(ctx, params)
        service, login = row[3], row[4]
        secret = _new_api_key(service, login) if service in API_KEY_PREFIXES else _new_password()
        self.db.execute("UPDATE service_credentials SET secret_hash = ? WHERE credential_id = ?",
                        (password_hash(secret), row[0]))  # the old password stops working at once
        return {"ServiceSpecificCredential": self._with_secret(row, user.name, secret)}

    def delete_service_specific_credential(self, ctx, params):
        _, row = self._require_credential(ctx, params)
        self.db.execute("DELETE FROM service_credentials WHERE credential_id = ?", (row[0],))
        return {}

    def user_has_service_credentials(self, account: str, user_key: str) -> bool:
        return self.db.query_one("SELECT 1 FROM service_credentials WHERE account = ? AND user_key = ?",
                                 (account, user_key)) is not None
