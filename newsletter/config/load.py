"""Reading newsletter.toml: one walk over the schema that collects every problem (as mkdocs does).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import MISSING, Field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from newsletter.config.fields import control_free, toml_key
from newsletter.config.schema import Config, DisabledCheck, check_id, unknown_check_id
from newsletter.errors import ConfigError, Problem
from newsletter.values import type_name

CONFIG_FILE = "newsletter.toml"


class _Invalid:
    """Marker for a value that failed its type check (a problem was already recorded)."""


_INVALID = _Invalid()
_TYPE_NAMES = {str: "text (a quoted string)", int: "a whole number", bool: "true or false"}


def _type_name(tp: Any) -> str:
    if get_origin(tp) is tuple:
        return f"a list of {_type_name(get_args(tp)[0])}"
    if is_dataclass(tp):
        return f"a table ([{tp.__name__.lower()}])"
    return _TYPE_NAMES.get(tp, getattr(tp, "__name__", str(tp)))


class _Validator:
    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def add(self, key: str, message: str, fix: str | None = None) -> None:
        self.problems.append(Problem(self.where, message, field=key, fix=fix))

    def load(self, cls: type, data: dict[str, Any], prefix: str) -> Any:
        hints = get_type_hints(cls)
        known = {toml_key(f): f for f in fields(cls)}
        for key in data:
            if key not in known:
                self._unknown(prefix + key, key, list(known))
        values: dict[str, Any] = {}
        complete = True
        for key, f in known.items():
            path = prefix + key
            if key not in data:
                if f.metadata.get("required"):
                    self.add(path, "is required", f"add `{key} = ...` ({f.metadata['doc']})")
                    complete = False
                continue
            value = self.coerce(hints[f.name], data[key], path)
            if value is _INVALID:
                continue
            message = control_free(value, f.metadata.get("multiline", False))
            if message:
                self.add(path, message, "remove it (write the value on one line, without "
                         "escapes such as \\r or \\u0000)" if not f.metadata.get("multiline")
                         else "remove it (line breaks and tabs are the only ones allowed)")
                continue
            message = f.metadata["check"](value) if f.metadata.get("check") else None
            if message:
                self.add(path, message, _fix_for(f))
                continue
            values[f.name] = value
        return cls(**values) if complete else _INVALID

    def _unknown(self, path: str, key: str, known: list[str]) -> None:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(known)
        self.add(path, "unknown key", f"remove it or rename it ({hint})")

    def coerce(self, tp: Any, value: Any, path: str) -> Any:
        if get_origin(tp) is tuple:
            if not isinstance(value, list):
                self.add(path, f"must be {_type_name(tp)}, got {type_name(value, 'a table')}")
                return _INVALID
            item_type = get_args(tp)[0]
            items = [self.coerce(item_type, v, f"{path}[{i}]") for i, v in enumerate(value)]
            return _INVALID if any(i is _INVALID for i in items) else tuple(items)
        if is_dataclass(tp):
            if not isinstance(value, dict):
                self.add(path, f"must be {_type_name(tp)}, got {type_name(value, 'a table')}")
                return _INVALID
            return self.load(tp, value, path + ".")
        if (tp is int and isinstance(value, bool)) or not isinstance(value, tp):
            self.add(path, f"must be {_type_name(tp)}, got {type_name(value, 'a table')}")
            return _INVALID
        return value


def _fix_for(f: Field[Any]) -> str:
    default = f.default if f.default is not MISSING else None
    if isinstance(default, str) and default:
        return f"{f.metadata['doc']} Default: \"{default}\""
    return str(f.metadata["doc"])


def _check_ids(data: dict[str, Any], v: _Validator, known: Callable[[], Sequence[str]]) -> None:
    """`[checks] disable` must name checks that exist. The caller says which (config does not
    depend on the checks package); read from the raw table so that it is reported alongside
    the entries' other problems."""
    table = data.get("checks")
    entries = table.get("disable") if isinstance(table, dict) else None
    if not isinstance(entries, list):
        return
    ids = [(i, e["id"]) for i, e in enumerate(entries)
           if isinstance(e, dict) and isinstance(e.get("id"), str) and e["id"]
           and check_id(e["id"]) is None]
    if not ids:
        return
    doc = next(f for f in fields(DisabledCheck) if f.name == "id").metadata["doc"]
    names = known()
    for i, value in ids:
        message = unknown_check_id(value, names)
        if message:
            v.add(f"checks.disable[{i}].id", message, doc)


def _cross_checks(config: Config, v: _Validator) -> None:
    if any((p.field or "").startswith("themes") for p in v.problems):
        return  # the taxonomy itself is wrong: checks against it would only add noise
    ids = [t.id for t in config.themes]
    if not ids:
        v.add("themes", "at least one theme is needed", "add a [[themes]] table or remove them all "
              "to use the default taxonomy")
        return
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        v.add("themes", f"theme id '{dup}' is used more than once", "give each theme its own id")
    if config.send_test.starttls and config.send_test.ssl:
        v.add("send_test.ssl", "starttls and ssl are both true", "keep one: starttls = true for "
              "port 587, or ssl = true for port 465")
    if config.fallback_theme not in ids:
        v.add("fallback_theme", f"'{config.fallback_theme}' is not one of the themes "
              f"({', '.join(ids)})", "set it to the theme that should take unmatched summaries")


def parse_config(text: str, where: str = CONFIG_FILE,
                 known_checks: Callable[[], Sequence[str]] | None = None) -> Config:
    """Parse and validate newsletter.toml text; raise ConfigError listing every problem.

    `known_checks` (a function giving the ids `newsletter check` knows, called only when
    `[checks] disable` lists any) lets those be checked too."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise ConfigError(
            f"{where} is not valid TOML",
            [Problem(where, str(exc), line=line, fix="check the quoting and brackets on that line")],
        ) from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits; deep nesting
        raise ConfigError(f"{where} cannot be read", [Problem(
            where, toml_limit_message(exc), fix="shorten that value")]) from None
    v = _Validator(where)
    if known_checks is not None:
        _check_ids(data, v, known_checks)
    config = v.load(Config, data, "")
    if isinstance(config, Config):
        _cross_checks(config, v)
    if v.problems:
        count = len(v.problems)
        raise ConfigError(f"{where} has {count} problem{'s' * (count != 1)}", v.problems)
    return config


def load_config(path: Path, known_checks: Callable[[], Sequence[str]] | None = None) -> Config:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path.name} is not UTF-8 text", [Problem(
            path.name, f"byte {exc.start} is not UTF-8", fix="save the file as UTF-8")]) from None
    return parse_config(text, path.name, known_checks)


def toml_limit_message(exc: Exception) -> str:
    """What tomllib's ValueError (a number over 4,300 digits) or RecursionError means."""
    if isinstance(exc, RecursionError):
        return "values are nested too deeply"
    return "a number has more than 4,300 digits (put it in quotes to keep it as text)"


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
