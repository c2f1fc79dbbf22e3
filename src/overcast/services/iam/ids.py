"""IAM's unique ids, access keys and ARNs.

Unique ids are 21 characters: a 4-letter prefix naming the kind (``AIDA`` user, ``AGPA`` group,
``AROA`` role, ``ANPA`` managed policy, ``AIPA`` instance profile) and 17 upper-case letters and
digits. Access key ids are ``AKIA`` + 16 (20 characters), secrets 40 characters of base64's alphabet.
"""

from __future__ import annotations

import secrets
import string
from urllib.parse import quote

_ID_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"

USER, GROUP, ROLE, POLICY, PROFILE = "AIDA", "AGPA", "AROA", "ANPA", "AIPA"


def unique_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def access_key_id() -> str:
    return "AKIA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def arn(account: str, kind: str, path: str, name: str) -> str:
    """``arn:aws:iam::<account>:<kind><path><name>`` (kind: user, group, role, policy, instance-profile)."""
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def parse_arn(text: str) -> tuple[str, str, str, str] | None:
    """``arn:aws:iam::123:role/a/b/name`` -> (account, kind, path, name); None if not an IAM ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam":
        return None
    account, resource = parts[4], parts[5]
    kind, slash, rest = resource.partition("/")
    if not slash or not rest:
        return None
    path, _, name = ("/" + rest).rpartition("/")
    return account, kind, path + "/", name


def encode_document(document: str) -> str:
    """Policy documents come back URL-encoded, as IAM returns them (SDKs decode them)."""
    return quote(document, safe="")
