"""`regdsl lsp`: the language server for .reg books, over stdio (pygls and lsprotocol).

Each open file belongs to a book (its directory).  A change is read again
after a short pause in typing (DEBOUNCE seconds), for the whole book and
the books it uses, with every open document's unsaved text in place of the
file on disk; diagnostics are then published for every file of the book.
Requests (definition, hover, ...) read the book again first if a document
changed since it was last read, so they never answer from stale positions.
"""

from __future__ import annotations

import asyncio
import os
import threading
from urllib.parse import unquote, urlparse

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from ...errors import RegdslError, split_lines
from .analysis import Analysis, analyse, book_of, diagnostics, fresh, suggestion_edit
from .complete import complete
from .hover import hover_text
from .index import Target
from .outline import outline

DEBOUNCE = 0.3  # seconds of quiet after a keystroke before the book is read again


def path_of(uri: str) -> str:
    """The file a `file:` URI names."""
    parsed = urlparse(uri)
    return os.path.abspath(unquote(parsed.path)) if parsed.scheme == "file" else uri


def uri_of(path: str) -> str:
    """The `file:` URI of a path (what is not a path, such as `untitled:...`, as it is)."""
    if not os.path.isabs(path) and urlparse(path).scheme not in ("", "file"):
        return path
    return from_fs_path(os.path.abspath(path)) or path


class RegdslServer(LanguageServer):
    """The server's state: the latest reading of each book and what was published for it."""

    def __init__(self) -> None:
        super().__init__("regdsl", "0.1.0", text_document_sync_kind=t.TextDocumentSyncKind.Incremental)
        self.analyses: dict[str, Analysis] = {}
        self.published: dict[str, set[str]] = {}  # book -> the files diagnostics were published for
        self.pending: dict[str, asyncio.Task] = {}
        self.lock = threading.Lock()

    # ---------------------------------------------------------------- reading books
    def open_versions(self) -> dict[str, int]:
        """The version of every open document, by URI."""
        return {uri: doc.version or 0 for uri, doc in self.workspace.text_documents.items()}

    def overlay(self) -> dict[str, str]:
        """The unsaved text of every open file, by its real path."""
        return {os.path.realpath(path_of(uri)): doc.source for uri, doc in self.workspace.text_documents.items()
                if uri.startswith("file:")}

    def analysis(self, uri: str) -> Analysis:
        """The book of `uri` as it is now, read again if an open document changed since."""
        versions = self.open_versions()
        if not uri.startswith("file:"):  # an untitled buffer belongs to no book
            return Analysis(uri, versions)
        book = book_of(path_of(uri))
        found = self.analyses.get(book)
        if found is not None and fresh(found, versions):
            return found
        with self.lock:
            found = analyse(book, self.overlay(), versions)
        self.analyses[book] = found
        if found.failure:
            self.window_log_message(t.LogMessageParams(t.MessageType.Error,
                                                       f"regdsl: the index of {book} failed: {found.failure}"))
        return found

    def publish(self, analysis: Analysis, uri: str) -> None:
        """Diagnostics for every file of the book (an empty list clears a file that is now clean)."""
        found = diagnostics(analysis)
        by_file = {file: ds for file, ds in found.items() if file is not None}
        loose = found.get(None, [])
        here = path_of(uri)
        if loose:
            by_file.setdefault(here, []).extend(loose)
        files = set(by_file)
        if analysis.loaded is not None:
            files.update(os.path.abspath(f) for f in analysis.loaded.sources)
        files.add(here)
        for old in self.published.get(analysis.path, set()) - files:
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri_of(old), []))
        for file in sorted(files):
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(  # the version that was read
                uri_of(file), by_file.get(file, []), version=analysis.versions.get(uri_of(file))))
        self.published[analysis.path] = files

    async def refresh(self, uri: str, delay: float) -> None:
        """Read the book of `uri` after `delay` seconds (cancelled by a newer change) and publish."""
        if delay:
            await asyncio.sleep(delay)
        loop = asyncio.get_running_loop()
        analysis = await loop.run_in_executor(None, self.analysis, uri)
        self.publish(analysis, uri)

    def schedule(self, uri: str, delay: float) -> None:
        """Refresh the book of `uri` after `delay` seconds, in place of a refresh still waiting."""
        book = book_of(path_of(uri)) if uri.startswith("file:") else uri
        previous = self.pending.get(book)
        if previous is not None and not previous.done():
            previous.cancel()
        self.pending[book] = asyncio.ensure_future(self.refresh(uri, delay))

    def target_at(self, uri: str, pos: t.Position) -> tuple[Analysis, Target | None]:
        """The book of `uri` as it is now, and the target of the name or reference at `pos`."""
        analysis = self.analysis(uri)
        if analysis.index is None:
            return analysis, None
        occ = analysis.index.at(path_of(uri), pos.line + 1, pos.character + 1)
        return analysis, occ.target if occ is not None else None


def _location(file: str, line: int, col: int, end_line: int, end_col: int) -> t.Location:
    return t.Location(uri_of(file), t.Range(t.Position(line - 1, col - 1), t.Position(end_line - 1, end_col - 1)))


