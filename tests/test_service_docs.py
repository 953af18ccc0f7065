"""docs/service.md shows what the server answers: every example request is sent to a running server.

Each ```http block that starts with a method is a request (its headers, a
blank line, its body); the ```http block after it is the response: its
status, its media type and its body must be what the server answers.  In a
documented JSON body, `"..."` stands for anything: as a value, any value; as
a key (`"...": "..."`), any further keys; as the last item of a list, any
further items.  JSON Lines are compared line by line.
"""

from __future__ import annotations

import json
import re

import pytest

httpx = pytest.importorskip("httpx", reason="httpx is installed with the test extras")
pytest.importorskip("starlette", reason="starlette is installed with the serve extras")

import regdsl  # noqa: E402
from conftest import REGULATIONS, ROOT  # noqa: E402
from service_helpers import running  # noqa: E402

DOC = ROOT / "docs" / "service.md"
BLOCKS = re.findall(r"```http\n(.*?)```", DOC.read_text(), re.S)
METHODS = ("GET ", "POST ", "PUT ", "DELETE ")


def examples() -> list:
    pairs = []
    for i, block in enumerate(BLOCKS):
        if block.startswith(METHODS):
            assert i + 1 < len(BLOCKS) and BLOCKS[i + 1].startswith("HTTP/1.1 "), f"no response after:\n{block}"
            pairs.append(pytest.param(block, BLOCKS[i + 1], id=block.split("\n", 1)[0]))
    return pairs


def split(block: str) -> tuple[str, dict[str, str], str]:
    head, _, body = block.partition("\n\n")
    first, *headers = head.split("\n")
    return first, dict(h.split(": ", 1) for h in headers if h), body.strip()


def matches(doc, got, where: str = "") -> None:
    """Whether `got` is what the docs show (`"..."` stands for what is left out)."""
    if doc == "...":
        return
    if isinstance(doc, dict):
        assert isinstance(got, dict), f"{where}: {got!r} is not an object"
        keys = [k for k in doc if k != "..."]
        missing = [k for k in keys if k not in got]
        assert not missing, f"{where}: the answer has no {missing}"
        if "..." not in doc:
            assert sorted(got) == sorted(keys), f"{where}: the answer also has {sorted(set(got) - set(keys))}"
        for k in keys:
            matches(doc[k], got[k], f"{where}/{k}")
    elif isinstance(doc, list):
        assert isinstance(got, list), f"{where}: {got!r} is not a list"
        more = bool(doc) and doc[-1] == "..."
        items = doc[:-1] if more else doc
        assert len(got) >= len(items) if more else len(got) == len(items), f"{where}: {len(got)} items"
        for i, (a, b) in enumerate(zip(items, got)):
            matches(a, b, f"{where}/{i}")
    else:
        assert doc == got, f"{where}: the docs say {doc!r}, the server {got!r}"


@pytest.fixture(scope="module")
def client():
    books = [regdsl.load(REGULATIONS / "university"), regdsl.load(REGULATIONS / "graduate")]
    with running(books) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


def test_the_page_has_examples():
    assert len(examples()) >= 8


@pytest.mark.parametrize(("request_block", "response_block"), examples())
def test_each_example_is_what_the_server_answers(client, request_block, response_block):
    first, headers, body = split(request_block)
    method, path, version = first.split(" ")
    assert version == "HTTP/1.1"
    r = client.request(method, path, headers=headers, content=body.encode() if body else None)
    status, want_headers, want = split(response_block)
    assert r.status_code == int(status.split()[1]), r.text
    kind = r.headers["content-type"].split(";")[0]
    assert kind == want_headers["Content-Type"]
    if kind == "application/jsonl":
        got_lines = [json.loads(line) for line in r.text.splitlines()]
        want_lines = [json.loads(line) for line in want.splitlines()]
        matches(want_lines, got_lines)
    else:
        matches(json.loads(want), r.json())
