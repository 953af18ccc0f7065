"""The language server for .reg books (`regdsl lsp`); needs the `lsp` extra (pygls, lsprotocol).

Nothing here is imported until the server starts, so the rest of regdsl runs without pygls.
"""

from __future__ import annotations


def serve_stdio() -> None:
    """Serve the Language Server Protocol over standard input and output until the client says exit.

    Raises UsageError (E701) when pygls or lsprotocol is not installed."""
    from ...errors import UsageError

    try:
        from .server import serve
    except ImportError as e:
        missing = (e.name or "pygls").split(".")[0]
        raise UsageError(f"the language server needs pygls and lsprotocol ({missing} is not installed); "
                         "install them with `pip install 'regdsl[lsp]'`", code="E701") from None
    serve()
