"""`regdsl render`: the book as a person reads it, in HTML, Markdown or plain text.

One walk over the book (`Walker`) drives three writers.  The walk follows
`book.outline`: the header and its amendment history, then sections, parts
and articles in the order of the regulation, then the Supplementary
Provisions.  Every provision carries its eId as an anchor; the rules,
declarations and conditions of a provision are shown under its text as the
exact `.reg` source they were written in; cross-references in the
regulation's words ("Article 20, Paragraph 2", "the preceding paragraph",
"Items 1 and 2 of the preceding article") and in rules (`refers to`,
`NAME of REF`, `notwithstanding REF`, ...) become links to their targets.

The modules: `views` (the pieces a writer prints), `links` (cross-references),
`walk` (the walk and the `Writer` interface), `html`, `markdown`, `text`.
"""

from __future__ import annotations

from typing import Any

from ...errors import UsageError
from .html import HtmlWriter
from .links import PHRASE, Linker, phrase_ref
from .markdown import MarkdownWriter
from .text import TextWriter
from .walk import Walker

__all__ = ["PHRASE", "Linker", "phrase_ref", "render"]


WRITERS = {"html": HtmlWriter, "markdown": MarkdownWriter, "text": TextWriter}


# ------------------------------------------------------------------ rendering


def render(book: Any, fmt: str = "html") -> str:
    """The book (a Book from `regdsl.load`, or its BookModel) in `html`, `markdown` or `text`."""
    model = getattr(book, "model", book)
    writer = WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"unknown format `{fmt}`; use html, markdown or text", code="E701")
    return Walker(model).run(writer())

