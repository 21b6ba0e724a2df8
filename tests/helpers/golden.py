"""Golden files: the rendered email compared by structure, not by bytes.

`structure(html)` turns an HTML document into one line per element, text node and kept comment,
indented by depth, with attributes sorted and style declarations normalised, so a diff shows what
changed in the email rather than how it was serialised. `scripts/regen_golden.py` rewrites the
expected files after an intended change (`make golden`).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import lxml.html

from helpers import REPO
from newsletter.build import build
from newsletter.workspace import open_workspace

GOLDEN = REPO / "tests" / "golden"
CASES: dict[str, tuple[Path, str]] = {
    "sample-2026-05": (REPO, "2026-05"),
    "edge-cases": (GOLDEN / "edge-cases" / "input", "2026-05"),
}


def _style(value: str) -> str:
    parts = [p.strip() for p in value.split(";") if p.strip()]
    return ";".join(re.sub(r"\s*:\s*", ":", p, count=1) for p in parts)


def _attrs(element: lxml.html.HtmlElement) -> str:
    items = []
    for name in sorted(element.attrib):
        value = element.attrib[name]
        items.append(f'{name}="{_style(value) if name == "style" else value}"')
    return (" " + " ".join(items)) if items else ""


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    collapsed = re.sub(r"\s+", " ", value).strip()
    return collapsed or None


def structure(document: str) -> str:
    root = lxml.html.document_fromstring(document)
    lines: list[str] = []

    def walk(node: lxml.html.HtmlElement, depth: int) -> None:
        pad = "  " * depth
        if isinstance(node, lxml.html.HtmlComment):
            lines.append(f"{pad}<!--{_text(node.text) or ''}-->")
        else:
            lines.append(f"{pad}<{node.tag}{_attrs(node)}>")
            text = _text(node.text)
            if text:
                lines.append(f"{pad}  {text}")
            for child in node:
                walk(child, depth + 1)
        tail = _text(node.tail)
        if tail and depth > 0:
            lines.append(f"{pad}{tail}")

    walk(root, 0)
    return "\n".join(lines) + "\n"


def render_case(name: str) -> dict[str, str]:
    """The files a golden case compares, rendered now (from a copy: no cache, nothing written)."""
    root, issue = CASES[name]
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "ws"
        copy.mkdir()
        shutil.copy(root / "newsletter.toml", copy / "newsletter.toml")
        for folder in ("summaries", "issues", "templates"):
            if (root / folder).is_dir():
                shutil.copytree(root / folder, copy / folder)
        result = build(open_workspace(copy), issue, write=False)
    manifest = dict(result.manifest)
    manifest.pop("generator", None)
    return {
        "email.html.structure": structure(result.html),
        "email.txt": result.text,
        "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
    }


def expected_dir(name: str) -> Path:
    return GOLDEN / name / "expected"