def build_server() -> RegdslServer:
    """The server with every feature registered."""
    server = RegdslServer()

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: RegdslServer, params: t.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: RegdslServer, params: t.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: RegdslServer, params: t.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: RegdslServer, params: t.DidCloseTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)  # the file on disk counts again

    @server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: RegdslServer, params: t.DidChangeWatchedFilesParams) -> None:
        """A .reg file changed on disk (a checkout, another editor): the books it is read by again."""
        changed = {book_of(path_of(c.uri)) for c in params.changes if c.uri.startswith("file:")}
        for book, analysis in list(ls.analyses.items()):
            read = {os.path.dirname(os.path.abspath(f)) for f in (analysis.loaded.sources if analysis.loaded else ())}
            if book in changed or read & changed:
                uri = next((u for u in ls.workspace.text_documents if u.startswith("file:")
                            and book_of(path_of(u)) == book), None)
                if uri is not None:
                    ls.schedule(uri, 0)

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: RegdslServer, params: t.DefinitionParams) -> t.Location | None:
        _, target = ls.target_at(params.text_document.uri, params.position)
        if target is None:
            return None
        return _location(target.file, target.line, target.column, target.end_line, target.end_column)

    @server.feature(t.TEXT_DOCUMENT_REFERENCES)
    def references(ls: RegdslServer, params: t.ReferenceParams) -> list[t.Location] | None:
        analysis, target = ls.target_at(params.text_document.uri, params.position)
        if target is None or analysis.index is None:
            return None
        occs = analysis.index.references(target.key, params.context.include_declaration)
        return [_location(o.file, o.line, o.column, o.line, o.end_column) for o in occs]

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def hover(ls: RegdslServer, params: t.HoverParams) -> t.Hover | None:
        analysis, target = ls.target_at(params.text_document.uri, params.position)
        if target is None or analysis.index is None:
            return None
        occ = analysis.index.at(path_of(params.text_document.uri), params.position.line + 1,
                                params.position.character + 1)
        rng = None
        if occ is not None:
            rng = t.Range(t.Position(occ.line - 1, occ.column - 1), t.Position(occ.line - 1, occ.end_column - 1))
        return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, hover_text(analysis.index, target)), rng)

    @server.feature(t.TEXT_DOCUMENT_COMPLETION,
                    t.CompletionOptions(trigger_characters=[" "]))
    def completion(ls: RegdslServer, params: t.CompletionParams) -> t.CompletionList:
        uri = params.text_document.uri
        doc = ls.workspace.get_text_document(uri)
        lines = doc.lines
        line = lines[params.position.line].rstrip("\n") if params.position.line < len(lines) else ""
        # The last reading will do (names and numbers change little while typing); reading the
        # book again on every keystroke is what the pause before diagnostics avoids.
        analysis = ls.analyses.get(book_of(path_of(uri))) if uri.startswith("file:") else None
        if analysis is None or analysis.index is None:
            analysis = ls.analysis(uri)
        items = complete(analysis.index, path_of(uri), line, params.position.line + 1,
                         params.position.character + 1)
        return t.CompletionList(is_incomplete=False, items=items)

    @server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: RegdslServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
        from ...errors import SyntaxError_
        from ...syntax.nodes import Module
        from ...syntax.parser import parse
        from ...syntax.recover import parse_recovering

        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source
        module: Module | None
        try:
            module = parse(text, path_of(uri))
        except SyntaxError_ as e:  # the outline of what parses around the slip
            module = parse_recovering(text, path_of(uri), e).module
        except RegdslError:
            module = None
        return outline(module, split_lines(text)) if module is not None else []

    @server.feature(t.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls: RegdslServer, params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
        from ..fmt import format_text

        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source
        try:
            new = format_text(text, path_of(uri))
        except RegdslError as e:
            ls.window_show_message(t.ShowMessageParams(t.MessageType.Warning,
                                                       f"regdsl fmt: not formatted, the file has an error: "
                                                       f"{e.code}: {e.message}"))
            return None
        if new == text:
            return []
        lines = split_lines(text)
        end = t.Position(len(lines), 0)
        return [t.TextEdit(t.Range(t.Position(0, 0), end), new)]

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                    t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
    def code_action(ls: RegdslServer, params: t.CodeActionParams) -> list[t.CodeAction]:
        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source
        actions = []
        for d in params.context.diagnostics:
            suggestion = (d.data or {}).get("suggestion") if isinstance(d.data, dict) else None
            if not suggestion:
                continue
            edit = suggestion_edit(text, d.range, suggestion)
            if edit is None:
                continue
            actions.append(t.CodeAction(
                title=f"Replace with `{suggestion}`", kind=t.CodeActionKind.QuickFix, diagnostics=[d],
                is_preferred=True, edit=t.WorkspaceEdit(changes={uri: [edit]})))
        return actions

    return server


def serve() -> int:
    """Run the server over standard input and output until the client says exit."""
    build_server().start_io()
    return 0
