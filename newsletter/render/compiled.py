"""The compiled-HTML cache: MJML text + toolchain -> the final HTML, kept by their hash.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from newsletter import __version__
from newsletter.errors import Problem
from newsletter.render.html import compile_mjml, inline_css, minify
from newsletter.storage.cache import KEEP_ENTRIES, code_stamp, read_entry, write_entry

TOOLCHAIN = ("mjml", "css_inline")  # the MJML compiler (MRML's bindings) and the CSS inliner


@lru_cache(maxsize=1)
def toolchain_stamp() -> str:
    """What, besides the MJML text, decides the compiled HTML: the render package's code and
    templates, and the installed compiler and inliner: every file of their packages (their
    compiled extensions included), found without importing them."""
    parts = [__version__, code_stamp(RENDER_PACKAGE)]
    for name in TOOLCHAIN:
        spec = importlib.util.find_spec(name)
        folders = list(spec.submodule_search_locations or []) if spec else []
        files = [spec.origin] if spec and spec.origin and not folders else []
        for folder in folders:
            with os.scandir(folder) as entries:
                files += sorted(e.path for e in entries if e.is_file())
        stats = []
        for path in files:
            try:
                stat = os.stat(path)
                stats.append(f"{os.path.basename(path)}:{stat.st_size}:{stat.st_mtime_ns}")
            except OSError:
                stats.append(f"{path}:?")
        parts.append(f"{name}[{','.join(stats) or '?'}]")
    return "\x1f".join(parts)


HTML_CACHE_ENTRIES = KEEP_ENTRIES
RENDER_PACKAGE = Path(__file__).parent  # its code and its templates


def preload() -> None:
    """Import and warm up the compiler and the inliner (a long-running preview calls this at
    start, so the first save does not pay for them)."""
    minify(inline_css(compile_mjml(
        "<mjml><mj-head><mj-style>/*nl:inline*/ p{margin:0}</mj-style></mj-head><mj-body>"
        "<mj-section><mj-column><mj-text><p>warm-up</p></mj-text></mj-column></mj-section>"
        "</mj-body></mjml>")))


def compiled_html(mjml_source: str, cache_dir: Path | None,
                  notices: list[Problem] | None = None) -> tuple[str, bool]:
    """MJML -> compiled, inlined, minified HTML; (html, True) when it came from the cache.

    The result depends only on the MJML text and the toolchain, so it is kept by their hash:
    rebuilding an unchanged issue (export, check, archive, a second build) skips the compiler
    and the inliner, and their imports."""
    key = hashlib.sha256((toolchain_stamp() + "\x1e" + mjml_source).encode()).hexdigest()
    cached = read_entry(cache_dir, key, ".html", notices)
    if cached is not None:
        return cached, True
    html = minify(inline_css(compile_mjml(mjml_source)))
    write_entry(cache_dir, key, ".html", html, HTML_CACHE_ENTRIES)
    return html, False
