"""Facts about students: reading facts files (read.py) and checking them against a book (validate.py)."""

from .read import locate, parse_facts, read_facts, read_stdin
from .validate import DATE, bounds_text, convert, describe_input, validate

__all__ = ["DATE", "bounds_text", "convert", "describe_input", "locate", "parse_facts", "read_facts", "read_stdin", "validate"]
