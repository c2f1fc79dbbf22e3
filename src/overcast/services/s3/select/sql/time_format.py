"""TO_STRING's format patterns (AWS's table: y yy yyyy M MM MMM MMMM MMMMM d dd a h hh H HH m
mm s ss S.. n X.. x.., text in single quotes taken literally)."""

from __future__ import annotations

from datetime import datetime, timedelta

from .errors import SelectError

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


def _invalid_symbol() -> SelectError:
    return SelectError(
        "EvaluatorInvalidTimestampFormatPatternSymbol",
        "Time stamp format pattern contains an invalid symbol in the SQL expression.",
    )


def tokenize_pattern(pattern: str) -> list[tuple[str, str]]:
    """[("sym", "yyyy"), ("text", "-"), ...]; raises on unterminated quotes."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            end = pattern.find("'", i + 1)
            if end < 0:
                raise SelectError(
                    "EvaluatorUnterminatedTimestampFormatPatternToken",
                    "Time stamp format pattern contains unterminated token in the SQL expression.",
                )
            out.append(("text", pattern[i + 1 : end] if end > i + 1 else "'"))
            i = end + 1
        elif ch.isalpha():
            j = i
            while j < n and pattern[j] == ch:
                j += 1
            out.append(("sym", pattern[i:j]))
            i = j
        else:
            out.append(("text", ch))
            i += 1
    return out


def _offset(delta: timedelta | None, style: int, zulu: bool) -> str:
    minutes = int((delta or timedelta(0)).total_seconds() // 60)
    if minutes == 0 and zulu:
        return "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    if style == 1:
        return f"{sign}{hours:02d}" + (f"{rest:02d}" if rest else "")
    if style in (2, 4):
        return f"{sign}{hours:02d}{rest:02d}"
    return f"{sign}{hours:02d}:{rest:02d}"


def _symbol(sym: str, ts: datetime) -> str:
    letter, count = sym[0], len(sym)
    if letter == "y":
        if count == 2:
            return f"{ts.year % 100:02d}"
        return f"{ts.year:0{count}d}" if count > 1 else str(ts.year)
    if letter == "M":
        if count <= 2:
            return f"{ts.month:0{count}d}"
        name = _MONTHS[ts.month - 1]
        return {3: name[:3], 4: name, 5: name[0]}.get(count) or _bad()
    if letter in "dHms":
        value = {"d": ts.day, "H": ts.hour, "m": ts.minute, "s": ts.second}[letter]
        return f"{value:0{count}d}" if count <= 2 else _bad()
    if letter == "h":
        hour = ts.hour % 12 or 12
        return f"{hour:0{count}d}" if count <= 2 else _bad()
    if letter == "a" and count == 1:
        return "AM" if ts.hour < 12 else "PM"
    if letter == "S":
        nanos = f"{ts.microsecond:06d}000"
        return nanos[:count] if count <= 9 else _bad()
    if letter == "n" and count == 1:
        return str(ts.microsecond * 1000)
    if letter in "Xx" and count <= 5:
        return _offset(ts.utcoffset(), count, zulu=letter == "X")
    return _bad()


def _bad():
    raise _invalid_symbol()


def to_string(ts: datetime, pattern: str) -> str:
    return "".join(
        value if kind == "text" else _symbol(value, ts) for kind, value in tokenize_pattern(pattern)
    )
