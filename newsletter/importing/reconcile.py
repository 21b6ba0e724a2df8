"""Imported records against the archive: ids, new/unchanged/updated/conflict, and writing."""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.errors import OutputError, Problem
from newsletter.importing.readers.base import slugify
from newsletter.importing.records import (
    TEXT_KEYS,
    Item,
    canonical_meta,
    comparable_value,
    normalize_published,
    problem,
    render_file,
)
from newsletter.storage.journal import STAGING, Move, commit_files
from newsletter.storage.output import default_mode
from newsletter.summaries.listing import iter_summary_files
from newsletter.summaries.names import is_reserved_id
from newsletter.summaries.parse import FileProblems, read_source
from newsletter.workspace import Workspace


@dataclass
class Existing:
    """A summary file already in the archive (read leniently: it may be invalid)."""

    path: Path
    id: str
    url: str | None
    meta: dict[str, Any] | None
    body: str


# --- ids ----------------------------------------------------------------------------------------


def index_archive(ws: Workspace) -> dict[str, dict[str, Existing]]:
    """Every summary file already in the archive, by id and by url (invalid files included)."""
    by_id: dict[str, Existing] = {}
    by_url: dict[str, Existing] = {}
    if not ws.summaries_path.is_dir():
        return {"id": by_id, "url": by_url}
    for _rel, file, _stat in iter_summary_files(ws.summaries_path,
                                                shown=ws.relative(ws.summaries_path)):
        path = Path(file)
        source = read_source(path.read_bytes(), FileProblems(path.name))  # problems: not ours
        meta = source.meta if source else None
        given = meta.get("id") if meta else None
        summary_id = str(given).strip() if isinstance(given, (str, int)) and given != "" \
            else path.stem
        url = meta.get("url") if meta else None
        url = re.sub(r"\s+", " ", url).strip() if isinstance(url, str) else None
        entry = Existing(path, summary_id, url, meta, source.body if source else "")
        by_id.setdefault(summary_id, entry)
        if url:
            by_url.setdefault(url, entry)
    return {"id": by_id, "url": by_url}


def assign_ids(items: list[Item], existing: dict[str, dict[str, Existing]], ws: Workspace) -> None:
    """Own ids first (a repeat is an error), then derived ones (a clash gets -2, -3, ...)."""
    valid = [i for i in items if i.status == "valid" and i.summary is not None]
    taken: dict[str, Item] = {}
    urls: dict[str, Item] = {}
    for item in valid:
        assert item.summary is not None
        url = item.summary.url
        if url in urls:
            _duplicate(item, urls[url], "url", url)
            continue
        urls[url] = item
        if item.explicit_id:
            if is_reserved_id(item.summary.id):
                item.status = "invalid"
                item.problems.append(problem(
                    item, f"'{item.summary.id}' is a reserved name: a file {item.summary.id}.md "
                    "is a folder's notes, which builds never read as a summary", "id",
                    "give the record another id"))
                continue
            if item.summary.id in taken:
                _duplicate(item, taken[item.summary.id], "id", item.summary.id)
                continue
            item.id = item.summary.id
            taken[item.id] = item
    for item in valid:
        if item.status != "valid" or item.id is not None:
            continue
        assert item.summary is not None
        same_url = existing["url"].get(item.summary.url)
        if same_url is not None and same_url.id not in taken:
            item.id = same_url.id  # the summary this record already is
        else:
            item.id = _free_id(_base_id(item), taken, existing["id"], item, ws)
        taken[item.id] = item


def _base_id(item: Item) -> str:
    assert item.summary is not None
    base = item.default_id or slugify(item.summary.title)
    return base or "summary-" + hashlib.sha1(item.summary.url.encode("utf-8")).hexdigest()[:8]


def _free_id(base: str, taken: dict[str, Item], archive: dict[str, Existing], item: Item,
             ws: Workspace) -> str:
    candidate, n = base, 1
    while (candidate in taken or candidate in archive or is_reserved_id(candidate)
           or _target(ws, item, candidate).exists()):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _duplicate(item: Item, first: Item, key: str, value: str) -> None:
    item.status = "invalid"
    item.problems.append(problem(
        item, f"duplicate record: {key} '{value}' is also used by {_place(first)}", key,
        "remove one of the two records, or give them different values"))


def _place(item: Item) -> str:
    return item.where if item.line is None else f"{item.where}:{item.line}"


def _target(ws: Workspace, item: Item, summary_id: str) -> Path:
    assert item.summary is not None
    moment = item.summary.published
    return ws.summaries_path / f"{moment.year:04d}" / f"{moment.month:02d}" / f"{summary_id}.md"


# --- the archive --------------------------------------------------------------------------------


