"""The errors a filter pattern can raise while it is compiled, with AWS's texts.

AWS answers a pattern it cannot read with InvalidParameterException. Its texts, as observed
from the service: "Invalid character(s) in term '<c>'" for a character a bare term may not hold,
"If a filter pattern starts with '{' it must end with '}'" (and the same with '[' and ']'),
and otherwise a generic text that depends on the operation: "Invalid filter pattern"
(FilterLogEvents, TestMetricFilter, StartLiveTail) or "Invalid metric filter pattern"
(PutMetricFilter). ``generic`` tells the caller which texts it may rephrase.
"""

from __future__ import annotations

GENERIC_MESSAGE = "Invalid filter pattern"


class FilterPatternError(ValueError):
    """A pattern AWS would refuse; ``str(e)`` is AWS's message text."""

    def __init__(self, message: str = GENERIC_MESSAGE):
        super().__init__(message)
        self.generic = message == GENERIC_MESSAGE

    def message_for_metric_filter(self) -> str:
        """The text PutMetricFilter gives for the same pattern."""
        return "Invalid metric filter pattern" if self.generic else str(self)


def invalid_character(text: str) -> FilterPatternError:
    return FilterPatternError(f"Invalid character(s) in term '{text}'")


def unterminated(opening: str, closing: str) -> FilterPatternError:
    return FilterPatternError(f"If a filter pattern starts with '{opening}' it must end with '{closing}'")
