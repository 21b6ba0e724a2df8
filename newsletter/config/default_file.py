"""The commented default newsletter.toml, written from the schema so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, fields, is_dataclass
from typing import Any, get_type_hints

from newsletter.config.fields import toml_key
from newsletter.config.schema import DEFAULT_THEMES, Config


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _default_of(f: Field[Any]) -> Any:
    """A field's default, also for list defaults (which dataclasses keep as a factory)."""
    if f.default is MISSING and f.default_factory is not MISSING:
        return f.default_factory()
    return f.default


def render_default_toml(values: dict[str, Any] | None = None) -> str:
    """A commented newsletter.toml: every setting with its documentation and default.

    Keys given in `values` are written active; every other key is written commented out,
    showing its default, so the file documents the whole schema.
    """
    values = values or {}
    out = [
        "# newsletter.toml: settings of this newsletter workspace.",
        "# Every key is optional; a commented-out key shows its default.",
        "# Reference: the README's 'Configuration' section.",
        "",
    ]
    hints = get_type_hints(Config)
    tables = [f for f in fields(Config) if is_dataclass(hints[f.name])]
    for f in fields(Config):
        if f in tables or f.name == "themes":
            continue
        out.append(f"# {f.metadata['doc']}")
        if f.name in values:
            out.append(f"{f.name} = {_toml_value(values[f.name])}")
        else:
            out.append(f"# {f.name} = {_toml_value(f.default)}")
    for f in tables:
        out += ["", f"# {f.metadata['doc']}", f"[{toml_key(f)}]"]
        for sub in fields(hints[f.name]):
            out.append(f"# {sub.name} = {_toml_value(_default_of(sub))}  # {sub.metadata['doc']}")
    out += [
        "",
        "# The taxonomy: [[themes]] tables in section order replace the default one",
        "# (" + ", ".join(t.id for t in DEFAULT_THEMES) + "). One theme looks like this:",
        "# [[themes]]",
        '# id = "treatments"',
        '# label = "Treatments & therapies"',
        '# keywords = ["treatment", "therapy", "drug", "dose", "clinical trial"]',
        '# colour = "#1f6f8b"',
        "",
    ]
    return "\n".join(out)