def comparable(meta: dict[str, Any], body: str, summary_id: str) -> dict[str, Any]:
    """Front matter and body as they are compared: normalised, with the id filled in."""
    data = dict(meta)
    data["id"] = summary_id
    for key in TEXT_KEYS:
        if isinstance(data.get(key), str):
            data[key] = re.sub(r"\s+", " ", data[key]).strip()
    if "published" in data:
        value, error = normalize_published(data["published"])
        data["published"] = data["published"] if error else value
    if isinstance(data.get("themes"), str):
        data["themes"] = [data["themes"]]
    data = {key: comparable_value(value) for key, value in canonical_meta(data).items()}
    data["body"] = "\n".join(ln.rstrip() for ln in body.split("\n")).strip("\n")
    return data


def compare(items: list[Item], existing: dict[str, dict[str, Existing]], ws: Workspace,
             update: bool) -> None:
    for item in items:
        if item.status != "valid" or item.id is None or item.summary is None:
            continue
        by_id = existing["id"].get(item.id)
        by_url = existing["url"].get(item.summary.url)
        if by_id is None and by_url is None:
            item.path = _target(ws, item, item.id)
            link = linked_folder(ws, item.path)
            if link is not None:
                _conflict(item, f"{ws.relative(link.parent) + '/' + link.name} is a symbolic "
                          "link; an import never writes through one (it could lead out of the "
                          "workspace)", "replace the link with the folder itself")
                continue
            if item.path.exists():
                _conflict(item, f"{ws.relative(item.path)} already exists and holds another "
                          "summary", "give the record another id, or move that file")
                continue
            item.status = "new"
        elif by_url is not None and by_url is not by_id:
            _url_clash(item, by_id, by_url, ws)
            continue
        else:
            assert by_id is not None
            item.path = by_id.path
            old = comparable(by_id.meta, by_id.body, by_id.id) if by_id.meta is not None else {}
            new = comparable(item.meta, item.body, item.id)
            if old == new:
                item.status = "unchanged"
            elif update:
                item.status = "updated"
            else:
                changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                what = "differs in " + ", ".join(changed) if by_id.meta is not None else \
                    "cannot be read as a summary"
                _conflict(item, f"id '{item.id}' exists in {ws.relative(by_id.path)}, which "
                          f"{what}", "pass --update to replace it with this record, or give "
                          "the record another id")
                continue
        if item.id != item.path.stem:  # `id` is written only when the file name does not say it
            item.text = render_file({**item.meta, "id": item.id}, item.body)


def _url_clash(item: Item, by_id: Existing | None, by_url: Existing, ws: Workspace) -> None:
    url_file = ws.relative(by_url.path)
    if by_id is None:
        _conflict(item, f"url is already used by '{by_url.id}' in {url_file}",
                  f"give the record id '{by_url.id}' to update that summary, or correct the url")
    else:
        _conflict(item, f"id '{item.id}' is {ws.relative(by_id.path)} but the url belongs to "
                  f"'{by_url.id}' in {url_file}; --update cannot merge two summaries",
                  "correct the record's id or url")


def _conflict(item: Item, message: str, fix: str) -> None:
    item.status = "conflict"
    item.conflict = Problem(item.where, message, fix=fix, line=item.line)


# --- writing ------------------------------------------------------------------------------------


def write_files(ws: Workspace, items: list[Item],
                advance: Callable[[int], None] | None = None) -> list[Path]:
    """Write every file, all or nothing (storage.output.commit_files): staged in one hidden
    folder of summaries_dir, then moved in after a journal; a kill during the moves is finished
    by the next run. A new file never replaces one that appeared meanwhile (that record becomes
    a conflict); an updated file keeps its permissions; new files follow the umask."""
    folder = ws.summaries_path
    moves = []
    for item in items:
        assert item.path is not None and item.text is not None
        updated = item.status == "updated"
        mode = stat.S_IMODE(item.path.stat().st_mode) if updated else default_mode()
        moves.append(Move(item.path.relative_to(folder).as_posix(), item.text.encode("utf-8"),
                          updated, mode))
        if advance:
            advance(1)
    try:
        written, taken = commit_files(folder, moves)
    except OSError as exc:
        committed = (folder / STAGING).is_dir()
        raise OutputError(f"cannot write {exc.filename or 'the summaries'}: "
                          f"{exc.strerror or exc}; " + (
                              "the import stopped while moving its files in; run any command "
                              "on this workspace again to finish it" if committed else
                              "nothing was imported")) from None
    by_path = {item.path.relative_to(folder).as_posix(): item for item in items
               if item.path is not None}
    for rel in taken:
        _conflict(by_path[rel], f"{folder / rel} appeared while importing", "run the import again")
    return [folder / rel for rel in written]


def linked_folder(ws: Workspace, path: Path) -> Path | None:
    """The first folder between summaries_dir and `path` that is a symbolic link, if any: an
    import never writes through one (it could lead out of the workspace)."""
    current = ws.summaries_path
    for part in path.relative_to(ws.summaries_path).parts[:-1]:
        current = current / part
        if current.is_symlink():
            return current
    return None
