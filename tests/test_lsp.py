"""`regdsl lsp` end to end: the server runs as a subprocess and is spoken to in JSON-RPC over its stdio.

The client is pytest-lsp's (built on pygls's own LanguageClient).  The books are copies of
regulations/university and regulations/graduate, so a test may introduce a slip.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import REGULATIONS

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lsp")
    for name in ("university", "graduate"):
        shutil.copytree(REGULATIONS / name, root / name, ignore=shutil.ignore_patterns("tests"))
    return root


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "regdsl", "lsp"]))
async def client(lsp_client: LanguageClient, books: Path):
    # Remember the document version each publication of diagnostics is for.
    lsp_client.diagnostics_versions = {}
    features = lsp_client.protocol.fm.features
    original = features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def recording(params: t.PublishDiagnosticsParams) -> None:
        lsp_client.diagnostics_versions[params.uri] = params.version
        original(params)

    features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = recording
    await lsp_client.initialize_session(t.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"), root_uri=books.as_uri()))
    yield
    await lsp_client.shutdown_session()


def uri(books: Path, name: str) -> str:
    return (books / name).as_uri()


async def diagnostics_of(client: LanguageClient, doc: str, version: int | None = None) -> list[t.Diagnostic]:
    """The next diagnostics published for `doc` after `forget`, for `version` of it when given
    (a minute at most: a hung server fails)."""
    def ready() -> bool:
        return doc in client.diagnostics and (version is None or client.diagnostics_versions.get(doc) == version)

    async def wait() -> list[t.Diagnostic]:
        while not ready():
            await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return list(client.diagnostics[doc])
    return await asyncio.wait_for(wait(), 60)


async def diagnostics_until(client: LanguageClient, doc: str, done) -> list[t.Diagnostic]:
    """The diagnostics of `doc` once they satisfy `done` (a minute at most)."""
    async def wait() -> list[t.Diagnostic]:
        while doc not in client.diagnostics or not done(list(client.diagnostics[doc])):
            await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return list(client.diagnostics[doc])
    return await asyncio.wait_for(wait(), 60)


def forget(client: LanguageClient, *docs: str) -> None:
    for doc in docs:
        client.diagnostics.pop(doc, None)


def line_of(books: Path, name: str, text: str) -> int:
    """The 0-based line of `name` that holds `text`."""
    lines = (books / name).read_text().split("\n")
    return next(i for i, line in enumerate(lines) if text in line)


def open_doc(client: LanguageClient, books: Path, name: str) -> str:
    doc = uri(books, name)
    forget(client, doc)
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(doc, "regdsl", 1, (books / name).read_text())))
    return doc


LEAVE = "university/26-part6-leave.reg"
LENGTH = "university/22-part2-program-length.reg"


async def test_open_then_slip_then_fix(client: LanguageClient, books: Path):
    doc = open_doc(client, books, LEAVE)
    assert await diagnostics_of(client, doc, 1) == []
    text = (books / LEAVE).read_text()
    line = line_of(books, LEAVE, "years_counted_toward_limit = years_enrolled - total_leave")
    column = text.split("\n")[line].index("total_leave")
    forget(client, doc)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=doc, version=2),
        [t.TextDocumentContentChangePartial(
            t.Range(t.Position(line, column), t.Position(line, column + len("total_leave"))), "total_leeve")]))
    found = await diagnostics_of(client, doc, 2)
    assert [(d.code, d.message.split("\n")[0], d.range.start.line) for d in found] == [
        ("E301", "unknown name `total_leeve`", line)]
    assert "did you mean `total_leave`?" in found[0].message

    # The quick fix puts the name it suggests in place of the misspelt one.
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        t.TextDocumentIdentifier(doc), found[0].range, t.CodeActionContext(found)))
    assert actions and actions[0].title == "Replace with `total_leave`"
    (edit,) = actions[0].edit.changes[doc]
    assert edit.new_text == "total_leave"
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.character) == (
        line, column, column + len("total_leeve"))

    # Put it right: the diagnostic goes.
    forget(client, doc)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=doc, version=3), [t.TextDocumentContentChangeWholeDocument(text)]))
    assert await diagnostics_of(client, doc, 3) == []


async def test_a_slip_in_one_file_is_reported_in_another(client: LanguageClient, books: Path):
    """Diagnostics are for the whole book, with the unsaved text of the open file."""
    doc = open_doc(client, books, LENGTH)
    await diagnostics_of(client, doc)
    leave = open_doc(client, books, LEAVE)
    await diagnostics_of(client, leave, 1)
    text = (books / LEAVE).read_text()
    forget(client, doc, leave)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=leave, version=4),
        [t.TextDocumentContentChangeWholeDocument(text.replace("define years_counted_toward_limit",
                                                                "define years_counted_towards_limit"))]))
    assert {d.code for d in await diagnostics_of(client, leave, 4)} == {"E301", "E307"}
    found = client.diagnostics[doc]  # published with those of version 4, just before them (in file order)
    assert {d.code for d in found} == {"E301"}
    assert all("unknown name `years_counted_toward_limit`" in d.message for d in found)
    forget(client, doc, leave)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=leave, version=5), [t.TextDocumentContentChangeWholeDocument(text)]))
    assert await diagnostics_of(client, leave, 5) == []
    assert list(client.diagnostics[doc]) == []


async def definition(client: LanguageClient, doc: str, line: int, character: int) -> t.Location:
    found = await client.text_document_definition_async(t.DefinitionParams(
        t.TextDocumentIdentifier(doc), t.Position(line, character)))
    assert isinstance(found, t.Location), found
    return found


@pytest.mark.parametrize("text, word, file, lands_on", [
    # a fact, used in a rule, to its declaration
    ("years_counted_toward_limit = years_enrolled - total_leave", "total_leave", LEAVE,
     "fact total_leave : months"),
    # a relative reference to the article it means
    ("2 * program_length of items 1 and 2 of the preceding article", "preceding", LENGTH,
     'article 14 "Degree Program Length"'),
    # the items of that article
    ("2 * program_length of items 1 and 2 of the preceding article", "items 1", LENGTH,
     "  item 1"),
    # a qualified name to its declaration
    ("2 * program_length of items 1 and 2 of the preceding article", "program_length", LENGTH,
     "outcome program_length"),
    # a paragraph of another file
    ("overrides article 38 paragraph 3", "paragraph 3", "university/28-part8-awards-punishments.reg",
     "  paragraph 3"),
])
async def test_definition(client: LanguageClient, books: Path, text: str, word: str, file: str, lands_on: str):
    doc = open_doc(client, books, file)
    line = line_of(books, file, text)
    character = (books / file).read_text().split("\n")[line].index(word) + 1
    found = await definition(client, doc, line, character)
    target = Path(found.uri.removeprefix("file://"))
    target_line = target.read_text().split("\n")[found.range.start.line]
    assert target_line.startswith(lands_on) or lands_on in target_line, target_line
    if lands_on == "  paragraph 3":
        assert target.name == "26-part6-leave.reg"
        assert "article 38" in target.read_text().split("\n")[line_of(books, LEAVE, 'article 38 "Period')]


async def test_definition_in_another_book(client: LanguageClient, books: Path):
    """In `reading article 14 as article 8`, article 14 is the University Regulations' own."""
    file = "graduate/12-section12-miscellaneous.reg"
    doc = open_doc(client, books, file)
    line = line_of(books, file, "reading article 14 as article 8")
    text = (books / file).read_text().split("\n")[line]
    found = await definition(client, doc, line, text.index("14"))
    assert found.uri == uri(books, LENGTH)
    assert (books / LENGTH).read_text().split("\n")[found.range.start.line].startswith("article 14 ")
    found = await definition(client, doc, line, text.index("8"))
    assert found.uri.startswith(uri(books, "graduate/"))


