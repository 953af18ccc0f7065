"""`regdsl render --format html`: one self-contained page with its CSS."""

from __future__ import annotations

import bisect
import datetime as dt
import html

from ...model.provisions import BookModel
from .views import BodyView, Code, Entry, Link, TableView, deleted_title, joined, long_date
from .walk import Writer


# ---- HTML

CSS = """
:root { --text: #1f2328; --muted: #59636e; --rule: #d1d9e0; --accent: #0b5cad; --code-bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); background: #fff; overflow-wrap: break-word;
  font: 16px/1.55 Georgia, "Times New Roman", serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1, h2, h3, h4, h5, h6, summary, nav, table, .num, .note, dl { font-family: system-ui, -apple-system,
  "Segoe UI", Helvetica, Arial, sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 1rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.75rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.15rem; margin: 2rem 0 0.5rem; }
h4, h5, h6 { font-size: 1.02rem; margin: 1.6rem 0 0.4rem; }
a { color: var(--accent); }
a.xref { text-decoration: none; border-bottom: 1px dotted var(--accent); }
a.xref:hover { border-bottom-style: solid; }
p { margin: 0.35rem 0; }
.preamble { font-style: italic; color: var(--muted); }
dl.history { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 1rem 0; }
dl.history dt { font-weight: 600; }
dl.history dd { margin: 0; }
details > summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
.table-scroll { max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid var(--rule); padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: var(--code-bg); }
tr.total td { font-weight: 700; }
caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
.num { font-weight: 600; margin-right: 0.35rem; }
.note { color: var(--muted); font-size: 0.85rem; }
article.article, section.supplementary { margin: 0 0 1.2rem; }
article.deleted h1, article.deleted h2, article.deleted h3, article.deleted h4, article.deleted h5,
article.deleted h6 { color: var(--muted); font-weight: 500; }
.provision { margin: 0.2rem 0; }
.provision .provision { margin-left: 1.6rem; }
.row { display: block; }
.encoding { margin: 0.2rem 0 0.5rem; }
.encoding .highlight { border-left: 3px solid var(--rule); }
.highlight pre { margin: 0; padding: 0.45rem 0.7rem; font-size: 0.8rem; line-height: 1.4;
  white-space: pre-wrap; overflow-wrap: anywhere;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.highlight a { color: inherit; text-decoration: underline dotted; }
.body { margin: 0.6rem 0 0.9rem; padding-left: 0.8rem; border-left: 3px solid var(--rule); }
.body-name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.8rem;
  color: var(--muted); }
dl.relations { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.8rem; margin: 0.2rem 0; }
dl.relations dd { margin: 0; }
nav.contents ul { list-style: none; padding-left: 1rem; margin: 0.2rem 0; }
nav.contents > details > ul { padding-left: 0; }
@media (min-width: 64rem) {
  .row.with-rules { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.2rem;
    align-items: start; }
  .row.with-rules > .encoding { margin-top: 0; }
}
@media print { details.encoding { display: none; } }
""".strip()


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    # The default style leaves dates (Literal.Date) uncoloured: the colour of numbers (as in docs/css).
    return HtmlFormatter(style="default").get_style_defs(".highlight") + "\n.highlight .ld { color: #666666 }"


def _css_class(ttype) -> str:
    """The short CSS class Pygments' HtmlFormatter gives a token type."""
    from pygments.token import STANDARD_TYPES

    name = STANDARD_TYPES.get(ttype)
    suffix = ""
    while name is None:
        suffix = ttype[-1] + suffix
        ttype = ttype.parent
        name = STANDARD_TYPES.get(ttype)
    return name + suffix


