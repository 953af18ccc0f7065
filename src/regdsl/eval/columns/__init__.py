"""The column evaluator: a whole student body at once, as Arrow columns in and out.

Needs the `batch` extra (numpy, pyarrow): `pip install 'regdsl[batch]'`.
`Book.evaluate_table` is the entry point; see docs/batch.md.
"""

from .table import evaluate_table, keep

__all__ = ["evaluate_table", "keep"]
