"""Front matter: PyYAML's safe loader with dates left as text, and a fast path for the common
case. PyYAML is imported on first use: a build whose files are all in the index cache never
needs it."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsletter.errors import ContentError


class YAMLError(Exception):
    """Raised for invalid YAML (wraps PyYAML's error, keeping its `problem` and `problem_mark`)."""

    def __init__(self, original: Exception) -> None:
        super().__init__(str(original))
        self.problem = getattr(original, "problem", None)
        self.problem_mark = getattr(original, "problem_mark", None)


@lru_cache(maxsize=1)
def yaml_loader() -> type:
    """The safe loader, with dates left as text: `content.parse_published` reads them and reports
    a bad one (2026-02-30) as a field problem instead of PyYAML raising mid-file."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = type("FrontMatterLoader", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return loader


def load_yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=yaml_loader())
    except yaml.YAMLError as exc:
        raise YAMLError(exc) from None


_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*?))?[ ]*")
_PLAIN_UNSAFE = re.compile(r"""^[-?:,\[\]{}#&*!|>'"%@`~ ]|[\[\]{}]|: | #|:$|\t""")


def _plain_scalar(value: str) -> str | None:
    """`value` if YAML would read it as this very string, else None."""
    if not value or _PLAIN_UNSAFE.search(value):
        return None
    resolvers = yaml_loader().yaml_implicit_resolvers
    for _tag, pattern in resolvers.get(value[0], []) + resolvers.get(None, []):
        if pattern.match(value):
            return None  # a number, boolean or null: leave it to YAML
    return value


def simple_front_matter(lines: list[str]) -> dict[str, Any] | None:
    """A fast reading of the common front matter (`key: plain text`, `key: [a, b]`), or None
    whenever any line could mean something else, in which case PyYAML reads it. The results are
    the same as PyYAML's for every input this accepts (a test compares them)."""
    meta: dict[str, Any] = {}
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None or match.group(2) is None:
            return None
        key, value = match.group(1), match.group(2)
        if value.startswith("[") and value.endswith("]"):
            inner = value[1:-1].strip()
            items = [_plain_scalar(item.strip()) for item in inner.split(",")] if inner else []
            if any(item is None for item in items):
                return None
            meta[key] = items
        else:
            scalar = _plain_scalar(value)
            if scalar is None:
                return None
            meta[key] = scalar
    return meta


def front_matter_end(lines: list[str]) -> int | None:
    return next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)


def read_body(path: str | Path) -> str:
    """The body of a summary file (everything after the front matter)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:  # removed or locked since the archive was read
        raise ContentError(
            f"{path} could not be read again ({exc.strerror}); build once more") from None
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    lines = text.split("\n")
    end = front_matter_end(lines) if lines and lines[0].strip() == "---" else None
    return "\n".join(lines[end + 1:]) if end is not None else ""