def highlight_html(code: Code) -> str:
    """The source highlighted with RegdslLexer, in Pygments' HTML classes, references as links."""
    from pygments.token import Text, Whitespace

    from ..highlight import RegdslLexer

    src = code.source + "\n"
    cuts = sorted({0, len(src)} | {lk.start for lk in code.links} | {lk.end for lk in code.links})
    out: list[str] = []
    links = list(code.links)
    li = 0
    open_link: Link | None = None
    for index, ttype, value in RegdslLexer(stripnl=False).get_tokens_unprocessed(src):
        pos = index
        end = index + len(value)
        pieces = cuts[bisect.bisect_right(cuts, pos):bisect.bisect_left(cuts, end)]  # pos < c < end
        for a, b in zip([pos] + pieces, pieces + [end]):
            if open_link is not None and a >= open_link.end:
                out.append("</a>")
                open_link = None
            while open_link is None and li < len(links) and links[li].start <= a:
                if links[li].end > a:
                    lk = links[li]
                    out.append(f'<a href="{_attr(lk.href)}" title="{_attr(lk.title)}">')
                    open_link = lk
                li += 1
            piece = html.escape(src[a:b], quote=False)
            if ttype is Text or ttype in Whitespace:
                out.append(piece)
            else:
                out.append(f'<span class="{_css_class(ttype)}">{piece}</span>')
    if open_link is not None:
        out.append("</a>")
    body = "".join(out).rstrip("\n")
    return f'<div class="highlight"><pre>{body}</pre></div>'


def _attr(s: str) -> str:
    return html.escape(s, quote=True)


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


def _segments_html(segs) -> str:
    return joined(segs, lambda s: f'<a class="xref" href="{_attr(s.href or "")}" '
                                  f'title="{_attr(s.title or "")}">{_esc(s.text)}</a>', _esc)


def _id(ident: str | None) -> str:
    return f' id="{_attr(ident)}"' if ident else ""


