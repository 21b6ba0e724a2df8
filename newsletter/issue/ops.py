"""The edit operations on an issue file, as the desk sends them and `newsletter edit` builds them.

Each op is parsed from a mapping (`{"op": "feature", "id": ...}`), checked against the summaries
and themes (an unknown id or theme names the op and the closest known one), then applied to a
tomlkit document so that everything else in the file stays as it was.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.items import Array, Table

from newsletter.errors import NewsletterError
from newsletter.issue.spec import IssueSpec
from newsletter.summaries.model import Library

ID_OPS = ("feature", "unfeature", "exclude", "restore", "include")
OPS = (*ID_OPS, "move", "order", "theme_order", "set")
SET_FIELDS = ("subject", "preheader", "intro", "max_per_section")


class EditError(NewsletterError):
    """An edit that cannot be made: a malformed op, one naming something unknown, or a result
    that would not be a valid issue file (the desk answers 400; nothing is written)."""


@dataclass(frozen=True)
class Op:
    number: int
    kind: str
    id: str | None = None
    theme: str | None = None
    ids: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    field: str | None = None
    value: Any = None

    @property
    def name(self) -> str:
        return f"op {self.number} ({self.kind})"

    def fail(self, message: str) -> EditError:
        return EditError(f"{self.name}: {message}")

    def check(self, library: Library, theme_ids: tuple[str, ...]) -> None:
        """Every summary id and theme the op names exists."""
        for ref in ([self.id] if self.id is not None else []) + list(self.ids):
            if library.get(ref) is None:
                raise self.fail(f"no summary has the id '{ref}'{_hint(ref, library.ids())}")
        for theme in ([self.theme] if self.theme is not None else []) + list(self.themes):
            if theme not in theme_ids:
                raise self.fail(f"unknown theme '{theme}'{_hint(theme, list(theme_ids))}; "
                                f"themes: {', '.join(theme_ids)}")

    def apply(self, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
        """Change `doc`; return what changed, one line each (empty when nothing did)."""
        return APPLY[self.kind](self, doc, issue)


def parse_op(number: int, raw: Any) -> Op:
    """An Op from its JSON form; EditError names the op by its position."""
    if not isinstance(raw, Mapping):
        raise EditError(f"op {number}: must be an object such as {{\"op\": \"feature\", \"id\": ...}}")
    kind = raw.get("op")
    if kind not in OPS:
        raise EditError(f"op {number}: unknown op {kind!r}; use one of: {', '.join(OPS)}")
    op = Op(number, kind)

    def text(key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise op.fail(f"needs \"{key}\" (text)")
        return value.strip()

    def texts(key: str) -> tuple[str, ...]:
        value = raw.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise op.fail(f"needs \"{key}\" (a list of ids)")
        return tuple(dict.fromkeys(value))

    if kind in ID_OPS:
        return Op(number, kind, id=text("id"))
    if kind == "move":
        return Op(number, kind, id=text("id"), theme=text("theme"))
    if kind == "order":
        return Op(number, kind, theme=text("theme"), ids=texts("ids"))
    if kind == "theme_order":
        return Op(number, kind, themes=texts("themes"))
    return _parse_set(op, raw)


def _parse_set(op: Op, raw: Mapping[str, Any]) -> Op:
    name, value = raw.get("field"), raw.get("value")
    if name not in SET_FIELDS:
        raise op.fail(f"\"field\" must be one of: {', '.join(SET_FIELDS)}")
    if value == "":
        value = None
    if name == "max_per_section":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise op.fail("max_per_section must be a whole number above 0, or null to remove it")
    elif value is not None and not isinstance(value, str):
        raise op.fail(f"{name} must be text, or \"\"/null to remove it")
    if isinstance(value, str) and name != "intro" and ("\n" in value or "\r" in value):
        raise op.fail(f"{name} must be one line")
    return Op(op.number, op.kind, field=name, value=value)


def _hint(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --- applying ---------------------------------------------------------------------------------


def _array(doc: tomlkit.TOMLDocument, key: str) -> Array:
    if key not in doc:
        _set_top(doc, key, tomlkit.array())
    return doc[key]  # type: ignore[return-value]


def _set_top(doc: tomlkit.TOMLDocument, key: str, value: Any) -> None:
    """Add or replace a top-level key (tomlkit keeps a new one above the file's tables)."""
    doc[key] = value


def _table(doc: tomlkit.TOMLDocument, key: str) -> Table:
    if key not in doc:
        doc.add(key, tomlkit.table())
    return doc[key]  # type: ignore[return-value]


def _add(doc: tomlkit.TOMLDocument, key: str, ref: str) -> list[str]:
    array = _array(doc, key)
    if ref in array:
        return []
    array.append(ref)
    return [f"{key}: + {ref}"]


def _drop(doc: tomlkit.TOMLDocument, key: str, ref: str) -> list[str]:
    if key not in doc or ref not in doc[key]:
        return []
    array = doc[key]
    del array[list(array).index(ref)]
    if not array:
        del doc[key]
    return [f"{key}: - {ref}"]


def _feature(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    assert op.id is not None
    return _drop(doc, "exclude", op.id) + _add(doc, "featured", op.id)


def _unfeature(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    assert op.id is not None
    return _drop(doc, "featured", op.id)


def _exclude(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    assert op.id is not None
    changes = _drop(doc, "featured", op.id)
    if op.id in issue.include:  # pulled in from outside the range: leaving it out is enough
        return changes + _drop(doc, "include", op.id)
    return changes + _add(doc, "exclude", op.id)


def _restore(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    assert op.id is not None
    return _drop(doc, "exclude", op.id)


def _include(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    assert op.id is not None
    return _drop(doc, "exclude", op.id) + _add(doc, "include", op.id)


def _move(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    assert op.id is not None and op.theme is not None
    if issue.move.get(op.id) == op.theme:
        return []
    changes = []
    if "order" in doc:  # the card leaves the order of the section it was in
        for theme, ids in list(doc["order"].items()):
            if theme != op.theme and op.id in ids:
                del ids[list(ids).index(op.id)]
                changes.append(f"order.{theme}: - {op.id}")
    _table(doc, "move")[op.id] = op.theme
    return [*changes, f"move: {op.id} -> {op.theme}"]


def _order(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    assert op.theme is not None
    if issue.order.get(op.theme) == op.ids:
        return []
    _table(doc, "order")[op.theme] = list(op.ids)
    return [f"order.{op.theme}: {', '.join(op.ids)}"]


def _theme_order(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    if issue.theme_order == op.themes:
        return []
    _set_top(doc, "theme_order", list(op.themes))
    return [f"theme_order: {', '.join(op.themes)}"]


def _set(op: Op, doc: tomlkit.TOMLDocument, issue: IssueSpec) -> list[str]:
    assert op.field is not None
    key, value = op.field, op.value
    if value is None:
        if key not in doc:
            return []
        del doc[key]
        return [f"{key}: removed" + (" (computed at build)" if key in ("subject", "preheader")
                                     else "")]
    if key in doc and doc[key] == value:
        return []
    item = tomlkit.string(value if value.endswith("\n") else value + "\n", multiline=True) \
        if key == "intro" and "\n" in value else value
    _set_top(doc, key, item)
    shown = value if key != "intro" else f"{len(value)} characters"
    return [f"{key}: {shown}"]


APPLY: dict[str, Callable[[Op, tomlkit.TOMLDocument, IssueSpec], list[str]]] = {
    "feature": _feature, "unfeature": _unfeature, "exclude": _exclude, "restore": _restore,
    "include": _include, "move": _move, "order": _order, "theme_order": _theme_order,
    "set": _set,
}
