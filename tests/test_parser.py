"""The parser, construct by construct: good snippets give the expected nodes, bad ones a
positioned SyntaxError_ with the right code and a helpful message.

Nodes are frozen attrs classes whose spans are left out of equality, so the
expected trees below are built without positions; spans are tested on their
own (and by the property tests at the end: every span lies within the text).
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regdsl.syntax import nodes as n
from regdsl.errors import RegdslError, Span, SyntaxError_
from regdsl.syntax.parser import parse

HEAD = 'book t "T"\n'
D = dt.date


def module(text: str) -> n.Module:
    return parse(textwrap.dedent(text), "t.reg")


def items(text: str) -> tuple:
    return module(text).items


def body(text: str) -> tuple:
    """The statements of an article whose body is `text` (written without indentation)."""
    src = HEAD + 'article 1 "A"\n' + textwrap.indent(textwrap.dedent(text), "  ")
    art = parse(src, "t.reg").items[1]
    assert isinstance(art, n.Article)
    return art.body


def stmt(text: str):
    (s,) = body(text)
    return s


def expr(text: str):
    """The expression of the rule `x = TEXT`."""
    return stmt(f"x = {text}\n").expr


def ref(text: str) -> n.Ref:
    (r,) = stmt(f"refers to {text}\n").refs
    return r


def error(text: str, file: str = "t.reg") -> SyntaxError_:
    with pytest.raises(SyntaxError_) as info:
        parse(textwrap.dedent(text), file)
    return info.value


# ---- node shorthands
def N(name):  # noqa: N802
    return n.Name(name)


def Num(v):  # noqa: N802
    return n.Number(v)


def Q(v, unit, per=None):  # noqa: N802
    return n.Quantity(v, unit, per)


def sel(kind, *numbers, target="", through=None):
    return n.Selector(kind, tuple(numbers), target, through)


def R(*groups, book=None):  # noqa: N802
    return n.Ref(tuple(g if isinstance(g, tuple) else (g,) for g in groups), book)


def B(op, a, b):  # noqa: N802
    return n.Binary(op, a, b)


# ================================================================== header


def test_header_alone():
    assert items('book uni "University Regulations"\n') == (n.BookHeader("uni", "University Regulations"),)


def test_header_with_history():
    got = items('''\
        book uni "University Regulations"
          | * The Japanese version is authoritative.
          cited as "University Regulations"
          established 1977-04-01
          amended 2022-12-20 "Regulation No. 126"
          amended 2023-03-01
          in force from 2022-12-20
          uses graduate from "../graduate"
        ''')
    assert got == (n.BookHeader("uni", "University Regulations", (
        n.Text("* The Japanese version is authoritative."),
        n.CitedAs("University Regulations"),
        n.Established(D(1977, 4, 1)),
        n.Amended(D(2022, 12, 20), "Regulation No. 126"),
        n.Amended(D(2023, 3, 1), None),
        n.InForce(D(2022, 12, 20)),
        n.Uses("graduate", "../graduate"),
    )),)


def test_file_may_start_with_blank_and_comment_lines():
    assert items('\n\n# a comment\n\nbook b "B"\n') == (n.BookHeader("b", "B"),)


def test_file_without_final_newline():
    assert items('book b "B"') == (n.BookHeader("b", "B"),)


def test_crlf_line_endings():
    text = 'book b "B"\r\narticle 1 "A"\r\n  | x\r\n  y = 1\r\n'
    assert parse(text).items == parse(text.replace("\r\n", "\n")).items


def test_string_escapes():
    (h,) = items(r'book b "The \"Best\" Rules"' + "\n")
    assert h.title == 'The "Best" Rules'


def test_header_errors():
    e = error('book "Title"\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 1, 6)
    assert "a name" in e.message
    e = error('book b\n')
    assert (e.code, e.span.line) == ("E101", 1)
    assert "quoted string" in e.message
    e = error('book b "B"\n  established April 1977\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 2, 15)
    assert "date (YYYY-MM-DD)" in e.message


# ================================================================== structure


def test_section_and_part():
    assert items('section 2 "Organization"\npart 1 "Mission"\n') == (
        n.Section("2", "Organization"), n.Part("1", "Mission"))


def test_section_with_its_own_text():
    (s,) = items('section 1 "Purpose"\n  | This page sets out the organisation.\n')
    assert s == n.Section("1", "Purpose", (n.Text("This page sets out the organisation."),))


def test_article():
    (a,) = items('article 14 "Degree Program Length"\n  | Four years.\n')
    assert a == n.Article("14", "Degree Program Length", None, (n.Text("Four years."),))


def test_branch_article_number():
    (a,) = items('article 13.2 "Branch"\n  | x\n')
    assert a.number == "13.2"


@pytest.mark.parametrize(("validity", "expected"), [
    ("in force from 2020-04-01", n.Validity(D(2020, 4, 1), None)),
    ("in force from 2020-04-01 until 2025-03-31", n.Validity(D(2020, 4, 1), D(2025, 3, 31))),
    ("in force until 2025-03-31", n.Validity(None, D(2025, 3, 31))),
])
def test_article_validity(validity, expected):
    (a,) = items(f'article 14 "Length" {validity}\n  | x\n')
    assert a.validity == expected


def test_paragraph_validity():
    (p,) = body('paragraph 2 in force from 2025-04-01\n  | new text\n')
    assert p == n.Paragraph("2", n.Validity(D(2025, 4, 1), None), (n.Text("new text"),))


def test_deleted_article_and_run():
    assert items('article 16 deleted\narticles 1.2 to 1.9 deleted\n') == (
        n.Deleted("16"), n.Deleted("1.2", "1.9"))


def test_supplementary_provisions():
    assert items('supplementary provisions\n  | This takes effect on April 1.\n') == (
        n.Supplementary(None, (n.Text("This takes effect on April 1."),)),)
    (s,) = items('supplementary provisions "Regulation No. 7"\n  | x\n  paragraph 2\n    | y\n')
    assert s == n.Supplementary("Regulation No. 7", (
        n.Text("x"), n.Paragraph("2", None, (n.Text("y"),))))


def test_paragraphs_items_and_subitems():
    got = body('''\
        | The President shall expel students to whom any of the following apply.
        item 1
          | The limit has been exceeded
          over_limit
        item 2
          | Fees:
          subitem a
            | unpaid
            fees_unpaid
          subitem b
            | deferred
        paragraph 2
          | Second paragraph.
          item 1
            | its own item
        ''')
    assert got == (
        n.Text("The President shall expel students to whom any of the following apply."),
        n.Item("1", (n.Text("The limit has been exceeded"), n.Condition(N("over_limit")))),
        n.Item("2", (
            n.Text("Fees:"),
            n.SubItem("a", (n.Text("unpaid"), n.Condition(N("fees_unpaid")))),
            n.SubItem("b", (n.Text("deferred"),)),
        )),
        n.Paragraph("2", None, (n.Text("Second paragraph."), n.Item("1", (n.Text("its own item"),)))),
    )


@pytest.mark.parametrize(("line", "text"), [
    ("| words", "words"),
    ("|words", "words"),
    ("|", ""),
    ("|    indented, trailing   ", "   indented, trailing"),
    ("| # not a comment, | not a bar", "# not a comment, | not a bar"),
    ('| "quoted" and (brackets) = words', '"quoted" and (brackets) = words'),
    ("| 日本語のテキスト", "日本語のテキスト"),
])
def test_text_lines_keep_every_word(line, text):
    assert stmt(line + "\n") == n.Text(text)


def test_structure_errors():
    e = error('article Purpose\n  | x\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 1, 9)
    assert "a number" in e.message
    e = error('article 1 "A"\narticle 2 "B"\n  | x\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 2, 1)
    assert "an indented block" in e.message
    e = error('article 1 "A"\n  | x\n  paragraph\n    | y\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 3, 12)
    assert "a number" in e.message
    e = error('article 1 "A"\n  | x\n  item one\n    | y\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 3, 8)
    e = error('articles 1 to deleted\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 1, 15)


# ================================================================== rules


def test_value_rule_and_if_rule():
    assert stmt("max_years = 8 years\n") == n.Rule("max_years", "=", Q("8", "years"))
    assert stmt("expelled if over_limit\n") == n.Rule("expelled", "if", N("over_limit"))


def test_rule_clauses_on_one_line():
    got = stmt("x = 4 years when a unless b notwithstanding the preceding paragraph\n")
    assert got == n.Rule("x", "=", Q("4", "years"), when=(N("a"),), unless=(N("b"),), exceptions=(
        n.ExceptionClause("notwithstanding", R(sel("preceding", target="paragraph"))),))


def test_rule_clauses_on_indented_lines():
    got = stmt('''\
        max_years = 2 * program_length
          when entry is second_year
          unless transferred
          overrides paragraph 1
          as of 2025-04-01
        ''')
    assert got == n.Rule(
        "max_years", "=", B("*", Num("2"), N("program_length")),
        when=(n.Compare("is", N("entry"), N("second_year")),), unless=(N("transferred"),),
        exceptions=(n.ExceptionClause("overrides", R(sel("paragraph", "1"))),),
        as_of=D(2025, 4, 1))


def test_several_clauses_on_one_indented_line():
    got = stmt("x = 1\n  when a when b overrides paragraph 1\n")
    assert got.when == (N("a"), N("b"))
    assert len(got.exceptions) == 1


def test_however():
    got = stmt("however program_length = 3 years when entry is second_year\n")
    assert got == n.Rule("program_length", "=", Q("3", "years"), however=True,
                         when=(n.Compare("is", N("entry"), N("second_year")),))
    assert stmt("however x if a\n") == n.Rule("x", "if", N("a"), however=True)


def test_exception_keywords_are_lower_case_in_the_tree():
    got = stmt("x = 1 overrides article 2\n")
    assert got.exceptions == (n.ExceptionClause("overrides", R(sel("article", "2"))),)


def test_rule_errors():
    e = error(HEAD + 'article 1 "A"\n  | x\n  x =\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 6)
    assert "end of line" in e.message
    e = error(HEAD + 'article 1 "A"\n  | x\n  x = a until b\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 9)
    assert "`until`" in e.message
    e = error(HEAD + 'article 1 "A"\n  | x\n  x = 1\n    overrides\n')
    assert (e.code, e.span.line) == ("E101", 5)


# ================================================================== other statements


def test_delegated():
    assert stmt("delegated\n") == n.Delegated()
    assert stmt('delegated "shall be stipulated separately"\n') == n.Delegated((), "shall be stipulated separately")
    assert stmt('delegated credits_required, courses "Separately"\n') == n.Delegated(
        ("credits_required", "courses"), "Separately")


def test_refers():
    assert stmt("refers to article 14, article 15\n") == n.Refers(
        (R(sel("article", "14")), R(sel("article", "15"))))


def test_applies_mutatis_mutandis():
    got = stmt('''\
        applies university_regulations mutatis mutandis
          reading "Faculty" as "Graduate School"
          reading faculty_credits as school_credits
          reading article 5 as article 7
          except article 9, articles 10 to 12
        ''')
    assert got == n.Applies("university_regulations", (
        n.Reading("Faculty", "Graduate School"),
        n.Reading("faculty_credits", "school_credits"),
        n.Reading(R(sel("article", "5")), R(sel("article", "7"))),
        n.ExceptRefs((R(sel("article", "9")), R(sel("article", "10", through="12")))),
    ))
    assert stmt("applies other mutatis mutandis\n") == n.Applies("other")


def test_amendment():
    got = stmt('''\
        amendment "Regulation No. 12" takes effect 2025-04-01
          not applying when enrolled_on <= 2025-03-31
          affects article 14, article 15
        ''')
    assert got == n.Amendment("Regulation No. 12", D(2025, 4, 1), (
        n.NotApplying(n.Compare("<=", N("enrolled_on"), n.DateLit(D(2025, 3, 31)))),
        n.Affects((R(sel("article", "14")), R(sel("article", "15")))),
    ))
    assert stmt('amendment "No. 5"\n') == n.Amendment("No. 5", None)


# ================================================================== declarations


@pytest.mark.parametrize("kind", ["fact", "outcome", "define"])
def test_fact_outcome_define(kind):
    cls = {"fact": n.Fact, "outcome": n.Outcome, "define": n.Define}[kind]
    assert stmt(f"{kind} x : boolean\n") == cls("x", n.SimpleType("boolean"))
    assert stmt(f'{kind} x : years "Years since admission."\n') == cls(
        "x", n.SimpleType("years"), "Years since admission.")
    got = stmt(f'{kind} x : credits\n  "Credits earned,"\n  "media included."\n')
    assert got == cls("x", n.SimpleType("credits"), "Credits earned, media included.")


@pytest.mark.parametrize(("text", "type_"), [
    ("integer", n.SimpleType("integer")),
    ("date", n.SimpleType("date")),
    ("hours per week", n.PerType("hours", "week")),
    ("one of first_year, second_year, third_year", n.EnumType(("first_year", "second_year", "third_year"))),
    ("one of solo", n.EnumType(("solo",))),
    ("range of marks", n.RangeType(n.SimpleType("marks"))),
    ("list of text", n.ListType(n.SimpleType("text"))),
    ("list of range of years", n.ListType(n.RangeType(n.SimpleType("years")))),
])
def test_types(text, type_):
    assert stmt(f"fact x : {text}\n").type == type_


def test_decision():
    assert stmt("decision leave_approved by President\n") == n.Decision(
        "leave_approved", None, ("President",))
    got = stmt('decision approved by President upon approval by Faculty_Meeting "Approval."\n')
    assert got == n.Decision("approved", None, ("President", "Faculty_Meeting"), "Approval.")
    got = stmt('decision grade : one of pass, fail by Examiner\n  "The grade given."\n')
    assert got == n.Decision("grade", n.EnumType(("pass", "fail")), ("Examiner",), "The grade given.")


def test_body():
    assert stmt('body President "the President"\n') == n.Body("President", "the President")
    got = stmt('''\
        body Library "the University Library"
          | The Library collects books.
          part of University
          administered by President
          duties "Duties of the Library"
            item 1
              | collecting books
            item 2
              | lending them
        ''')
    assert got == n.Body("Library", "the University Library", (
        n.Text("The Library collects books."),
        n.Relation("part of", "University"),
        n.Relation("administered by", "President"),
        n.Duties("Duties of the Library", (
            n.Item("1", (n.Text("collecting books"),)), n.Item("2", (n.Text("lending them"),)))),
    ))


def test_body_relation_with_extra_spaces():
    (b,) = items('body Library "L"\n  part   of University\n')
    assert b.statements == (n.Relation("part of", "University"),)


def test_unit():
    assert stmt("unit seat\n") == n.Unit("seat")
    assert stmt("unit seat, seats\n") == n.Unit("seat", "seats")
    assert stmt("unit semester, semesters = 6 months\n") == n.Unit("semester", "semesters", "6", "months")


def test_declarations_at_the_top_level():
    assert items('body President "the President"\nfact x : boolean\n') == (
        n.Body("President", "the President"), n.Fact("x", n.SimpleType("boolean")))


def test_declaration_errors():
    e = error(HEAD + 'article 1 "A"\n  | x\n  fact x\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 9)
    assert "`:`" in e.message
    e = error(HEAD + 'article 1 "A"\n  | x\n  fact x :\n')
    assert (e.code, e.span.line) == ("E101", 4)
    e = error(HEAD + 'article 1 "A"\n  | x\n  decision d by\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 16)
    assert "a name" in e.message
    e = error(HEAD + 'article 1 "A"\n  | x\n  fact x : one of\n')
    assert (e.code, e.span.line) == ("E101", 4)


# ================================================================== tables


def test_table():
    got = stmt('''\
        table grades "Grade scale"
          | The grades are as follows.
          as of 2024-02-01
          column marks : range of marks "Marks out of 100"
          column grade : text
          row 90 marks to 100 marks, "S"
          row none, "F"
          total 1, 2
        ''')
    assert got == n.Table("grades", "Grade scale", (
        n.Text("The grades are as follows."),
        n.AsOf(D(2024, 2, 1)),
        n.Column("marks", n.RangeType(n.SimpleType("marks")), "Marks out of 100"),
        n.Column("grade", n.SimpleType("text")),
        n.Row((n.Cell(Q("90", "marks"), Q("100", "marks")), n.Cell(n.String("S")))),
        n.Row((n.Cell(None), n.Cell(n.String("F")))),
        n.Row((n.Cell(Num("1")), n.Cell(Num("2"))), total=True),
    ))


def test_table_cells_of_every_kind():
    got = stmt('''\
        table t
          column a : text
          row 8:30 to 10:00, 2025-04-01, true, false, languages, 3 hours per week, none
        ''')
    assert got.title is None
    cells = got.statements[1].cells
    assert [c.value for c in cells] == [
        n.TimeLit(dt.time(8, 30)), n.DateLit(D(2025, 4, 1)), n.Bool(True), n.Bool(False),
        N("languages"), Q("3", "hours", "week"), None]


def test_table_errors():
    e = error(HEAD + 'article 1 "A"\n  | x\n  table t\n    row 1 2\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 5, 11)
    e = error(HEAD + 'article 1 "A"\n  | x\n  table t\n  row 1\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 5, 3)
    assert "an indented block" in e.message


# ================================================================== references


@pytest.mark.parametrize(("text", "expected"), [
    ("article 20", R(sel("article", "20"))),
    ("article 13.2", R(sel("article", "13.2"))),
    ("article 20 paragraph 2", R((sel("article", "20"), sel("paragraph", "2")))),
    ("article 20 paragraph 2 item 3 subitem b",
     R((sel("article", "20"), sel("paragraph", "2"), sel("item", "3"), sel("subitem", "b")))),
    ("articles 33 to 35", R(sel("article", "33", through="35"))),
    ("articles 33 and 34", R(sel("article", "33", "34"))),
    ("articles 33", R(sel("article", "33"))),
    ("paragraphs 1 and 2", R(sel("paragraph", "1", "2"))),
    ("paragraphs 2 to 4", R(sel("paragraph", "2", through="4"))),
    ("items 1 and 2 and 3", R(sel("item", "1", "2", "3"))),
    ("item 2", R(sel("item", "2"))),
    ("subitem a", R(sel("subitem", "a"))),
    ("the preceding article", R(sel("preceding", target="article"))),
    ("the preceding paragraph", R(sel("preceding", target="paragraph"))),
    ("the following item", R(sel("following", target="item"))),
    ("this article", R(sel("this", target="article"))),
    ("this paragraph", R(sel("this", target="paragraph"))),
    ("the items", R(sel("items_here"))),
    ("the supplementary provisions", R(sel("supplementary"))),
    ("items 1 and 2 of the preceding article", R(sel("item", "1", "2"), sel("preceding", target="article"))),
    ("paragraph 2 of the preceding article", R(sel("paragraph", "2"), sel("preceding", target="article"))),
    ("item 1 of paragraph 2 of article 20", R(sel("item", "1"), sel("paragraph", "2"), sel("article", "20"))),
    ("article 58 of university_regulations", R(sel("article", "58"), book="university_regulations")),
    ("article 20 paragraph 2 of university_regulations",
     R((sel("article", "20"), sel("paragraph", "2")), book="university_regulations")),
])
def test_reference_shapes(text, expected):
    assert ref(text) == expected


def test_references_in_expressions():
    assert expr("program_length of items 1 and 2 of the preceding article") == n.Qualified(
        "program_length", R(sel("item", "1", "2"), sel("preceding", target="article")))
    assert expr("any of the items") == n.AnyOf(R(sel("items_here")))
    assert expr("all of items 1 and 2 of article 44") == n.AllOf(R(sel("item", "1", "2"), sel("article", "44")))


def test_reference_errors():
    e = error(HEAD + 'article 1 "A"\n  | x\n  refers to article\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 20)
    assert "a number" in e.message
    e = error(HEAD + 'article 1 "A"\n  | x\n  refers to the previous article\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 17)
    assert "`preceding`" in e.message
    e = error(HEAD + 'article 1 "A"\n  | x\n  refers to the preceding section\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 27)


# ================================================================== expressions


@pytest.mark.parametrize(("text", "expected"), [
    ("2", Num("2")),
    ("0.5", Num("0.5")),
    ("8 years", Q("8", "years")),
    ("1 year", Q("1", "year")),
    ("2 hours per week", Q("2", "hours", "week")),
    ('"Bachelor\'s degree"', n.String("Bachelor's degree")),
    ('""', n.String("")),
    ("2025-04-01", n.DateLit(D(2025, 4, 1))),
    ("8:30", n.TimeLit(dt.time(8, 30))),
    ("23:59", n.TimeLit(dt.time(23, 59))),
    ("true", n.Bool(True)),
    ("false", n.Bool(False)),
    ("years_enrolled", N("years_enrolled")),
    ("_private2", N("_private2")),
])
def test_literals(text, expected):
    assert expr(text) == expected


@pytest.mark.parametrize(("text", "op", "word"), [
    ("a < b", "<", ""), ("a <= b", "<=", ""), ("a > b", ">", ""), ("a >= b", ">=", ""),
    ("a is b", "is", ""), ("a is not b", "isnot", ""),
    ("a is at least b", ">=", "is at least"), ("a is at most b", "<=", "is at most"),
    ("a is more than b", ">", "is more than"), ("a is less than b", "<", "is less than"),
    ("a exceeds b", ">", "exceeds"),
])
def test_comparisons(text, op, word):
    assert expr(text) == n.Compare(op, N("a"), N("b"), word)


def test_comparison_words_may_be_spaced_out():
    assert expr("a is   at\tleast b") == n.Compare(">=", N("a"), N("b"), "is at least")


def test_one_of():
    assert expr("entry is one of (second_year, third_year)") == n.OneOf(
        N("entry"), ("second_year", "third_year"))
    assert expr("entry is not one of (first_year)") == n.OneOf(N("entry"), ("first_year",), True)


def test_calls_if_and_lookup():
    assert expr("min(media_credits, 60 credits)") == n.Call("min", (N("media_credits"), Q("60", "credits")))
    assert expr("today()") == n.Call("today", ())
    assert expr("if a then 1 year else 2 years") == n.IfExpr(N("a"), Q("1", "year"), Q("2", "years"))
    assert expr("lookup grade in grades for marks + 1") == B(
        "+", n.Lookup("grade", "grades", N("marks")), Num("1"))
    assert expr("lookup grade in grades for (marks + 1)") == n.Lookup(
        "grade", "grades", B("+", N("marks"), Num("1")))


@pytest.mark.parametrize(("text", "expected"), [
    # * and / bind tighter than + and -, all left-associative
    ("1 + 2 * 3", B("+", Num("1"), B("*", Num("2"), Num("3")))),
    ("1 * 2 + 3", B("+", B("*", Num("1"), Num("2")), Num("3"))),
    ("1 - 2 - 3", B("-", B("-", Num("1"), Num("2")), Num("3"))),
    ("8 / 2 / 2", B("/", B("/", Num("8"), Num("2")), Num("2"))),
    ("(1 + 2) * 3", B("*", B("+", Num("1"), Num("2")), Num("3"))),
    # unary minus binds tightest
    ("-a * 2", B("*", n.Neg(N("a")), Num("2"))),
    ("- -a", n.Neg(n.Neg(N("a")))),
    ("2 - -1", B("-", Num("2"), n.Neg(Num("1")))),
    # arithmetic binds tighter than comparison
    ("a + 1 > b * 2", n.Compare(">", B("+", N("a"), Num("1")), B("*", N("b"), Num("2")))),
    ("4 years - x exceeds y", n.Compare(">", B("-", Q("4", "years"), N("x")), N("y"), "exceeds")),
    # comparison binds tighter than not, not tighter than and, and tighter than or
    ("not a is b", n.Not(n.Compare("is", N("a"), N("b")))),
    ("not a and b", B("and", n.Not(N("a")), N("b"))),
    ("not not a", n.Not(n.Not(N("a")))),
    ("a or b and c", B("or", N("a"), B("and", N("b"), N("c")))),
    ("a and b or c", B("or", B("and", N("a"), N("b")), N("c"))),
    ("a and b and c", B("and", B("and", N("a"), N("b")), N("c"))),
    ("(a or b) and c", B("and", B("or", N("a"), N("b")), N("c"))),
    ("a is 1 and b < 2", B("and", n.Compare("is", N("a"), Num("1")), n.Compare("<", N("b"), Num("2")))),
    # if-then-else is the loosest: its branches take whole expressions
    ("if a or b then 1 + 1 else 2", n.IfExpr(B("or", N("a"), N("b")), B("+", Num("1"), Num("1")), Num("2"))),
    ("if a then 1 else if b then 2 else 3", n.IfExpr(N("a"), Num("1"), n.IfExpr(N("b"), Num("2"), Num("3")))),
    ("x of article 1 + 1", B("+", n.Qualified("x", R(sel("article", "1"))), Num("1"))),
])
def test_precedence(text, expected):
    assert expr(text) == expected


def test_expression_errors():
    e = error(HEAD + 'article 1 "A"\n  | x\n  x if a == b\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 10)
    e = error(HEAD + 'article 1 "A"\n  | x\n  x = (1 + 2\n')
    assert e.code in ("E101", "E105")
    e = error(HEAD + 'article 1 "A"\n  | x\n  x = 1 +\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 10)
    e = error(HEAD + 'article 1 "A"\n  | x\n  x = a is one of b\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 19)
    assert "`(`" in e.message
    e = error(HEAD + 'article 1 "A"\n  | x\n  x = if a then 1\n')
    assert (e.code, e.span.line) == ("E101", 4)
    assert "`else`" in e.message


@pytest.mark.parametrize(("literal", "what"), [("2025-02-30", "date"), ("2025-13-01", "date"),
                                               ("25:00", "time of day"), ("8:60", "time of day")])
def test_impossible_date_or_time_in_an_expression(literal, what):
    e = error(HEAD + f'article 1 "A"\n  | x\n  x = {literal}\n')
    assert (e.code, e.span.line, e.span.column) == ("E101", 4, 7)
    assert e.span.end_column == 7 + len(literal)
    assert e.message == f"{literal} is not a valid {what}"


@pytest.mark.parametrize(("text", "line", "column"), [
    ('book b "B"\n  established 2024-02-30\n', 2, 15),
    ('book b "B"\n  amended 2024-13-01 "No. 7"\n', 2, 11),
    ('book b "B"\n  in force from 2024-04-31\n', 2, 17),
    ('article 1 "A" in force from 2024-02-30\n  | x\n', 1, 29),
    ('article 1 "A" in force until 2025-02-29\n  | x\n', 1, 30),
    ('article 1 "A"\n  | x\n  table t\n    as of 2024-02-31\n    column a : text\n', 4, 11),
    ('article 1 "A"\n  | x\n  amendment "No. 5" takes effect 2025-04-31\n', 3, 34),
    ('article 1 "A"\n  | x\n  x = 1 as of 2024-02-30\n', 3, 15),
])
def test_impossible_date_outside_an_expression(text, line, column):
    e = error(text)
    assert (e.code, e.span.line, e.span.column) == ("E101", line, column)
    assert e.message.endswith("is not a valid date")


# ================================================================== comments and layout


def test_comments_are_kept_but_not_in_the_tree():
    m = module('''\
        # leading comment
        book b "B"  # trailing comment

        article 1 "A"
          | text # not a comment
            # indented comment
          x = 1 # after a rule
        ''')
    plain = module('book b "B"\narticle 1 "A"\n  | text # not a comment\n  x = 1\n')
    assert m == plain
    assert [(c.text, c.line, c.column) for c in m.comments] == [
        ("# leading comment", 1, 1),
        ("# trailing comment", 2, 13),
        ("# indented comment", 6, 5),
        ("# after a rule", 7, 9),
    ]
    # (The comment on line 1 is marked own_line=False: it is not preceded by a newline
    # token.  `regdsl fmt` keeps it in place all the same.)
    assert [c.own_line for c in m.comments[1:]] == [False, True, False]


def test_blank_lines_do_not_matter():
    assert items('book b "B"\n\n\narticle 1 "A"\n\n  | x\n\n  paragraph 2\n\n    | y\n\n') == items(
        'book b "B"\narticle 1 "A"\n  | x\n  paragraph 2\n    | y\n')


def test_indentation_depth_is_free_but_consistent():
    assert items('article 1 "A"\n    | x\n    item 1\n         | y\n') == items(
        'article 1 "A"\n  | x\n  item 1\n    | y\n')


def test_and_or_continuation_lines():
    got = stmt('''\
        may_take_leave if months_unable_to_attend is at least 2 months
                       and absence_reason is not none
                       or leave_approved
        ''')
    assert got.expr == B("or", B(
        "and",
        n.Compare(">=", N("months_unable_to_attend"), Q("2", "months"), "is at least"),
        n.Compare("isnot", N("absence_reason"), N("none"))),
        N("leave_approved"))


def test_continuation_at_any_indentation_and_after_comments():
    got = stmt("x if a\n# a comment between\nand b\n      or c\n")
    assert got.expr == B("or", B("and", N("a"), N("b")), N("c"))


def test_continuation_then_clause_block():
    got = stmt("x = 1 when a\n  and b\n  overrides paragraph 1\n")
    assert got.when == (B("and", N("a"), N("b")),)
    assert len(got.exceptions) == 1


def test_words_starting_with_and_or_are_not_continuations():
    (a, b) = body("x = a\norder = 1\n")
    assert (a.name, b.name) == ("x", "order")
    (a, b) = body("x = a\nandrew = 1\n")
    assert b.name == "andrew"


@pytest.mark.parametrize(("text", "wrong"), [
    ("x if a andb", "`a and b`"),
    ("x if a orb", "`a or b`"),
    ("x = a whenever_b", "`a when ever_b`"),
    ("x = 1 year unlessb", "`1 year unless b`"),
])
def test_a_keyword_glued_to_a_name_is_an_error(text, wrong):
    """A typo such as `andb` must not be read as `and b`."""
    with pytest.raises(SyntaxError_):
        got = stmt(text + "\n")
        pytest.fail(f"{text!r} was accepted, read as {wrong}: {got}")


def test_parentheses_span_lines():
    got = stmt('''\
        meets if (years_counted + period_counted
                    is at least program_length of article 14)
                 and took_courses
        ''')
    assert got.expr == B("and", n.Compare(
        ">=", B("+", N("years_counted"), N("period_counted")),
        n.Qualified("program_length", R(sel("article", "14"))), "is at least"), N("took_courses"))
    assert expr("min(a,\n      b,\n  c)") == n.Call("min", (N("a"), N("b"), N("c")))
    assert expr("entry is one of (first_year,\n second_year)") == n.OneOf(N("entry"), ("first_year", "second_year"))


def test_trailing_and_is_not_a_continuation():
    e = error(HEAD + 'article 1 "A"\n  | x\n  x if a and\n    b\n')
    assert (e.code, e.span.line) == ("E101", 4)
    assert "end of line" in e.message


def test_layout_errors():
    e = error('book b "B"\narticle 1 "A"\n    | x\n  | y\n')
    assert (e.code, e.span.line, e.span.column) == ("E104", 4, 3)
    assert e.message == "this line is indented 2 spaces, but the lines above it are indented 4 spaces or not at all"
    e = error('book b "B"\narticle 1 "A"\n  | x\n  paragraph 2\n    | y\n   | z\n')
    assert (e.code, e.span.line) == ("E104", 6)
    assert e.message == "this line is indented 3 spaces, but the lines above it are indented 2 or 4 spaces"
    e = error('book b "B"\narticle 1 "A"\n  | x\n\t| y\n')
    assert e.code == "E103"
    assert "tab" in e.message
    e = error('book b "B"\narticle 1 "A"')
    assert (e.code, e.span.line, e.span.column) == ("E105", 2, 14)
    assert "ends too early" in e.message
    e = error('book b "B"\narticle 1 "A\n  | x\n')
    assert (e.code, e.span.line, e.span.column) == ("E102", 2, 11)
    e = error('book b "B"\narticle 1 "A"\n  | x\n  x = 1 $ 2\n')
    assert (e.code, e.span.line, e.span.column) == ("E102", 4, 9)
    assert "'$'" in e.message


def test_tab_error_is_on_the_tab_line():
    e = error('book b "B"\narticle 1 "A"\n  | x\n\t| y\n')
    assert (e.span.line, e.span.column) == (4, 1)


def test_file_ending_inside_a_block_is_e105():
    e = error('book b "B"\narticle 1 "A"\n  | x\n  x =')
    assert e.code == "E105"


def test_errors_render_with_file_line_caret():
    e = error('book b "B"\narticle 14 Degree Program Length\n  | x\n', "books/u.reg")
    assert e.span == Span("books/u.reg", 2, 12, 2, 18)
    assert e.render() == (
        "books/u.reg:2:12: E101: unexpected `Degree`; expected `deleted` or a quoted string (\"...\")\n"
        "    article 14 Degree Program Length\n"
        "               ^^^^^^\n"
        "  hint: the title of an article is written in double quotes: article 14 \"Degree Program Length\"")


# ---- hints for common mistakes (parser._EXAMPLES, matched by parser state)


@pytest.mark.parametrize(("text", "hint"), [
    pytest.param('article 14 Degree Program Length\n  | x\n', "double quotes", id="no-book-title"),
    pytest.param('article 1 "M"\n  | x\n  paragraph\n', "need a number", id="no-book-number"),
])
def test_hint_without_a_header(text, hint):
    """The hints work on a fragment with no header (how parser._EXAMPLES are written)."""
    e = error(text)
    assert e.hint and hint in e.hint


@pytest.mark.parametrize(("text", "hint"), [
    pytest.param('article 14 Degree Program Length\n  | x\n', "double quotes", id="title"),
    pytest.param('article 1 "Mission"\n  The mission of the University\n', "`|`", id="text-bar"),
    pytest.param('article 1 "Mission"\narticle 2 "X"\n  | x\n', "indented block", id="empty-article"),
    pytest.param('article 1 "M"\n  x if a = b\n', "compare with `is`", id="equals"),
    pytest.param('article 1 "M"\n  x =\n', "needs a value", id="no-value"),
    pytest.param('article 1 "M"\n  fact x\n', "type after the colon", id="no-type"),
    pytest.param('article 1 "M"\n  | x\n  paragraph\n', "need a number", id="no-number"),
])
def test_hint_in_a_book(text, hint):
    e = error(HEAD + text)
    assert e.hint and hint in e.hint, e.render()


# ================================================================== spans


def test_spans_point_at_the_source():
    src = HEAD + 'article 14 "Length"\n  | Four years.\n  max_years = 2 * program_length\n'
    (_, art) = parse(src, "u.reg").items
    assert art.span == Span("u.reg", 2, 1, 4, 33)
    text, rule = art.body
    assert text.span == Span("u.reg", 3, 3, 3, 16)
    assert rule.span == Span("u.reg", 4, 3, 4, 33)
    assert rule.expr.span == Span("u.reg", 4, 15, 4, 33)
    assert rule.expr.right.span == Span("u.reg", 4, 19, 4, 33)


def test_spans_are_not_part_of_equality():
    a = parse(HEAD + 'article 1 "A"\n  | x\n  y = 1 + 2\n', "a.reg")
    b = parse(HEAD + '\n\narticle 1 "A"\n      | x\n      y    =    1+2  # c\n', "a.reg")
    assert a == b
    assert a.items[1].body[1].span != b.items[1].body[1].span


# ================================================================== properties

NAMES = st.sampled_from(["years_enrolled", "entry", "credits", "leave", "approved", "x", "limit_2"])
UNITS = st.sampled_from(["years", "months", "credits", "yen", "days"])
COMPARE = st.sampled_from(["<", "<=", ">", ">=", "is", "is not", "is at least", "is at most",
                           "is more than", "is less than", "exceeds"])
WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30)


def _atoms():
    return st.one_of(
        NAMES,
        st.integers(0, 999).map(str),
        st.builds(lambda v, u: f"{v} {u}", st.integers(0, 99), UNITS),
        st.sampled_from(["true", "false", "2025-04-01", "8:30", '"text"', "x of article 1",
                         "any of the items", "min(a, b)", "lookup grade in grades for marks"]),
    ).map(lambda a: (a, True)) | st.sampled_from([
        ("entry is one of (a, b)", False),
        # not an atom: `all of items 1 and 2 and 0 years` reads `and 0` as a third item
        ("all of items 1 and 2", False),
    ])


def _wrap(e: tuple[str, bool]) -> str:
    """An operand: atoms as they are, anything bigger in parentheses."""
    text, atom = e
    return text if atom else f"({text})"


EXPRS = st.recursive(_atoms(), lambda inner: st.one_of(
    st.builds(lambda a, op, b: (f"{_wrap(a)} {op} {_wrap(b)}", False), inner,
              st.sampled_from(["+", "-", "*", "/", "and", "or"]), inner),
    st.builds(lambda a, op, b: (f"{_wrap(a)} {op} {_wrap(b)}", False), inner, COMPARE, inner),
    inner.map(lambda a: (f"({a[0]})", True)),
    inner.map(lambda a: (f"not {_wrap(a)}", False)),
    inner.map(lambda a: (f"-{_wrap(a)}", False)),
    st.builds(lambda a, b, c: (f"if {a[0]} then {b[0]} else {c[0]}", False), inner, inner, inner),
), max_leaves=8).map(lambda e: e[0])


def _line(indent: int, text: str) -> str:
    return " " * indent + text + "\n"


@st.composite
def rules(draw, indent: int) -> str:
    name = draw(NAMES)
    out = _line(indent, f"{'however ' if draw(st.booleans()) else ''}{name} "
                        f"{draw(st.sampled_from(['=', 'if']))} {draw(EXPRS)}")
    for clause in draw(st.lists(st.sampled_from(["when", "unless", "overrides", "notwithstanding"]), max_size=2)):
        tail = draw(EXPRS) if clause in ("when", "unless") else "the preceding paragraph"
        out += _line(indent + 2, f"{clause} {tail}")
    return out


@st.composite
def statements(draw, indent: int, items_allowed: bool) -> str:
    kinds = ["text", "rule", "fact", "comment", "refers"] + (["item"] if items_allowed else [])
    out = ""
    for kind in ["text"] + draw(st.lists(st.sampled_from(kinds), max_size=4)):
        if kind == "text":
            out += _line(indent, "| " + draw(WORDS).replace("\n", " "))
        elif kind == "rule":
            out += draw(rules(indent))
        elif kind == "fact":
            out += _line(indent, f'{draw(st.sampled_from(["fact", "outcome", "define"]))} {draw(NAMES)} : '
                                 f'{draw(st.sampled_from(["boolean", "years", "one of a, b", "text"]))} "d"')
        elif kind == "comment":
            out += _line(indent, "# " + draw(WORDS).replace("\n", " "))
        elif kind == "refers":
            out += _line(indent, "refers to the preceding article, article 1")
        else:
            number = out.count(" item ") + 1
            out += _line(indent, f"item {number}") + _line(indent + 2, "| words")
            if draw(st.booleans()):
                out += _line(indent + 2, draw(EXPRS))
    return out


@st.composite
def books(draw) -> str:
    text = 'book generated "Generated"\n  established 2020-04-01\n'
    for number in range(1, draw(st.integers(1, 3)) + 1):
        text += f'\narticle {number} "Article {number}"\n'
        text += draw(statements(2, True))
        for para in range(2, draw(st.integers(1, 3)) + 1):
            text += _line(2, f"paragraph {para}") + draw(statements(4, True))
    return text


def _spans(node):
    """Every span in a tree."""
    for x in node.walk():
        span = getattr(x, "span", None)
        if span is not None:
            yield x, span


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_generated_books_parse_with_spans_inside_the_text(text):
    m = parse(text, "gen.reg")
    lines = text.split("\n")
    count = 0
    for node, span in _spans(m):
        count += 1
        assert span.file == "gen.reg"
        assert 1 <= span.line <= span.end_line <= len(lines), (node, span)
        assert 1 <= span.column <= len(lines[span.line - 1]) + 1, (node, span)
        assert 1 <= span.end_column <= len(lines[span.end_line - 1]) + 1, (node, span)
        assert (span.line, span.column) <= (span.end_line, span.end_column), (node, span)
    assert count >= len(m.items)
    for c in m.comments:
        assert lines[c.line - 1][c.column - 1:].startswith(c.text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_generated_books_parse_the_same_after_rewrapping_blank_lines(text):
    """Blank lines and comment lines between statements never change the tree."""
    spaced = re.sub(r"\n(?=[ ]*(item|paragraph|article))", "\n\n# note\n", text)
    assert parse(spaced).items == parse(text).items


JUNK = st.lists(st.sampled_from([
    "book", "article", "articles", "paragraph", "item", "subitem", "section", "part", "deleted",
    "to", "fact", "outcome", "define", "decision", "by", "upon", "approval", "table", "column",
    "row", "total", "none", "if", "then", "else", "when", "unless", "however", "overrides",
    "notwithstanding", "the", "preceding", "following", "this", "of", "is", "not", "at", "least",
    "one", "and", "or", "any", "all", "lookup", "in", "for", "refers", "applies", "mutatis",
    "mutandis", "amendment", "takes", "effect", "as", "supplementary", "provisions", "body",
    "unit", "per", "range", "list", "true", "false", "x", "years", "=", ":", ",", "(", ")", "+",
    "-", "*", "/", "<", ">=", "|", "| text", "#", "# c", '"', '"s"', "\\", "1", "2.5", "13.2",
    "2025-04-01", "2025-02-30", "8:30", "25:00", " ", " ", "  ", "\n", "\n  ", "\n    ", "\t", "\r\n", "é", "$", ";",
]), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(JUNK, JUNK.map(lambda s: HEAD + 'article 1 "A"\n  | x\n  ' + s), st.text(max_size=60)))
def test_junk_never_raises_anything_but_regdsl_errors(text):
    """Any text either parses or gives a positioned regdsl error (never a Python exception)."""
    try:
        parse(text, "junk.reg")
    except RegdslError as e:
        assert e.code in {"E101", "E102", "E103", "E104", "E105"}
        assert e.span is not None and e.span.file == "junk.reg"
        assert e.span.line >= 1 and e.span.column >= 1
        assert e.render().startswith(f"junk.reg:{e.span.line}:{e.span.column}: {e.code}: ")
