"""The per-user cache directory (never a predictable shared temporary path)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path | None:
    """`$REGDSL_CACHE_DIR`, else `$XDG_CACHE_HOME/regdsl`, else `~/.cache/regdsl`.

    Created private to the user; None when it cannot be created (no caching).
    """
    if os.environ.get("REGDSL_NO_CACHE"):
        return None
    root = os.environ.get("REGDSL_CACHE_DIR")
    if root:
        path = Path(root)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "regdsl"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if hasattr(os, "getuid") and path.stat().st_uid != os.getuid():
            return None
    except OSError:
        return None
    return path
