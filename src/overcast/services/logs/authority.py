"""Logs' side of the authorization interface (``overcast.auth.authorization.authority``)."""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority


class LogsAuthority(ResourceAuthority):
    pass
