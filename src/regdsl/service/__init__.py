"""`regdsl serve`: the books over HTTP (Starlette on uvicorn), with a playground page.

Installed with the `[serve]` extra; nothing here is imported by the rest of
regdsl, so the core install stays light.  See docs/service.md.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError


def serve(books: list[Any], host: str = "127.0.0.1", port: int = 8000, *, max_body: int | None = None,
          max_batch: int | None = None) -> None:
    """Serve `books` (loaded and checked) until interrupted."""
    try:
        import uvicorn

        from .app import create_app
        from .body import Limits
    except ImportError as e:
        raise UsageError(f"`regdsl serve` needs {e.name or 'starlette and uvicorn'}: "
                         "pip install 'regdsl[serve]'", code="E701") from None
    defaults = Limits()
    limits = Limits(max_body=max_body or defaults.max_body, max_batch=max_batch or defaults.max_batch)
    app = create_app(books, limits)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False,
                h11_max_incomplete_event_size=64 * 1024)
