"""One switch and one pruning policy for every cache of a workspace.
"""

from __future__ import annotations

import os
from pathlib import Path

from newsletter.workspace import Workspace

CACHE_DIR = ".newsletter-cache"


def caching_enabled() -> bool:
    """NEWSLETTER_NO_CACHE=1 turns both caches off (they never change an output)."""
    return os.environ.get("NEWSLETTER_NO_CACHE", "") in ("", "0")


def html_cache_dir(ws: Workspace) -> Path | None:
    """Where rendering keeps compiled HTML (and, in jinja/, compiled templates)."""
    return ws.root / CACHE_DIR / "html" if caching_enabled() else None
