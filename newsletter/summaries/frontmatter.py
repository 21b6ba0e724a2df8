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


# Front matter is a few plain values: no YAML alias (an alias can expand a few hundred bytes
# into gigabytes, or refer to itself), no nesting deeper than this, no number longer than
# Python turns into an int.
MAX_DEPTH = 50
MAX_DIGITS = 4300


@lru_cache(maxsize=1)
def yaml_loader() -> type:
    """The safe loader, with dates left as text (`parse.parse_published` reads them and reports
    a bad one, 2026-02-30, as a field problem instead of PyYAML raising mid-file), that refuses
    aliases, deep nesting and huge numbers with a YAMLError naming the line."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def get_single_data(self: Any) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return self.construct_document(node)

    def construct_int(self: Any, node: Any) -> Any:
        digits = len(str(node.value).replace("_", "").lstrip("+-"))  # 0x.., 0o.., 1:30 too
        if digits > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {digits:,} digits is more than a summary can hold; "
                "put it in quotes to keep it as text", node.start_mark)
        return base.construct_yaml_int(self, node)

    loader = type("FrontMatterLoader", (base,), {"get_single_data": get_single_data})
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    return loader


def _check_nodes(root: Any) -> None:
    """Walk the composed document once: a node reached twice is an alias (the composer hands
    out the anchored node again), and nothing may nest deeper than MAX_DEPTH."""
    import yaml

    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise yaml.composer.ComposerError(
                None, None, "a YAML alias (*name) repeats an anchored value (&name); front "
                "matter takes plain values only: write the value out", node.start_mark)
        if depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"values nested more than {MAX_DEPTH} levels deep",
                node.start_mark)
        seen.add(id(node))
        if isinstance(node.value, list):
            for child in node.value:
                pairs = child if isinstance(child, tuple) else (child,)
                stack.extend((item, depth + 1) for item in pairs)


def load_yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=yaml_loader())
    except yaml.YAMLError as exc:
        raise YAMLError(exc) from None
    except RecursionError:
        raise YAMLError(ValueError("values nested too deeply")) from None


_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*))?")  # value: trailing spaces off
# A plain value YAML could read otherwise: one starting with an indicator, holding a flow
# bracket, a tab, ": " or " #", or ending with ":". (Substring tests: a regex alternation tried
# at every position cost a 250-character teaser about 7 µs.)
_UNSAFE_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`~ ")


def _plain_unsafe(value: str) -> bool:
    return (value[0] in _UNSAFE_FIRST or value.endswith(":") or "[" in value or "]" in value
            or "{" in value or "}" in value or "\t" in value or ": " in value or " #" in value)


# The implicit resolvers of PyYAML's safe loader (YAML 1.1 booleans, null, numbers, the merge and
# value keys; timestamps left out, as in yaml_loader): (tag, first characters, pattern, flags),
# in PyYAML's order. Written out so that a file the fast reader takes needs no PyYAML import
# (about 25 ms of a build after an edit); tests/summaries/test_front_matter_fast.py checks that
# they are PyYAML's own, so a new PyYAML that changes them fails the suite, not the reader.
IMPLICIT_RESOLVERS: tuple[tuple[str, tuple[str, ...], str, int], ...] = (
    ("tag:yaml.org,2002:bool", tuple("yYnNtTfFoO"),
     r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""", re.X),
    ("tag:yaml.org,2002:float", tuple("-+0123456789."),
     r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X),
    ("tag:yaml.org,2002:int", tuple("-+0123456789"),
     r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""", re.X),
    ("tag:yaml.org,2002:merge", ("<",), r"^(?:<<)$", 0),
    ("tag:yaml.org,2002:null", ("~", "n", "N", ""),
     r"""^(?: ~
                    |null|Null|NULL
                    | )$""", re.X),
    ("tag:yaml.org,2002:value", ("=",), r"^(?:=)$", 0),
    ("tag:yaml.org,2002:yaml", tuple("!&*"), r"^(?:!|&|\*)$", 0),
)


@lru_cache(maxsize=1)
def implicit_resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """IMPLICIT_RESOLVERS as PyYAML keeps them: by first character ("" for the empty value),
    each list in PyYAML's order."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, firsts, pattern, flags in IMPLICIT_RESOLVERS:
        compiled = re.compile(pattern, flags)
        for first in firsts:
            table.setdefault(first, []).append((tag, compiled))
    return table


def _plain_scalar(value: str) -> str | None:
    """`value` if YAML would read it as this very string, else None."""
    if not value or _plain_unsafe(value):
        return None
    for _tag, pattern in implicit_resolvers().get(value[0], ()):
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
        key, value = match.group(1), match.group(2).rstrip(" ")
        if value.startswith("[") and value.endswith("]"):
            inner = value[1:-1].strip(" ")  # YAML's spaces only: a no-break space is text
            items = [_plain_scalar(item.strip(" ")) for item in inner.split(",")] if inner else []
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


_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")


def normalize_lines(text: str) -> str:
    """CRLF, a lone CR and the Unicode line and paragraph separators as LF: every line break
    as YAML and Markdown read it, and as the email's plain text writes it."""
    if "\r" not in text and "\u2028" not in text and "\u2029" not in text:
        return text
    return _LINE_BREAKS.sub("\n", text)


def read_body(path: str | Path) -> str:
    """The body of a summary file (everything after the front matter)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:  # removed or locked since the archive was read
        raise ContentError(
            f"{path} could not be read again ({exc.strerror}); build once more") from None
    text = normalize_lines(raw.decode("utf-8-sig", errors="replace"))
    lines = text.split("\n")
    end = front_matter_end(lines) if lines and lines[0].strip() == "---" else None
    return "\n".join(lines[end + 1:]) if end is not None else ""
