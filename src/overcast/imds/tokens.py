"""IMDSv2 session tokens: ``PUT /latest/api/token`` hands one out for 1-21600 seconds."""

from __future__ import annotations

import base64
import secrets

# EC2: "X-aws-ec2-metadata-token-ttl-seconds ... a minimum of one second and a maximum of six hours".
MIN_TTL, MAX_TTL = 1, 21600
# Tokens kept at once (expired ones are dropped first); a client asks for one per session.
MAX_TOKENS = 10000


class TokenStore:
    """Live tokens and their expiry, on the cloud clock (moving the clock expires them)."""

    def __init__(self, clock):
        self.clock = clock
        self._expiry: dict[str, float] = {}

    def issue(self, ttl: int) -> str:
        now = self.clock.now()
        if len(self._expiry) >= MAX_TOKENS:
            self._expiry = {token: due for token, due in self._expiry.items() if due > now}
            while len(self._expiry) >= MAX_TOKENS:
                self._expiry.pop(next(iter(self._expiry)))
        token = base64.b64encode(b"\x01" + secrets.token_bytes(41)).decode()
        self._expiry[token] = now + ttl
        return token

    def remaining(self, token: str) -> int | None:
        """Whole seconds the token has left, or None when it is unknown or expired."""
        due = self._expiry.get(token)
        if due is None:
            return None
        left = due - self.clock.now()
        if left <= 0:
            del self._expiry[token]
            return None
        return max(1, int(left))

    def clear(self) -> None:
        self._expiry.clear()


def parse_ttl(raw: str | None) -> int | None:
    """The TTL header's seconds, or None when missing or out of EC2's range."""
    if raw is None or not raw.strip().isdigit():
        return None
    ttl = int(raw.strip())
    return ttl if MIN_TTL <= ttl <= MAX_TTL else None
