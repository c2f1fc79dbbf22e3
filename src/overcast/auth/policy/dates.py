"""Date values as IAM reads them: ISO 8601 (date, date-time, with or without zone) or
epoch seconds."""

from __future__ import annotations

import re
from datetime import datetime, timezone

_ISO = re.compile(
    r"^(?P<y>-?\d{1,9})(?:-(?P<mo>\d{1,2})(?:-(?P<d>\d{1,2}))?)?"
    r"(?:[Tt](?P<h>\d{1,2})(?::(?P<mi>\d{1,2})(?::(?P<s>\d{1,2})(?:\.(?P<f>\d{1,9}))?)?)?"
    r"(?P<z>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$"
)


def parse_date(value) -> float | None:
    """Epoch seconds for an IAM date value, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    match = _ISO.match(text)
    if not match:
        return None
    try:
        year = int(match["y"])
        if not 1 <= year <= 9999:
            return None
        when = datetime(
            year, int(match["mo"] or 1), int(match["d"] or 1),
            int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0),
            int((match["f"] or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    zone = match["z"]
    offset = 0
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
    return when.timestamp() - offset
