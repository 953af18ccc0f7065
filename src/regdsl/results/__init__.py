"""Results of an evaluation: typed outcomes, their provenance, and reports for people and programs."""

from .outcome import Citation, Explanation, Outcome, Result, Version

__all__ = ["Citation", "Explanation", "Outcome", "Result", "Version"]
