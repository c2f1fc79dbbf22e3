"""What one service's flavour of the event-ruler language decides for the shared engine."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
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


@dataclass(frozen=True)
class Dialect:
    # How a number of a pattern or of a document is made comparable.
    comparable: Callable[[Decimal], Decimal] = exact
    # SNS's attribute scope: a null in the pattern also matches an absent attribute.
    null_matches_absent: bool = False
    # Whether the wildcard operator exists (EventBridge has it, SNS does not).
    wildcard: bool = False
