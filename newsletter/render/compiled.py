"""The compiled-HTML cache: MJML text + toolchain -> the final HTML, kept by their hash.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from newsletter import __version__
from newsletter.output import atomic_write
from newsletter.render.html import compile_mjml, inline_css, minify


@lru_cache(maxsize=1)
def _toolchain_stamp() -> str:
    """What, besides the MJML text, decides the compiled HTML: this module's code and the
    installed compiler and inliner (found without importing them)."""
    parts = [__version__, hashlib.sha256(Path(__file__).read_bytes()).hexdigest()]
    for name in ("mjml", "premailer", "cssutils", "lxml", "bs4"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        try:
            stat = os.stat(origin)
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:?")
    return "\x1f".join(parts)


HTML_CACHE_ENTRIES = 64


def preload() -> None:
    """Import and warm up the compiler and the inliner (a long-running preview calls this at
    start, so the first save does not pay for them)."""
    minify(inline_css(compile_mjml(
        "<mjml><mj-head><mj-style>/*nl:inline*/ p{margin:0}</mj-style></mj-head><mj-body>"
        "<mj-section><mj-column><mj-text><p>warm-up</p></mj-text></mj-column></mj-section>"
        "</mj-body></mjml>")))


def compiled_html(mjml_source: str, cache_dir: Path | None) -> tuple[str, bool]:
    """MJML -> compiled, inlined, minified HTML; (html, True) when it came from the cache.

    The result depends only on the MJML text and the toolchain, so it is kept by their hash:
    rebuilding an unchanged issue (export, check, archive, a second build) skips the compiler
    and the inliner, and their imports."""
    key = hashlib.sha256((_toolchain_stamp() + "\x1e" + mjml_source).encode()).hexdigest()
    path = cache_dir / f"{key}.html" if cache_dir is not None else None
    if path is not None:
        try:
            return path.read_text(encoding="utf-8"), True
        except (OSError, UnicodeDecodeError):
            pass
    html = minify(inline_css(compile_mjml(mjml_source)))
    if path is not None and cache_dir is not None:
        try:
            atomic_write(path, html)
            _prune(cache_dir)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return html, False


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.html"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[HTML_CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)
