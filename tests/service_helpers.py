"""A real `regdsl serve` for tests: uvicorn in a thread on a free loopback port, spoken to with httpx."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Iterator

import regdsl
from conftest import REGULATIONS, ROOT

MINI = ROOT / "tests" / "books" / "mini"
BOOKS = [MINI, REGULATIONS / "university", REGULATIONS / "graduate"]


@contextlib.contextmanager
def running(books: list[regdsl.Book], **limits) -> Iterator[str]:
    """A server for `books` while the block runs; its base URL."""
    import uvicorn

    from regdsl.service.app import create_app
    from regdsl.service.body import Limits

    app = create_app(books, Limits(**limits))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
