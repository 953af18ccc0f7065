"""The checker: a book model in, its IR (`IRBook`) and every finding out."""

from .lower import lower

__all__ = ["lower"]