class HtmlWriter(Writer):
    """One self-contained HTML page with its CSS."""

    def __init__(self):
        self.out: list[str] = []
        self.toc: list[tuple[int, str, str]] = []
        self.toc_at = 0

    def begin(self, book: BookModel) -> None:
        self.book = book
        title = book.title or book.name
        self.out += [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="regdsl render">',
            f"<title>{_esc(title)}</title>",
            "<style>",
            CSS,
            "/* Syntax highlighting (Pygments) */",
            _pygments_css(),
            "</style>",
            "</head>",
            "<body>",
            f'<main class="book"{_id("book_" + book.name if book.name else None)}>',
        ]

    def header(self, title, before, established, amendments, after, in_force) -> None:
        o = self.out
        o.append('<header class="book-header">')
        o.append(f"<h1>{_esc(title)}</h1>")
        for t in before:
            o.append(f'<p class="preamble">{_esc(t)}</p>')
        if established or in_force:
            o.append('<dl class="history">')
            if established:
                o.append(f'<dt>Established</dt><dd>{_time(established)}</dd>')
            if amendments:
                last_date, last_note = amendments[-1]
                latest = _time(last_date) + (f" ({_esc(last_note)})" if last_note else "")
                o.append(f"<dt>Amended</dt><dd>{len(amendments)} time{'s' if len(amendments) != 1 else ''}, "
                         f"most recently {latest}</dd>")
            if in_force:
                o.append(f"<dt>In force from</dt><dd>{_time(in_force)}</dd>")
            o.append("</dl>")
        if amendments:
            o.append('<details class="amendments">')
            o.append("<summary>Amendment history</summary>")
            o.append('<table class="amendments">')
            o.append("<thead><tr><th>Date</th><th>Regulation</th></tr></thead>")
            o.append("<tbody>")
            for d, note in amendments:
                o.append(f"<tr><td>{_time(d)}</td><td>{_esc(note)}</td></tr>")
            o.append("</tbody></table>")
            o.append("</details>")
        for t in after:
            o.append(f'<p class="preamble">{_esc(t)}</p>')
        o.append("</header>")
        self.toc_at = len(o)

    def declarations(self, bodies, tables, code) -> None:
        o = self.out
        o.append('<details class="declarations">')
        o.append("<summary>Bodies and declarations of the book</summary>")
        for b in bodies:
            self._body(b)
        for t in tables:
            self._table(t)
        if code is not None:
            o.append(f'<div class="encoding">{highlight_html(code)}</div>')
        o.append("</details>")

    def heading(self, level, ident, text, kind) -> None:
        h = min(level, 6)
        self.out.append(f'<h{h} class="{kind}"{_id(ident)}>{_esc(text)}</h{h}>')
        if ident:
            self.toc.append((0 if kind == "section" else 1, ident, text))

    def deleted(self, level, run) -> None:
        h = min(level, 6)
        first_id = run[0][0]
        self.out.append(f'<article class="article deleted"{_id(first_id)}>')
        self.out.append(f"<h{h}>{_esc(deleted_title([num for _, num in run]))}</h{h}>")
        for ident, _ in run[1:]:
            if ident:
                self.out.append(f'<span class="anchor"{_id(ident)}></span>')
        self.out.append("</article>")

    def article(self, level, ident, title, note, entries, kind="article") -> None:
        h = min(level, 6)
        tag = "section" if kind == "supplementary" else "article"
        self.out.append(f'<{tag} class="{kind}"{_id(ident)}>')
        self.out.append(f"<h{h}>{_esc(title)}</h{h}>")
        if kind == "supplementary" and ident:
            self.toc.append((0, ident, title))
        if note:
            self.out.append(f'<p class="note">{_esc(note)}</p>')
        self.entries(entries)
        self.out.append(f"</{tag}>")

    def entries(self, entries) -> None:
        for e in entries:
            self._entry(e)

    def _entry(self, e: Entry) -> None:
        o = self.out
        o.append(f'<div class="provision {e.kind}"{_id(e.id)}>')
        with_rules = " with-rules" if e.code is not None else ""
        o.append(f'<div class="row{with_rules}">')
        o.append('<div class="text">')
        if e.validity:
            o.append(f'<p class="note">{_esc(e.validity)}</p>')
        if not e.texts and e.label:
            o.append(f'<p><span class="num">{_esc(e.label)}</span></p>')
        for i, segs in enumerate(e.texts):
            num = f'<span class="num">{_esc(e.label)}</span> ' if e.label and i == 0 else ""
            o.append(f"<p>{num}{_segments_html(segs)}</p>")
        o.append("</div>")
        if e.code is not None:
            o.append('<details class="encoding" open>')
            o.append(f"<summary>regdsl \u2014 {_esc(e.code.file)}, line {e.code.line}</summary>")
            o.append(highlight_html(e.code))
            o.append("</details>")
        o.append("</div>")
        for t in e.tables:
            self._table(t)
        for b in e.bodies:
            self._body(b)
        for c in e.children:
            self._entry(c)
        o.append("</div>")

    def _table(self, t: TableView) -> None:
        o = self.out
        for text in t.texts:
            o.append(f"<p>{_esc(text)}</p>")
        o.append('<div class="table-scroll">')  # a table wider than the page scrolls in its box
        o.append(f'<table class="data"{_id(t.id)}>')
        caption = _esc(t.title) + (f' <span class="note">({_esc(t.note)})</span>' if t.note else "")
        o.append(f"<caption>{caption}</caption>")
        o.append("<thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in t.headers) + "</tr></thead>")
        o.append("<tbody>")
        for cells, total in t.rows:
            cls = ' class="total"' if total else ""
            o.append(f"<tr{cls}>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>")
        o.append("</tbody></table>")
        o.append("</div>")

    def _body(self, b: BodyView) -> None:
        o = self.out
        o.append(f'<div class="body"{_id(b.id)}>')
        o.append(f'<p><strong>{_esc(b.title)}</strong> <span class="body-name">{_esc(b.name)}</span></p>')
        for segs in b.texts:
            o.append(f"<p>{_segments_html(segs)}</p>")
        if b.relations:
            o.append('<dl class="relations">')
            for label, title, href in b.relations:
                target = f'<a href="{_attr(href)}">{_esc(title)}</a>' if href else _esc(title)
                o.append(f"<dt>{_esc(label)}</dt><dd>{target}</dd>")
            o.append("</dl>")
        for d in b.duties:
            self._entry(d)
        o.append("</div>")

    def end(self) -> str:
        if self.toc:
            nav = ['<nav class="contents">', "<details>", "<summary>Contents</summary>", "<ul>"]
            depth = 0
            for level, ident, text in self.toc:
                while depth < level:
                    nav.append("<li><ul>")
                    depth += 1
                while depth > level:
                    nav.append("</ul></li>")
                    depth -= 1
                nav.append(f'<li><a href="#{_attr(ident)}">{_esc(text)}</a></li>')
            while depth > 0:
                nav.append("</ul></li>")
                depth -= 1
            nav += ["</ul>", "</details>", "</nav>"]
            self.out[self.toc_at:self.toc_at] = nav
        self.out += ["</main>", "</body>", "</html>", ""]
        return "\n".join(self.out)


def _time(d: dt.date) -> str:
    return f'<time datetime="{d.isoformat()}">{long_date(d)}</time>'
