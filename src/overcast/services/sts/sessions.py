"""Temporary credentials: made, kept in ``sts.db``, and known to the authenticator.

Every session STS issues (GetSessionToken, GetFederationToken, AssumeRole*, and role sessions
for instance profiles) is a row in ``sessions`` and a registration in ``cloud.credentials``.
Registrations are rebuilt from the table at start, so session credentials survive a restart.

Expired sessions stay registered for a while: the authenticator must still recognise their
key to answer ``ExpiredToken`` (what AWS answers for an expired token, and what SDKs refresh
on) rather than treating the key as unknown. They are dropped once they have been expired for
longer than ``EXPIRED_RETENTION_SECONDS``, or on reset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from overcast.services.sts import keys

# A week: long enough for a test that moves the clock by days to still see ExpiredToken,
# short enough that the table does not grow for ever.
EXPIRED_RETENTION_SECONDS = 7 * 24 * 3600

_COLUMNS = (
    "access_key, secret_key, session_token, account, principal_arn, user_id, kind, issued_at, expires_at,"
    " role_arn, session_policies, session_tags, source_identity, user_name, source_arn, transitive_tag_keys"
)


@dataclass(frozen=True, slots=True)
class Session:
    """One set of temporary credentials and the identity behind it."""

    access_key: str
    secret_key: str
    session_token: str
    account: str
    principal_arn: str
    user_id: str
    kind: str  # "session-token" | "federated-user" | "assumed-role" | "web-identity"
    issued_at: float
    expires_at: float
    role_arn: str | None = None
    session_policies: tuple[str, ...] = ()
    session_tags: tuple[tuple[str, str], ...] = ()
    source_identity: str | None = None
    user_name: str | None = None
    source_arn: str | None = None  # who asked for the session (caller's ARN)
    transitive_tag_keys: tuple[str, ...] = ()  # session tags that pass on to chained sessions

    def transitive_tags(self) -> list[tuple[str, str]]:
        """The session tags a role assumed with these credentials inherits."""
        keys = {key.lower() for key in self.transitive_tag_keys}
        return [(k, v) for k, v in self.session_tags if k.lower() in keys]

    def credentials(self) -> dict:
        """The ``Credentials`` member of STS responses."""
        return {
            "AccessKeyId": self.access_key,
            "SecretAccessKey": self.secret_key,
            "SessionToken": self.session_token,
            "Expiration": self.expires_at,
        }


class SessionStore:
    """Issues sessions and keeps the table and the credential registry in step."""

    def __init__(self, provider):
        self.provider = provider

    @property
    def _db(self):
        return self.provider.db

    @property
    def _registry(self):
        return self.provider.cloud.credentials

    def issue(
        self,
        *,
        account: str,
        principal_arn: str,
        user_id: str,
        kind: str,
        duration_seconds: int,
        role_arn: str | None = None,
        session_policies: tuple[str, ...] = (),
        session_tags: tuple[tuple[str, str], ...] = (),
        source_identity: str | None = None,
        user_name: str | None = None,
        source_arn: str | None = None,
        transitive_tag_keys: tuple[str, ...] = (),
    ) -> Session:
        """New credentials for ``principal_arn``, valid ``duration_seconds`` from now (cloud clock)."""
        now = self.provider.clock.now()
        session = Session(
            keys.access_key_id(account, "ASIA"),
            keys.secret_access_key(),
            keys.session_token(),
            account,
            principal_arn,
            user_id,
            kind,
            now,
            # AWS reports expirations in whole seconds.
            float(int(now) + int(duration_seconds)),
            role_arn,
            tuple(session_policies),
            tuple((str(k), str(v)) for k, v in session_tags),
            source_identity,
            user_name,
            source_arn,
            tuple(transitive_tag_keys),
        )
        self._purge(now)
        self._db.execute(
            f"INSERT INTO sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.access_key,
                session.secret_key,
                session.session_token,
                session.account,
                session.principal_arn,
                session.user_id,
                session.kind,
                session.issued_at,
                session.expires_at,
                session.role_arn,
                json.dumps(list(session.session_policies)),
                json.dumps([list(tag) for tag in session.session_tags]),
                session.source_identity,
                session.user_name,
                session.source_arn,
                json.dumps(list(session.transitive_tag_keys)),
            ),
        )
        self._register(session)
        return session

    def get(self, access_key: str) -> Session | None:
        row = self._db.query_one(f"SELECT {_COLUMNS} FROM sessions WHERE access_key = ?", (access_key,))
        return _session(row) if row is not None else None

    def restore(self) -> int:
        """Register every kept session again (at start); returns how many."""
        self._purge(self.provider.clock.now())
        rows = self._db.query(f"SELECT {_COLUMNS} FROM sessions")
        for row in rows:
            self._register(_session(row))
        return len(rows)

    def forget_all(self) -> None:
        """Unregister every session (reset: the storage layer wipes the table)."""
        for (access_key,) in self._db.query("SELECT access_key FROM sessions"):
            self._registry.unregister(access_key)

    def _purge(self, now: float) -> None:
        cutoff = now - EXPIRED_RETENTION_SECONDS
        stale = self._db.query("SELECT access_key FROM sessions WHERE expires_at < ?", (cutoff,))
        if not stale:
            return
        self._db.execute("DELETE FROM sessions WHERE expires_at < ?", (cutoff,))
        for (access_key,) in stale:
            self._registry.unregister(access_key)

    def _register(self, session: Session) -> None:
        self._registry.register(
            session.access_key,
            session.secret_key,
            session.account,
            session.principal_arn,
            session.user_id,
            session_token=session.session_token,
            expires_at=session.expires_at,
            role_arn=session.role_arn,
            session_policies=session.session_policies,
            session_tags=session.session_tags,
            source_identity=session.source_identity,
            user_name=session.user_name,
        )


def _session(row: tuple) -> Session:
    values = list(row)
    values[10] = tuple(json.loads(values[10] or "[]"))
    values[11] = tuple((k, v) for k, v in json.loads(values[11] or "[]"))
    values[15] = tuple(json.loads(values[15] or "[]"))
    return Session(*values)
