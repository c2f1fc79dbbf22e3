"""Access keys -> secret, account and principal.

Three kinds of keys resolve:

- keys registered at run time (``register``): IAM users' access keys and STS session
  credentials, filled in by the IAM and STS services;
- static root keys from the ``access_keys`` setting (``KEY:SECRET[:ACCOUNT]``);
- the built-in conventions of local clouds: ``test`` is the root of account
  ``000000000000``, and a key that is a 12-digit number is the root of that account (for
  multi-account tests). Both have the secret ``default_secret_key`` (``test``).

Any other key is unknown: ``lookup`` answers None, and the authenticator decides (open mode:
root of the default account; strict mode: refused).
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.config import DEFAULT_ACCOUNT

# Root keys made up on the fly for 12-digit keys are cached; the bound keeps a client that
# invents a new account per request from growing the cache without end.
_ROOT_CACHE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Credential:
    """One access key and what it stands for."""

    access_key: str
    secret_key: str
    account: str
    principal_arn: str
    user_id: str
    # Temporary (STS) credentials only: the token the request must carry, and when (epoch
    # seconds on the cloud's clock) the credentials stop working.
    session_token: str | None = None
    expires_at: float | None = None
    # Assumed-role sessions: the role behind the session (``arn:aws:iam::<acct>:role/<path><name>``),
    # the session policy documents passed to AssumeRole (JSON texts; they narrow the role's
    # permissions), the session tags and the source identity. Used by strict-mode authorization.
    role_arn: str | None = None
    session_policies: tuple[str, ...] = ()
    session_tags: tuple[tuple[str, str], ...] = ()
    source_identity: str | None = None
    # IAM users: the user's name, so authorization can find the user's and groups' policies.
    user_name: str | None = None

    @property
    def is_root(self) -> bool:
        return self.principal_arn.endswith(":root")


def root_principal(account: str) -> str:
    """The ARN GetCallerIdentity answers for an account's root credentials."""
    return f"arn:aws:iam::{account}:root"


def root_credential(access_key: str, secret_key: str, account: str) -> Credential:
    """Root credentials: principal ``arn:aws:iam::<account>:root``, user id = the account id."""
    return Credential(access_key, secret_key, account, root_principal(account), account)


def account_for_key(access_key: str) -> str:
    """``test`` -> the default account; a 12-digit key -> that account (multi-account tests)."""
    if len(access_key) == 12 and access_key.isdigit():
        return access_key
    return DEFAULT_ACCOUNT


class CredentialStore:
    """The registry of access keys the authenticator resolves against."""

    def __init__(self, default_secret_key: str = "test", static_keys: str = ""):
        self.default_secret_key = default_secret_key
        self._registered: dict[str, Credential] = {}
        self._static: dict[str, Credential] = {}
        self._roots: dict[str, Credential] = {}
        for key, secret, account in parse_static_keys(static_keys):
            self._static[key] = root_credential(key, secret, account)

    @classmethod
    def from_settings(cls, settings) -> "CredentialStore":
        return cls(
            getattr(settings, "default_secret_key", "test") or "test",
            getattr(settings, "access_keys", "") or "",
        )

    def register(
        self,
        access_key: str,
        secret_key: str,
        account: str,
        principal_arn: str | None = None,
        user_id: str | None = None,
        *,
        session_token: str | None = None,
        expires_at: float | None = None,
        role_arn: str | None = None,
        session_policies: tuple[str, ...] = (),
        session_tags: tuple[tuple[str, str], ...] = (),
        source_identity: str | None = None,
        user_name: str | None = None,
    ) -> Credential:
        """Make ``access_key`` resolve (replacing any earlier registration of it).

        ``principal_arn``/``user_id`` default to the account's root. IAM registers a user's
        key as ``arn:aws:iam::<account>:user/<name>`` with the user's ``AIDA...`` id; STS
        registers session credentials with their token and expiry.
        """
        credential = Credential(
            access_key,
            secret_key,
            account,
            principal_arn or root_principal(account),
            user_id or account,
            session_token,
            expires_at,
            role_arn,
            tuple(session_policies),
            tuple(session_tags),
            source_identity,
            user_name,
        )
        self._registered[access_key] = credential
        return credential

    def unregister(self, access_key: str) -> None:
        """Forget a registered key (deleted IAM access key); unknown keys are ignored."""
        self._registered.pop(access_key, None)

    def clear(self) -> None:
        """Forget every registered key (static and built-in keys stay)."""
        self._registered.clear()

    def lookup(self, access_key: str) -> Credential | None:
        """The credential for ``access_key``, or None when the key is unknown."""
        found = self._registered.get(access_key)
        if found is not None:
            return found
        found = self._static.get(access_key)
        if found is not None:
            return found
        found = self._roots.get(access_key)
        if found is not None:
            return found
        if access_key == "test" or (len(access_key) == 12 and access_key.isdigit()):
            if len(self._roots) >= _ROOT_CACHE_LIMIT:
                self._roots.clear()
            found = root_credential(access_key, self.default_secret_key, account_for_key(access_key))
            self._roots[access_key] = found
            return found
        return None


def parse_static_keys(text: str) -> list[tuple[str, str, str]]:
    """``KEY:SECRET[:ACCOUNT],...`` -> [(key, secret, account)]; the account defaults as for
    built-in keys (a 12-digit key is its own account, anything else the default account)."""
    out = []
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        parts = item.split(":")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise ValueError(f"access key entry {item!r} is not KEY:SECRET[:ACCOUNT]")
        account = parts[2] if len(parts) == 3 else account_for_key(parts[0])
        if not (len(account) == 12 and account.isdigit()):
            raise ValueError(f"access key entry {item!r}: the account must be 12 digits")
        out.append((parts[0], parts[1], account))
    return out
