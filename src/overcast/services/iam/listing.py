"""Marker/MaxItems pagination shared by the List* operations.

A marker is opaque to clients; ours is the sort key of the last item returned (hex-encoded), so
a page boundary stays right when entities are created or deleted between pages.
"""

from __future__ import annotations

from typing import Callable, Iterable, TypeVar

from overcast.services.iam.errors import invalid_input

T = TypeVar("T")

DEFAULT_MAX_ITEMS = 100  # IAM's default page size


def _encode(key: str) -> str:
    return key.encode("utf-8").hex()


def _decode(marker: str) -> str:
    try:
        return bytes.fromhex(marker).decode("utf-8")
    except ValueError:
        raise invalid_input("Invalid Marker.") from None


def paginate(items: Iterable[T], params: dict, key: Callable[[T], str], *, max_items: int | None = None,
             marker: str | None = None) -> tuple[list[T], dict]:
    """One page of ``items`` (sorted by ``key``) and the ``IsTruncated``/``Marker`` output members."""
    ordered = sorted(items, key=key)
    marker = marker if marker is not None else params.get("Marker")
    if marker:
        after = _decode(marker)
        ordered = [item for item in ordered if key(item) > after]
    limit = max_items or params.get("MaxItems") or DEFAULT_MAX_ITEMS
    page = ordered[:limit]
    if len(ordered) > limit:
        return page, {"IsTruncated": True, "Marker": _encode(key(page[-1]))}
    return page, {"IsTruncated": False}


def path_filter(params: dict, member: str = "PathPrefix") -> Callable[[str], bool]:
    """``PathPrefix``: only entities whose path starts with it (all when absent)."""
    prefix = params.get(member) or "/"
    return lambda path: path.startswith(prefix)