async def test_references_of_a_fact(client: LanguageClient, books: Path):
    doc = open_doc(client, books, LEAVE)
    line = line_of(books, LEAVE, "fact total_leave : months")
    found = await client.text_document_references_async(t.ReferenceParams(
        text_document=t.TextDocumentIdentifier(doc), position=t.Position(line, 10),
        context=t.ReferenceContext(include_declaration=False)))
    assert found
    used = {(Path(loc.uri).name, loc.range.start.line) for loc in found}
    assert ("26-part6-leave.reg", line_of(books, LEAVE, "years_counted_toward_limit = years_enrolled")) in used
    assert all((books / "university" / name).read_text().split("\n")[no].count("total_leave") for name, no in used)


async def test_hover(client: LanguageClient, books: Path):
    doc = open_doc(client, books, LENGTH)
    line = line_of(books, LENGTH, "2 * program_length of items 1 and 2 of the preceding article")
    text = (books / LENGTH).read_text().split("\n")[line]
    found = await client.text_document_hover_async(t.HoverParams(
        t.TextDocumentIdentifier(doc), t.Position(line, text.index("preceding"))))
    assert found.contents.value.startswith("**Article 14** — Degree Program Length (University Regulations)")
    assert "The length of the Faculty's degree programs shall be four years." in found.contents.value

    leave = open_doc(client, books, LEAVE)
    line = line_of(books, LEAVE, "years_counted_toward_limit = years_enrolled - total_leave")
    text = (books / LEAVE).read_text().split("\n")[line]
    found = await client.text_document_hover_async(t.HoverParams(
        t.TextDocumentIdentifier(leave), t.Position(line, text.index("total_leave") + 2)))
    value = found.contents.value
    assert value.startswith("**fact `total_leave`**")
    assert "type: a quantity · unit: months" in value
    assert "All leave of absence the student has taken, in total (0 months if none)." in value
    assert "declared in Article 38, Paragraph 2" in value


