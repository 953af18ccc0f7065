"""The `regdsl` command: eval, check, schema (and the authoring tools).

The only module that knows about the command line: the arguments
(`build_parser`), reading them, what each command prints on standard output
and standard error, and the exit codes.  The commands call the library
(`regdsl.api`, `regdsl.authoring`), which returns data and text; `main`
turns every error into a message and an exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Callable, NoReturn, Sequence

from .errors import HINT_FACTS, HINT_OUTCOMES, BookErrors, RegdslError, UsageError, did_you_mean, restate

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as E701 with exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Raise the message as E701 (argparse would print it and exit)."""
        m = re.match(r"argument COMMAND: invalid choice: '([^']*)'", message)
        if m:
            hint = did_you_mean(m.group(1), COMMANDS)
            raise UsageError(f"unknown command `{m.group(1)}`; the commands are {', '.join(COMMANDS)}",
                             code="E701", hint=hint)
        raise UsageError(f"{message} (see `{self.prog} --help`)", code="E701")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command and its arguments."""
    p = _Parser(prog="regdsl", description="University regulations as code.")
    p.add_argument("--version", action="version", version="regdsl 0.1.0")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    e = sub.add_parser("eval", help="evaluate a student's facts (or --students FILE) for a book")
    e.add_argument("book", help="a .reg file or a directory of them")
    e.add_argument("facts", nargs="?", help="a .json, .yaml or .toml facts file, or - for stdin")
    e.add_argument("--students", metavar="FILE",
                   help="a table of students, one per row: .csv, .jsonl or .parquet (- reads JSON lines "
                   "from stdin); writes one row of outcomes per student")
    e.add_argument("-o", "--output", metavar="FILE",
                   help="with --students: write the results here (.parquet, .csv or .jsonl; default: JSON "
                   "lines on standard output)")
    e.add_argument("--id", metavar="COLUMN", dest="id_column",
                   help="with --students: the column that identifies a student, carried to the results "
                   "(default: a column named id, if there is one)")
    e.add_argument("--as-of", metavar="YYYY-MM-DD", help="evaluate as of this date (default: today)")
    e.add_argument("--outcome", action="append", metavar="NAME", help="only this outcome (repeatable)")
    e.add_argument("--format", choices=["text", "json"], default="text")
    e.add_argument("--explain", action="store_true",
                   help="show the reasoning behind each answer (in JSON: include the explanation trees)")
    e.add_argument("--reason", action="store_true",
                   help="decide an answer the facts leave open when every value of the missing facts "
                   "gives the same one, and say which cases would decide the rest")

    c = sub.add_parser("check", help="check books for syntax, reference, type and numbering errors")
    c.add_argument("paths", nargs="+", metavar="PATH")

    t = sub.add_parser("test", help="run the case tables (*.test.yaml) written next to the books")
    t.add_argument("paths", nargs="+", metavar="PATH")
    t.add_argument("--coverage", action="store_true",
                   help="report the articles, paragraphs and items no case exercises")
    t.add_argument("--update", action="store_true",
                   help="rewrite the expectations of failing cases to the book's current answers")

    f = sub.add_parser("fmt", help="lay books out in the one canonical way")
    f.add_argument("paths", nargs="+", metavar="PATH")
    f.add_argument("--check", action="store_true", help="change nothing; exit 1 naming files that would change")
    f.add_argument("--diff", action="store_true", help="change nothing; print what would change")

    r = sub.add_parser("render", help="the book as a person reads it (HTML, Markdown or text)")
    r.add_argument("book")
    r.add_argument("--format", choices=["html", "text", "markdown"], default="html")
    r.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")

    i = sub.add_parser("init", help="start a new book: one article, one fact, one outcome, one test")
    i.add_argument("directory")
    i.add_argument("--name", default="my_regulations", help="the book's name (letters, digits, _)")
    i.add_argument("--title", default="My University Regulations", help="the book's title")

    d = sub.add_parser("diff", help="which outcomes an amendment changes: two versions of a book, same students")
    d.add_argument("old", help="the book before the amendment")
    d.add_argument("new", help="the book after the amendment")
    d.add_argument("students", nargs="+", metavar="STUDENTS",
                   help="facts files, directories of them, or case tables (*.test.yaml)")
    d.add_argument("--as-of", metavar="YYYY-MM-DD", help="evaluate as of this date (default: today)")
    d.add_argument("--format", choices=["text", "json"], default="text")
    d.add_argument("--limit", type=int, default=20, metavar="N",
                   help="list at most N students in the text report (default 20; 0 lists all)")

    w = sub.add_parser("show", help="print a provision of a book, e.g. `regdsl show BOOK \"article 15\"`")
    w.add_argument("book")
    w.add_argument("ref", help='a citation as regdsl prints it ("Article 20, Paragraph 2"), a reference as a '
                   'book writes it ("article 20 paragraph 2") or an eId (art_20__para_2)')

    v = sub.add_parser("serve", help="answer for books over HTTP (a JSON API, OpenAPI, a playground page)")
    v.add_argument("books", nargs="+", metavar="BOOK")
    v.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    v.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    v.add_argument("--max-body", type=_positive, default=10 * 1024 * 1024, metavar="BYTES",
                   help="the largest request body taken (default 10 MiB)")
    v.add_argument("--max-batch", type=_positive, default=10_000, metavar="N",
                   help="the most students taken in one request (default 10,000)")

    y = sub.add_parser("why-not", help="which given facts, changed by how much, would change an answer")
    y.add_argument("book", metavar="BOOK")
    y.add_argument("facts", metavar="FACTS", help="the student's facts (YAML or JSON; - for standard input)")
    y.add_argument("outcome", metavar="OUTCOME")
    y.add_argument("--value", metavar="V", help="the value wanted (yes/no, or a choice; default: another value)")
    y.add_argument("--as-of", metavar="YYYY-MM-DD", help="evaluate as of this date (default: today)")
    y.add_argument("--format", choices=["text", "json"], default="text")
    sub.add_parser("lsp", help="the language server for editors (LSP over stdio)")

    s = sub.add_parser("schema", help="list the facts a book needs and the outcomes it gives")
    s.add_argument("book")
    s.add_argument("--format", choices=["text", "json", "json-schema"], default="text",
                   help="json-schema: a JSON Schema (draft 2020-12) of the facts, with the result document's in $defs")
    return p


def _positive(text: str) -> int:
    """A whole number of at least 1 (an argparse type)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (never raises to the user).

    With `--format json` (or `json-schema`), errors are one JSON document on
    standard error, `{"errors": [...]}`, with the same exit codes.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = _json_requested(argv)
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            if as_json:
                raise UsageError(f"no command given; the commands are {', '.join(COMMANDS)}", code="E701")
            build_parser().print_help(sys.stderr)
            print(f"E701: no command given; the commands are {', '.join(COMMANDS)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return COMMANDS[args.command](args)
    except BookErrors as errs:
        _print_errors(errs.errors, errs.sources, as_json)
        return EXIT_BAD_INPUT
    except RegdslError as err:
        _print_errors([err], {}, as_json)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug in regdsl: say so in one line, never a traceback
        if os.environ.get("REGDSL_DEBUG"):
            raise
        message = (f"internal error ({type(exc).__name__}: {exc}); this is a bug in regdsl, "
                   "please report it (set REGDSL_DEBUG=1 to see where it happened)")
        if as_json:
            _print_errors([RegdslError(message, code="E000")], {}, True)
        else:
            print(f"regdsl: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _json_requested(argv: list[str]) -> bool:
    """Whether the arguments ask for JSON output (read before argparse, whose errors are JSON too)."""
    for i, a in enumerate(argv):
        if a == "--":
            break
        value = a.split("=", 1)[1] if a.startswith("--format=") else (
            argv[i + 1] if a == "--format" and i + 1 < len(argv) else None)
        if value in ("json", "json-schema"):
            return True
    return False


# The Python API names its own arguments and tools; the command line says them as its flags.
_ARGUMENTS = {"as_of": "--as-of", "outcomes": "--outcome", "facts": "the facts file", "value": "--value"}
_HINTS = {HINT_FACTS: "run `regdsl schema BOOK` to list the facts",
          HINT_OUTCOMES: "run `regdsl schema BOOK` to list the outcomes"}


def _print_errors(errors: Sequence[RegdslError], sources: dict[str, str], as_json: bool = False) -> None:
    """Write errors to standard error in the command line's terms: as text, or one JSON document."""
    restate(errors, _ARGUMENTS, _HINTS)
    if as_json:
        json.dump({"errors": [e.to_dict() for e in errors]}, sys.stderr, ensure_ascii=False, indent=2)
        sys.stderr.write("\n")
        return
    lines_of: dict[str, list[str]] = {}
    for e in errors:
        print(e.render(sources, lines_of), file=sys.stderr)
    if len(errors) > 1:
        print(f"{len(errors)} problems", file=sys.stderr)


def cmd_eval(args: argparse.Namespace) -> int:
    """`regdsl eval BOOK FACTS` (one student) or `regdsl eval BOOK --students FILE` (a table)."""
    from .api import load
    from .facts import read_facts, read_stdin
    from .results.report import result_text, to_json

    book = load(args.book)
    if args.students is not None or args.facts is None:
        if args.students is None:
            raise UsageError("give a facts file, or --students FILE for a table of students", code="E701")
        if args.facts is not None:
            raise UsageError("give a facts file or --students, not both", code="E701")
        try:
            from .eval.columns.batch import run
        except ImportError as e:
            raise UsageError(f"--students needs numpy and pyarrow ({e.name} is not installed); install them "
                             "with `pip install 'regdsl[batch]'`", code="E701") from None
        return run(book, args.students, args.output, args.as_of, args.outcome, args.id_column,
                   sys.stdout, sys.stderr, args.reason)
    for flag, value in (("-o", args.output), ("--id", args.id_column)):
        if value is not None:
            raise UsageError(f"{flag} goes with --students", code="E701")
    stdin = read_stdin() if args.facts == "-" else None
    data, name, text = read_facts(args.facts, stdin)
    result = book.evaluate(data, args.as_of, args.outcome, explain=args.explain, reason=args.reason,
                           _file=name, _text=text)
    if args.format == "json":
        sys.stdout.write(to_json(result, explain=args.explain))
    else:
        sys.stdout.write(result_text(result, explain=args.explain))
    return EXIT_OK


def cmd_why_not(args: argparse.Namespace) -> int:
    """`regdsl why-not BOOK FACTS OUTCOME`: 0 when some change would change the answer, else 1."""
    from .api import load
    from .facts import read_facts, read_stdin
    from .results.report import dumps

    book = load(args.book)
    stdin = read_stdin() if args.facts == "-" else None
    data, name, text = read_facts(args.facts, stdin)
    answer = book.why_not(data, args.outcome, args.as_of, args.value, _file=name, _text=text)
    if args.format == "json":
        sys.stdout.write(dumps(answer.to_dict()) + "\n")
    else:
        sys.stdout.write(answer.text())
    return EXIT_OK if answer.changes else EXIT_FINDINGS


def cmd_check(args: argparse.Namespace) -> int:
    """`regdsl check PATH...`: every finding on standard error; 1 when there is one."""
    from .api import check_paths

    counts: dict[str, int] = {}
    findings, sources = check_paths(args.paths, counts)
    if findings:
        _print_errors(findings, sources)
        left_out = counts.get("suppressed", 0)
        if left_out:
            slips = sum(1 for e in findings if e.code.startswith("E1"))
            print(f"{left_out} further finding{'s' if left_out != 1 else ''} left out: "
                  f"{'they follow' if left_out != 1 else 'it follows'} from the "
                  f"{'syntax error' if slips == 1 else 'errors'} above", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"ok: {', '.join(args.paths)}", file=sys.stderr)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """`regdsl schema BOOK [--format text|json|json-schema]`."""
    from .api import load
    from .authoring.schema_text import schema_text

    book = load(args.book)
    if args.format == "json-schema":
        sys.stdout.write(json.dumps(book.json_schema(), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    schema = book.schema()
    if args.format == "json":
        sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(schema_text(schema))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """`regdsl serve BOOK...`: the HTTP service, until interrupted."""
    from .api import load
    from .service import serve

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a port (1 to 65535)", code="E701")
    books = [load(path) for path in args.books]
    serve(books, args.host, args.port, max_body=args.max_body, max_batch=args.max_batch)
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    """`regdsl test PATH... [--coverage] [--update]`: one line per failure, a summary, then coverage.

    With --update, the failing expectations are first rewritten to the current answers
    (see regdsl.authoring.update), one line each; the run that follows tests the rewritten tables.
    """
    from .authoring.testing import run

    if args.update:
        from .authoring.update import update

        for line in update(args.paths):
            print(line)
    report = run(args.paths, coverage=args.coverage)
    for f in report.failures:
        print(f.render())
    passed = report.cases - report.failed_cases
    print(f"{passed} passed, {report.failed_cases} failed")
    for c in report.coverage:
        print("\n".join(c.render()))
    return EXIT_FINDINGS if report.failed_cases else EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    """`regdsl fmt PATH... [--check] [--diff]`: 0 done, 1 files would change, 2 bad input."""
    from .authoring.fmt import format_paths

    report = format_paths(args.paths, write=not (args.check or args.diff))
    for err in report.errors:
        print(err.render(), file=sys.stderr)
    for f in report.files:
        if f.changed:
            if args.diff:
                sys.stdout.write(f.diff())
            if args.check:
                print(f"would reformat {f.path}")
            if f.written:
                print(f"reformatted {f.path}", file=sys.stderr)
        if f.error is not None:
            print(f.error_text(), file=sys.stderr)
    verb = "reformatted" if report.write else "would be reformatted"
    summary = f"{report.changed} file(s) {verb}, {report.unchanged} unchanged"
    if report.failed:
        summary += f", {report.failed} could not be formatted"
    print(summary, file=sys.stderr)
    if not report.ok:
        return EXIT_BAD_INPUT
    return EXIT_FINDINGS if report.changed and not report.write else EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    """`regdsl render BOOK [--format html|text|markdown] [-o FILE]`."""
    from .api import load
    from .authoring.render import render

    text = render(load(args.book), args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, "utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}", code="E702") from None
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    """`regdsl init DIRECTORY [--name NAME] [--title TITLE]`: the files written, and what to run next."""
    from .authoring.scaffold import init, next_commands

    for path in init(args.directory, args.name, args.title):
        print(f"created {path}")
    print(f"next: {next_commands(args.directory)}")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """`regdsl diff OLD NEW STUDENTS... [--limit N] [--format text|json]`: 1 when an answer changed."""
    from .authoring.diff import diff_books, warning_text
    from .authoring.testing import shown_path

    if args.limit < 0:
        raise UsageError(f"--limit {args.limit}: give a number of students, or 0 for all", code="E701")
    report = diff_books(args.old, args.new, args.students, args.as_of)
    for w in report.warnings:
        print(warning_text(w), file=sys.stderr)
    for f in report.comparison.failed:
        print(f"cannot evaluate {f}", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(report.json())
    else:
        sys.stdout.write(report.text(args.limit, shown_path))
    return EXIT_FINDINGS if report.comparison.changes else EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    """`regdsl show BOOK REF`: the provisions REF names."""
    from .api import load
    from .authoring.show import show

    sys.stdout.write(show(load(args.book), args.ref))
    return EXIT_OK


def cmd_lsp(args: argparse.Namespace) -> int:
    """`regdsl lsp`: the language server over standard input and output, until the client says exit."""
    from .authoring.lsp import serve_stdio

    serve_stdio()
    return EXIT_OK


# The commands, in the order the messages list them.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "eval": cmd_eval, "check": cmd_check, "schema": cmd_schema, "serve": cmd_serve, "why-not": cmd_why_not,
    "test": cmd_test, "fmt": cmd_fmt, "render": cmd_render, "init": cmd_init, "show": cmd_show, "diff": cmd_diff,
    "lsp": cmd_lsp,
}
