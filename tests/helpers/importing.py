"""Shared helpers of the import tests (a plain module: conftest.py belongs to the core)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from helpers import TESTS
from newsletter.importing.run import ImportOptions, ImportResult, import_sources
from newsletter.workspace import Workspace

FIXTURES = TESTS / "fixtures" / "import"



def run_import(ws: Workspace, *sources: str | Path, stdin: bytes | None = None,
               cwd: Path | None = None, **options: Any) -> ImportResult:
    """Import as the command would from `cwd` (default: the workspace); sources relative to it
    are shown as given."""
    cwd = cwd or ws.root
    names = [str(s.relative_to(cwd)) if isinstance(s, Path) and s.is_relative_to(cwd) else str(s)
             for s in sources]
    return import_sources(ws, names, ImportOptions(**options), stdin=stdin, cwd=cwd)


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def written(ws: Workspace) -> dict[str, str]:
    """Every file under the summaries folder (relative path -> text), temporary files included."""
    root = ws.summaries_path
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*")) if p.is_file()}


def messages(result: ImportResult) -> list[str]:
    return [str(p) for p in result.invalid_problems()]