async def test_completion(client: LanguageClient, books: Path):
    doc = open_doc(client, books, LEAVE)
    line = line_of(books, LEAVE, "years_counted_toward_limit = years_enrolled - total_leave")
    found = await client.text_document_completion_async(t.CompletionParams(
        t.TextDocumentIdentifier(doc), t.Position(line, 4)))
    labels = {i.label: i for i in found.items}
    assert labels["total_leave"].kind == t.CompletionItemKind.Variable
    assert labels["may_take_leave"].kind == t.CompletionItemKind.Property
    assert "the preceding article" in labels and "notwithstanding" in labels
    # after `article `: the numbers of the book's articles, with their titles
    text = (books / LEAVE).read_text().split("\n")[line_of(books, LEAVE, "refers to article 14, article 15")]
    found = await client.text_document_completion_async(t.CompletionParams(
        t.TextDocumentIdentifier(doc), t.Position(line_of(books, LEAVE, "refers to article 14"),
                                                  text.index("article 14") + len("article "))))
    numbers = {i.label: i.detail for i in found.items}
    assert numbers["14"] == "Degree Program Length" and numbers["38"] == "Period of Leave"


async def test_outline(client: LanguageClient, books: Path):
    doc = open_doc(client, books, LEAVE)
    found = await client.text_document_document_symbol_async(t.DocumentSymbolParams(t.TextDocumentIdentifier(doc)))
    (part,) = found
    assert part.name == "Part 6" and part.detail.startswith("Taking Leave")
    articles = [s for s in part.children if s.kind == t.SymbolKind.Class]
    assert articles[0].name == "Article 37" and articles[1].name == "Article 38"
    paragraphs = [s.name for s in articles[1].children if s.kind == t.SymbolKind.Method]
    assert paragraphs == ["Paragraph 2", "Paragraph 3"]
    assert "total_leave" in [s.name for p in articles[1].children for s in p.children]


async def test_formatting(client: LanguageClient, books: Path):
    name = "university/10-section1-general.reg"
    doc = uri(books, name)
    text = (books / name).read_text()
    messy = text.replace("\narticle 1 ", "\n\n\n\narticle 1 ", 1)
    assert messy != text
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(doc, "regdsl", 1, messy)))
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        t.TextDocumentIdentifier(doc), t.FormattingOptions(tab_size=2, insert_spaces=True)))
    (edit,) = edits
    assert edit.range.start == t.Position(0, 0)
    assert edit.new_text == text


async def test_definition_of_another_books_provision_in_unsaved_text(client: LanguageClient, books: Path):
    """`article 14 of university_regulations`, typed and not saved, leads into the other book."""
    name = "graduate/02-section2-organization.reg"
    doc = open_doc(client, books, name)
    await diagnostics_of(client, doc)
    text = (books / name).read_text().replace("  refers to article 8\n",
                                              "  refers to article 8, article 14 of university_regulations\n", 1)
    forget(client, doc)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=doc, version=2), [t.TextDocumentContentChangeWholeDocument(text)]))
    assert await diagnostics_of(client, doc, 2) == []
    line = next(i for i, s in enumerate(text.split("\n")) if "of university_regulations" in s)
    written = text.split("\n")[line]
    found = await definition(client, doc, line, written.index("14"))
    assert found.uri == uri(books, LENGTH)
    assert (books / LENGTH).read_text().split("\n")[found.range.start.line].startswith("article 14 ")
    found = await definition(client, doc, line, written.index("university_regulations") + 3)
    assert found.uri == uri(books, "university/00-book.reg")


