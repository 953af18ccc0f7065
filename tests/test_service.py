"""`regdsl serve` over HTTP: a real server on a loopback port, a real client (httpx).

The answers are the CLI's (the same JSON as `regdsl eval --format json`),
errors are RFC 9457 problem details with the CLI's codes and positions,
limits are enforced before the body is parsed, the OpenAPI document is
valid and describes what the server answers, and no file is opened while
requests are answered.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

httpx = pytest.importorskip("httpx", reason="httpx is installed with the test extras")
pytest.importorskip("starlette", reason="starlette is installed with the serve extras")
pytest.importorskip("uvicorn", reason="uvicorn is installed with the serve extras")
jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is installed with the test extras")

import regdsl  # noqa: E402
from conftest import ROOT, run_cli  # noqa: E402
from service_helpers import BOOKS, MINI, running  # noqa: E402

STUDENTS = ROOT / "tests" / "books" / "students"
AS_OF = "2026-04-01"


@pytest.fixture(scope="module")
def books():
    return [regdsl.load(p) for p in BOOKS]


@pytest.fixture(scope="module")
def client(books):
    with running(books) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def small(books):
    """A server with small limits: 2,000 bytes, 3 students a request."""
    with running(books[:1], max_body=2_000, max_batch=3) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def openapi(client):
    return client.get("/openapi.json").json()


def component(openapi: dict, name: str):
    """A validator for `#/components/schemas/<name>` of the OpenAPI document."""
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}", **openapi})


def problem(r, status: int, *codes: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["type"].startswith("urn:regdsl:problem:")
    assert body["title"] and body["detail"]
    assert [e["code"] for e in body["errors"]] == list(codes), body
    return body


# ---- the books


def test_health_and_the_books_served(client):
    assert client.get("/health").json() == {"status": "ok", "version": regdsl.__version__,
                                            "books": ["graduate_school_regulations", "mini",
                                                      "university_regulations"]}
    listed = client.get("/books").json()
    assert [b["name"] for b in listed] == ["mini", "university_regulations", "graduate_school_regulations"]
    assert listed[0]["outcomes"][:2] == ["max_years", "over_limit"]
    assert client.get("/books/mini").json() == listed[0]


def test_the_schema_is_the_books_json_schema(client, books):
    r = client.get("/books/mini/schema")
    assert r.headers["content-type"] == "application/schema+json"
    assert r.json() == books[0].json_schema()


# ---- evaluation: the CLI's answers


def _cli_json(*args: str) -> dict:
    code, out, err = run_cli("eval", str(MINI.relative_to(ROOT)), *args, "--as-of", AS_OF, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_one_student_gets_the_clis_answer(client):
    facts = (STUDENTS / "ok.json").read_text()
    r = client.post("/books/mini/evaluate", params={"as_of": AS_OF}, content=facts,
                    headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == _cli_json(str((STUDENTS / "ok.json").relative_to(ROOT)))


def test_outcomes_and_explanations_are_asked_for_as_in_the_cli(client):
    r = client.post("/books/mini/evaluate", params={"as_of": AS_OF, "outcomes": "max_years,over_limit",
                                                    "explain": "true"},
                    json={"entry": "third_year", "years_enrolled": 5})
    got = r.json()
    assert [o["name"] for o in got["outcomes"]] == ["max_years", "over_limit"]
    assert got["outcomes"][0]["explanation"]["kind"] == "definition"
    repeated = client.post(f"/books/mini/evaluate?outcomes=max_years&outcomes=over_limit&explain=1&as_of={AS_OF}",
                           json={"entry": "third_year", "years_enrolled": 5})
    assert repeated.json() == got
    plain = client.post("/books/mini/evaluate", params={"as_of": AS_OF, "outcomes": "max_years"}, json={})
    assert "explanation" not in plain.json()["outcomes"][0]


def test_a_list_of_students_gets_a_list_of_results_in_order(client, books):
    students = [{"entry": "third_year"}, {"entry": "first_year", "years_enrolled": 7}, {}]
    r = client.post("/books/mini/evaluate",
                    params={"as_of": AS_OF}, json=students)
    want = [books[0].evaluate(s, AS_OF).to_dict() for s in students]
    assert r.json() == want


def test_every_answer_validates_against_the_books_schemas(client, openapi):
    for name, facts in (("mini", {"entry": "third_year"}),
                        ("university_regulations", json.loads((ROOT / "examples" / "university" /
                                                               "over-years-limit.json").read_text()))):
        schema = client.get(f"/books/{name}/schema").json()
        result = client.post(f"/books/{name}/evaluate", params={"as_of": AS_OF, "explain": "true"},
                             json=facts).json()
        jsonschema.Draft202012Validator({"$ref": "#/$defs/result", "$defs": schema["$defs"]}).validate(result)
        component(openapi, f"{name}.result").validate(result)
        component(openapi, f"{name}.facts").validate(facts)


# ---- errors: problem details with the CLI's codes and positions


def test_bad_facts_have_the_clis_codes_and_positions(client):
    r = client.post("/books/mini/evaluate", params={"as_of": AS_OF}, content=(STUDENTS / "bad.json").read_bytes())
    body = problem(r, 422, "E601", "E602", "E602", "E602")
    code, _, err = run_cli("eval", str(MINI.relative_to(ROOT)), str((STUDENTS / "bad.json").relative_to(ROOT)),
                           "--as-of", AS_OF, "--format", "json")
    cli = json.loads(err)["errors"]
    assert code == 2
    for got, want in zip(body["errors"], cli):
        assert got["file"] == "<request>"
        assert {k: v for k, v in got.items() if k not in ("file", "pointer", "hint")} == \
               {k: v for k, v in want.items() if k not in ("file", "hint")}
    assert body["errors"][0]["hint"] == "did you mean `years_enrolled`?"
    assert [e["pointer"] for e in body["errors"]] == ["/years_enroled", "/entry", "/tuition_unpaid",
                                                      "/credits_earned"]


def test_a_bad_student_in_a_list_is_pointed_at_by_its_index(client):
    body = problem(client.post("/books/mini/evaluate", json=[{}, {"entry": "x"}, {"nope": 1}]), 422,
                   "E602", "E601")
    assert [e["pointer"] for e in body["errors"]] == ["/1/entry", "/2/nope"]
    assert body["errors"][1]["hint"] == "GET /books/mini/schema lists the facts the book takes"


def test_bad_parameters_name_the_parameter(client):
    body = problem(client.post("/books/mini/evaluate?as_of=2026-02-30", json={}), 400, "E701")
    assert body["detail"] == "as_of '2026-02-30' is not a date (YYYY-MM-DD)"
    body = problem(client.post("/books/mini/evaluate?outcomes=max_yeers", json={}), 400, "E605")
    assert body["errors"][0]["hint"] == "did you mean `max_years`?"
    problem(client.post("/books/mini/evaluate?explain=perhaps", json={}), 400, "E701")


def test_not_json_not_utf8_and_not_an_object(client):
    body = problem(client.post("/books/mini/evaluate", content=b'{\n  "entry": third_year\n}'), 422, "E603")
    assert (body["errors"][0]["file"], body["errors"][0]["line"]) == ("<request>", 2)
    body = problem(client.post("/books/mini/evaluate", content=b'{"entry": "\xff"}'), 422, "E603")
    assert body["errors"][0]["column"] == 12
    body = problem(client.post("/books/mini/evaluate", content=b'"a student"'), 422, "E604")
    assert body["detail"].startswith("the request body holds a single text")
    body = problem(client.post("/books/mini/evaluate", json=[{}, 3]), 422, "E604")
    assert body["detail"].startswith("student 1 holds a single number") and body["errors"][0]["pointer"] == "/1"
    problem(client.post("/books/mini/evaluate", content=b""), 422, "E604")
    problem(client.post("/books/mini/evaluate", content=b"entry: x", headers={"content-type": "text/yaml"}), 415, "E701")


def test_unknown_books_provisions_paths_and_methods(client):
    body = problem(client.get("/books/minni/schema"), 404, "E702")
    assert body["errors"][0]["hint"] == "did you mean `mini`?"
    problem(client.get("/books/mini/provisions/art_99"), 404, "E303")
    problem(client.get("/no/such/thing"), 404, "E702")
    r = client.delete("/books")
    problem(r, 405, "E701")
    assert "GET" in r.headers["allow"]


def test_every_problem_validates_against_the_openapi_schema(client, openapi):
    validator = component(openapi, "problem")
    for r in (client.post("/books/mini/evaluate", content=(STUDENTS / "bad.json").read_bytes()),
              client.get("/books/nope"), client.post("/books/mini/evaluate?as_of=x", json={})):
        validator.validate(r.json())


# ---- limits, enforced before the body is parsed


def test_a_body_over_the_limit_is_refused_by_its_length(small):
    body = problem(small.post("/books/mini/evaluate", content=b"{" + b" " * 5_000 + b"}"), 413, "E109")
    assert "2,000 bytes" in body["detail"]


def test_a_chunked_body_is_cut_off_at_the_limit(small):
    def chunks():
        yield b'{"entry": "third_year"'
        for _ in range(100):
            yield b" " * 100
        yield b"}"

    problem(small.post("/books/mini/evaluate", content=chunks()), 413, "E109")


def test_a_batch_over_the_limit_is_refused_before_any_student_is_read(small):
    problem(small.post("/books/mini/evaluate", json=[{}] * 4), 413, "E606")
    rows = "\n".join(['{"entry": "bad"'] * 4)  # not even JSON: the lines are counted first
    problem(small.post("/books/mini/evaluate-table", content=rows, headers={"content-type": "application/jsonl"}),
            413, "E606")
    assert small.post("/books/mini/evaluate", json=[{}] * 3).status_code == 200


def test_no_file_is_opened_while_requests_are_answered(client):
    client.get("/").raise_for_status()  # the playground's files are read at start-up
    opened: list[str] = []

    def audit(event, args):
        if event == "open" and recording:
            opened.append(str(args[0]))

    def requests() -> None:
        client.post("/books/university_regulations/evaluate?explain=true", json={"years_enrolled": 9})
        client.get("/books/university_regulations/provisions/art_43")
        client.get("/books/university_regulations/schema")
        client.post("/books/mini/evaluate-table", content='{"entry": "third_year"}\n')
        client.get("/")
        client.get("/openapi.json")

    requests()  # the first request of a kind may import a module of the package (code, not data)
    recording = False
    sys.addaudithook(audit)
    recording = True
    try:
        requests()
    finally:
        recording = False
    assert not [p for p in opened if not p.startswith("/proc/") and not p.startswith("/dev/")], opened


# ---- evaluate-table


def test_a_table_of_students_answers_in_columns(client, books):
    rows = [{"id": "s1", "entry": "third_year", "years_enrolled": 5},
            {"id": "s2", "entry": "fourth_year"},
            {"id": "s3", "credits_earned": "30 credits"}]
    r = client.post("/books/mini/evaluate-table", params={"as_of": AS_OF, "outcomes": "max_years,may_graduate"},
                    content="\n".join(json.dumps(row) for row in rows) + "\n",
                    headers={"content-type": "application/jsonl"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/jsonl"
    got = [json.loads(line) for line in r.text.splitlines()]
    assert [g["id"] for g in got] == ["s1", "s2", "s3"]
    assert list(got[0]) == ["id", "max_years", "max_years.status", "max_years.missing", "max_years.decided_by",
                            "max_years.provision", "max_years.error", "may_graduate", "may_graduate.status",
                            "may_graduate.missing", "may_graduate.decided_by", "may_graduate.provision",
                            "may_graduate.error"]
    one = books[0].evaluate({"entry": "third_year", "years_enrolled": 5}, AS_OF)
    assert got[0]["max_years"] == 4 and got[0]["max_years.provision"] == one["max_years"].citations[0].eid
    assert got[1]["max_years.error"].startswith("E602: fact `entry`") and got[1]["max_years"] is None
    third = books[0].evaluate({"credits_earned": "30 credits"}, AS_OF)["may_graduate"]
    assert got[2]["may_graduate.status"] == third.status == "discretionary"
    assert got[2]["may_graduate.decided_by"] == list(third.decided_by)


def test_a_table_is_answered_in_a_format_asked_for(client):
    row = '{"entry": "third_year"}\n'
    for accept in ("application/jsonl", "text/plain;q=0.5, application/jsonl", "*/*"):
        r = client.post("/books/mini/evaluate-table", content=row, headers={"accept": accept})
        assert r.headers["content-type"] == "application/jsonl", accept
    problem(client.post("/books/mini/evaluate-table", content=row, headers={"accept": "text/csv"}), 406, "E701")
    problem(client.post("/books/mini/evaluate-table?explain=true", content=row), 400, "E701")
    problem(client.post("/books/mini/evaluate-table", content=row, headers={"content-type": "text/csv"}), 415, "E701")


def test_a_table_in_arrow_answers_in_arrow(client):
    pa = pytest.importorskip("pyarrow", reason="Arrow tables need pyarrow (the [batch] extra)")
    table = pa.table({"id": [1, 2], "entry": ["third_year", "first_year"], "years_enrolled": [5, None]})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    r = client.post("/books/mini/evaluate-table", params={"as_of": AS_OF, "outcomes": "over_limit"},
                    content=sink.getvalue().to_pybytes(),
                    headers={"content-type": "application/vnd.apache.arrow.stream"})
    assert r.status_code == 200, r.text
    out = pa.ipc.open_stream(r.content).read_all()
    assert out.column("over_limit").to_pylist() == [True, None]
    assert out.column("over_limit.missing").to_pylist() == [[], ["years_enrolled"]]
    assert out.column("id").to_pylist() == ["1", "2"]


# ---- provisions


def test_a_provision_as_json_and_as_a_page(client):
    p = client.get("/books/mini/provisions/art_1__para_2").json()
    assert p["cite"] == "Article 1, Paragraph 2" and p["text"].startswith("Notwithstanding the preceding")
    article = client.get("/books/mini/provisions/art_1").json()
    assert article["title"] == "Limit on Years Enrolled"
    assert [q["eid"] for q in article["parts"]] == ["art_1__para_1", "art_1__para_2"]
    page = client.get("/books/mini/provisions/art_1", headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "Limit on Years Enrolled" in page.text and "at most six years" in page.text


def test_a_provision_of_a_book_applied_mutatis_mutandis(client):
    facts = json.loads((ROOT / "examples" / "graduate" / "combined-cap.json").read_text())
    result = client.post("/books/graduate_school_regulations/evaluate", params={"as_of": AS_OF}, json=facts).json()
    cites = [c for o in result["outcomes"] for c in o["citations"] if c.get("book")]
    assert cites, "no citation of the University Regulations through Article 52"
    c = cites[0]
    p = client.get(f"/books/graduate_school_regulations/provisions/{c['eid']}", params={"book": c["book"]}).json()
    assert p["book"] == "university_regulations" and p["home_cite"] == c["cite"]


# ---- the OpenAPI document


def test_the_openapi_document_is_valid_and_lists_every_endpoint(openapi):
    oas = json.loads((ROOT / "tests" / "openapi" / "oas-3.1-schema-2022-10-07.json").read_text())
    jsonschema.Draft202012Validator(oas).validate(openapi)
    for name, schema in openapi["components"]["schemas"].items():  # the OAS schema leaves these alone
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = {m for m in re.findall(r'"\$ref": "([^"]+)"', json.dumps(openapi))}
    assert refs and all(r.startswith("#/components/schemas/") and r.rsplit("/", 1)[1] in
                        openapi["components"]["schemas"] for r in refs), refs
    assert openapi["openapi"] == "3.1.0"
    for name in ("mini", "university_regulations"):
        for tail in ("", "/schema", "/evaluate", "/evaluate-table", "/provisions/{eid}"):
            assert f"/books/{name}{tail}" in openapi["paths"]
    assert {"/health", "/books"} <= set(openapi["paths"])


# ---- the command


def test_regdsl_serve_runs_a_server(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "regdsl", "serve", str(MINI), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
                time.sleep(0.1)
        assert r.json()["books"] == ["mini"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_regdsl_serve_refuses_a_bad_book_or_port():
    code, _, err = run_cli("serve", "tests/books/no-such-book")
    assert code == 2 and "E702" in err
    code, _, err = run_cli("serve", str(MINI.relative_to(ROOT)), "--port", "70000")
    assert code == 2 and "E701: --port 70000 is not a port" in err
    code, _, err = run_cli("serve", str(MINI.relative_to(ROOT)), "--max-batch", "0")
    assert code == 2 and "E701" in err


def test_a_table_by_columns_answers_as_row_by_row(books):
    """The column evaluator behind /evaluate-table gives the records of one-by-one evaluation."""
    pytest.importorskip("pyarrow")
    import datetime as dt

    from regdsl.service import table

    uni = regdsl.load(ROOT / "regulations" / "university")
    rows = [json.loads(p.read_text("utf-8")) for p in sorted((ROOT / "examples" / "university").glob("*.json"))]
    rows += [{"entry": "third_year"}, {}, {"years_enrolled": "9 years", "entry": "fifth_year"},
             {"no_such_fact": 1}, ["not", "an", "object"]]
    rows = [{"id": f"s{i}", **r} if isinstance(r, dict) else r for i, r in enumerate(rows)]
    day, names = dt.date(2026, 4, 1), tuple(uni.outcome_names)
    by_columns = table.answer_rows(uni, rows, day, names, "id")
    one_by_one = [table._one_row(uni, r, day, names, "id") for r in rows]
    assert by_columns == one_by_one
