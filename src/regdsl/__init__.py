"""regdsl: university regulations as code.

    >>> import regdsl
    >>> book = regdsl.load("regulations/university")
    >>> result = book.evaluate({"years_enrolled": 9, ...}, as_of="2026-04-01")
    >>> result["must_be_expelled"].status
"""

from .api import Book, load
from .errors import (
    BookErrors, CheckError, EvaluationError, FactsError, RegdslError, Span, SyntaxError_, UsageError,
)
from .results.outcome import Citation, Explanation, Outcome, Result, Version

__version__ = "0.1.0"

__all__ = [
    "Book", "BookErrors", "CheckError", "Citation", "EvaluationError", "Explanation", "FactsError",
    "Outcome", "RegdslError", "Result", "Span", "SyntaxError_", "UsageError", "Version", "load",
]