async def test_definition_and_hover_of_a_body(client: LanguageClient, books: Path):
    doc = open_doc(client, books, LEAVE)
    line = line_of(books, LEAVE, "decision leave_approved by President")
    column = (books / LEAVE).read_text().split("\n")[line].index("President") + 1
    found = await definition(client, doc, line, column)
    assert found.uri == uri(books, "university/00-book.reg")
    assert "body President" in (books / "university/00-book.reg").read_text().split("\n")[found.range.start.line]
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(doc), t.Position(line, column)))
    assert hover.contents.value.startswith("**body `President`**")


async def test_an_untitled_buffer_belongs_to_no_book(client: LanguageClient):
    doc = "untitled:Untitled-1"
    forget(client, doc)
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(doc, "regdsl", 1, 'article 1 "A"\n  | x\n')))
    assert await diagnostics_of(client, doc) == []
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(t.TextDocumentIdentifier(doc)))
    assert [s.name for s in symbols] == ["Article 1"]


async def test_a_misspelt_keyword_is_one_error_with_a_quick_fix(client: LanguageClient, books: Path):
    doc = open_doc(client, books, LEAVE)
    await diagnostics_of(client, doc)
    text = (books / LEAVE).read_text()
    slipped = text.replace("\n  paragraph 3\n", "\n  paragrph 3\n", 1)
    forget(client, doc)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=doc, version=7), [t.TextDocumentContentChangeWholeDocument(slipped)]))
    found = await diagnostics_of(client, doc, 7)
    line = line_of(books, LEAVE, "  paragraph 3")
    assert [(d.code, d.severity, d.range.start.line) for d in found] == [
        ("E101", t.DiagnosticSeverity.Error, line), ("E101", t.DiagnosticSeverity.Information, line)]
    assert found[0].message == "unexpected `paragrph`: it is not a keyword\nhint: did you mean `paragraph`?"
    assert found[1].message.endswith("further findings left out: they follow from this error")
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        t.TextDocumentIdentifier(doc), found[0].range, t.CodeActionContext(found[:1])))
    (edit,) = actions[0].edit.changes[doc]
    assert (edit.new_text, edit.range.start.character, edit.range.end.character) == ("paragraph", 2, 10)
    forget(client, doc)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=doc, version=8), [t.TextDocumentContentChangeWholeDocument(text)]))
    assert await diagnostics_of(client, doc, 8) == []


async def test_outline_of_a_file_with_a_slip(client: LanguageClient, books: Path):
    """The articles around a syntax error are still in the outline."""
    name = "university/23-part3-academic-year.reg"
    doc = uri(books, name)
    text = (books / name).read_text().replace("\narticle 18 ", "\nartcle 18 ", 1)
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(doc, "regdsl", 1, text)))
    found = await client.text_document_document_symbol_async(t.DocumentSymbolParams(t.TextDocumentIdentifier(doc)))
    names = [s.name for part in found for s in part.children]
    assert names == ["Article 16", "Article 17", "Article 18.2"]



async def test_a_file_changed_on_disk_is_read_again(client: LanguageClient, books: Path):
    """A file no editor holds open changes on disk (a checkout): the book is read again."""
    doc = open_doc(client, books, LEAVE)
    await diagnostics_of(client, doc, 1)
    name = "university/27-part7-graduation.reg"  # a file no test opens
    other = uri(books, name)
    text = (books / name).read_text()
    forget(client, other)
    (books / name).write_text(text.replace("years_counted_toward_program", "years_counted_toward_progrm", 1))
    try:
        client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(
            [t.FileEvent(other, t.FileChangeType.Changed)]))
        # (a publication of the whole book from before may come first: a file not open has no version)
        found = await diagnostics_until(client, other, lambda ds: bool(ds))
        assert [d.code for d in found] == ["E301"] and "`years_counted_toward_progrm`" in found[0].message
    finally:
        (books / name).write_text(text)
    client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams([t.FileEvent(other, t.FileChangeType.Changed)]))
    assert await diagnostics_until(client, other, lambda ds: not ds) == []
