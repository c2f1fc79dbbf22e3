"""What one service's flavour of the event-ruler language decides for the shared engine."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Callable


def exact(number: Decimal) -> Decimal:
    """Numbers compared by their whole value."""
    return number


def rounded_to(places: int) -> Callable[[Decimal], Decimal]:
    """Numbers compared after rounding to ``places`` decimal places (SNS uses five)."""
    accuracy = Decimal(1).scaleb(-places)

    def comparable(number: Decimal) -> Decimal:
        try:
            return number.quantize(accuracy, rounding=ROUND_HALF_EVEN)
        except InvalidOperation:  # too large to hold the decimals: compare as it is
            return number

    return comparable


def bounded(limit: Decimal, places: int) -> Callable[[Decimal], Decimal | None]:
    """Numbers within +-limit compared to ``places`` decimals (the rest cut off); None for the
    others, which only match as written."""
    accuracy = Decimal(1).scaleb(-places)

    def comparable(number: Decimal) -> Decimal | None:
        if not number.is_finite() or abs(number) > limit:
            return None
        return number.quantize(accuracy, rounding=ROUND_DOWN)

    return comparable


@dataclass(frozen=True)
class Dialect:
    # How a number of a pattern or of a document is made comparable (None: it cannot be).
    comparable: Callable[[Decimal], Decimal | None] = exact
    # The text for a numeric or anything-but operand the dialect cannot compare.
    number_out_of_range: str = ""
    # SNS's attribute scope: a null in the pattern also matches an absent attribute.
    null_matches_absent: bool = False
    # Whether the wildcard operator exists (EventBridge has it, SNS does not), and with it
    # anything-but's wildcard.
    wildcard: bool = False
    # {"prefix": {"equals-ignore-case": ...}} and the suffix twin.
    affix_ignore_case: bool = False
    # anything-but's prefix, suffix and wildcard taking a list of strings.
    anything_but_lists: bool = False
