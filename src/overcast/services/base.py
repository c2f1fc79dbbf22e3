"""The base of every service provider.

An operation is a method named after the AWS operation in snake_case
(``GetCallerIdentity`` -> ``get_caller_identity(ctx, params) -> dict``), sync or async. It
raises ``AwsError`` for anything the client must be told, and reads the time only from
``self.clock``.
"""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority


class Provider(ResourceAuthority):
    """State and operations of one AWS service.

    Its side of strict-mode authorization (resource policies, tags, grants, the ARNs its
    parameters name) is ``ResourceAuthority``'s hooks: a service overrides those it has
    something to say in, in an ``authority.py`` of its own."""

    service_name: str = ""
    # SQL statements creating/upgrading this service's schema, applied in order, once each.
    migrations: tuple[str, ...] = ()

    def __init__(self, cloud):
        # ``cloud``: the ``overcast.cloud.Cloud`` (clock, storage, scheduler, settings, services)
        self.cloud = cloud
        self.clock = cloud.clock
        self._db = None

    @property
    def db(self):
        """This service's own database (opened on first use, migrated to the latest schema)."""
        if self._db is None:
            self._db = self.cloud.storage.database(self.service_name, self.migrations)
        return self._db

    def validate_request(self, ctx, params: dict) -> None:
        """Checks of the request's own parameters that AWS makes before authorization (strict
        mode calls it before the authorizer; the operation itself still validates in open
        mode). Raise the service's error; the default checks nothing."""

    def unimplemented(self, ctx, params: dict) -> None:
        """Called before an operation this provider has no method for answers 501
        (NotImplemented): a provider may raise the more specific error AWS would answer
        first (S3: NoSuchBucket for a missing bucket)."""

    async def start(self) -> None:
        """Called once when the cloud starts (restore timers, resume work)."""

    async def stop(self) -> None:
        """Called once when the cloud stops."""

    def drain(self) -> None:
        """Called when the server begins to shut down, before requests in flight get their
        grace: end what waits for no end of its own (long polls answer now)."""

    def reset(self) -> None:
        """Forget all state (``POST /_overcast/reset``); the storage layer wipes the files."""
