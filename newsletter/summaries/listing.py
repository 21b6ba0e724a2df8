"""The summary files on disk: one listing with one stat per file, and what changed between two.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import ne
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import TYPE_CHECKING

from newsletter.errors import ContentError, Problem
from newsletter.summaries.names import (
    HIDDEN_FIRST,
    is_summary_file_name,
    summary_file_names,
)

if TYPE_CHECKING:  # (not at run time: the index module brings sqlite3, which a listing needs not)
    from newsletter.summaries.index import Key

# list_summary_files' relative paths and flat stamps, and the links it reported, in that order
Listing = tuple[list[str], list[int], list[str]]


def list_summary_files(folder: Path, links: list[str] | None = None, shown: str | None = None,
                       unreadable: list[tuple[str, OSError]] | None = None
                       ) -> tuple[list[str], list[int]]:
    """The relative posix paths of every summary file below `folder` (see
    `names.is_summary_file_name`), sorted, and each file's key from one stat (so an edited file
    is never missed), flat: size, mtime_ns, ctime_ns, size, ... Each folder is opened once and
    its files stat'ed relative to it. Symbolic links are never followed (one could lead out of
    the workspace): the relative paths of links to folders or named as summaries are added to
    `links`. A folder or file that cannot be read is added to `unreadable` (its relative path
    and the error; "" for `folder` itself); without that list, ContentError names every one (as
    `shown`, the folder as the user sees it, shows it). Nothing is left out without a word; a
    file removed while its folder is listed is left out."""
    found = _Found(links if links is not None else [])
    if os.listdir in os.supports_fd and os.stat in os.supports_dir_fd:
        top = _open_folder(str(folder), None, "", found, follow=True)  # itself may be a link
        if top is not None:
            try:
                _walk_at(top, "", found)
            finally:
                os.close(top)
    else:
        _walk_paths(str(folder), "", found)
    if unreadable is not None:
        unreadable.extend(found.unreadable)
    elif found.unreadable:
        raise unreadable_error(shown if shown is not None else str(folder), found.unreadable)
    rels, stamps = found.rels, found.stamps
    ordered = sorted(rels)  # already so, unless a folder's name is a prefix of a file's
    if ordered != rels:
        order = sorted(range(len(rels)), key=rels.__getitem__)
        rels, stamps = ordered, list(chain.from_iterable(stamps[3 * i:3 * i + 3] for i in order))
    return rels, stamps


def unreadable_problem(where: str, reason: OSError) -> Problem:
    """The problem of a folder or file of the archive that cannot be read (`where` as shown)."""
    return Problem(where, f"cannot be read ({_said(reason)}): its summaries would be left out",
                   fix="check its permissions, or move it out of the summaries folder")


def unreadable_error(shown: str, unreadable: list[tuple[str, OSError]]) -> ContentError:
    """Every unreadable folder or file of a listing of `shown`, as one error."""
    wheres = [unreadable_where(shown, rel) for rel, _ in unreadable]
    more = f" (and {len(wheres) - 1} more)" if len(wheres) > 1 else ""
    return ContentError(f"{wheres[0]} cannot be read ({_said(unreadable[0][1])}){more}",
                        [unreadable_problem(w, r) for w, (_, r) in zip(wheres, unreadable,
                                                                       strict=True)])


def unreadable_where(shown: str, rel: str) -> str:
    """Where an unreadable `rel` (relative to a listed folder shown as `shown`) is shown."""
    folder = shown.rstrip("/")
    return f"{folder}/{rel}" if rel else folder


def _said(reason: OSError) -> str:
    return reason.strerror or str(reason)


@dataclass
class _Found:
    """What a walk found: summary files (paths and flat stamps), links, what it could not read."""

    links: list[str]
    rels: list[str] = field(default_factory=list)
    stamps: list[int] = field(default_factory=list)
    unreadable: list[tuple[str, OSError]] = field(default_factory=list)


_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
# the folders below it never through a link (one swapped in between the stat and the open)
_NO_LINK = getattr(os, "O_NOFOLLOW", 0)


def _open_folder(name: str, folder: int | None, rel: str, found: _Found,
                 follow: bool = False) -> int | None:
    try:
        return os.open(name, _FOLDER if follow else _FOLDER | _NO_LINK, dir_fd=folder)
    except OSError as exc:
        found.unreadable.append((rel, exc))
        return None


def _names(folder: int | str, rel: str, found: _Found) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError as exc:
        found.unreadable.append((rel, exc))
        return []
    names.sort()
    return names


def _walk_at(folder: int, prefix: str, found: _Found) -> None:
    """`list_summary_files` below an open folder: each name stat'ed relative to it. The loop
    runs once per file of the archive, so it is kept to the calls it needs: one stat, and a
    set lookup for the name's rule (run over the folder's names at once)."""
    stat, add, extend = os.stat, found.rels.append, found.stamps.extend
    names = _names(folder, prefix.rstrip("/"), found)
    summaries = summary_file_names(names)
    for name in names:
        if name[0] in HIDDEN_FIRST:
            continue
        try:
            st = stat(name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:  # removed since the listing
            continue
        except OSError as exc:
            found.unreadable.append((prefix + name, exc))
            continue
        mode = st.st_mode
        if S_ISREG(mode):
            if name in summaries:
                add(prefix + name)
                extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        elif S_ISDIR(mode):
            inner = _open_folder(name, folder, prefix + name, found)
            if inner is None:
                continue
            try:
                _walk_at(inner, f"{prefix}{name}/", found)
            finally:
                os.close(inner)
        elif S_ISLNK(mode) and _reported_link(name, folder):
            found.links.append(prefix + name)


def _walk_paths(folder: str, prefix: str, found: _Found) -> None:
    """`_walk_at` where folders cannot be opened (each name stat'ed by its whole path)."""
    for name in _names(folder, prefix.rstrip("/"), found):
        if name[0] in HIDDEN_FIRST:
            continue
        where = os.path.join(folder, name)
        try:
            st = os.stat(where, follow_symlinks=False)
        except FileNotFoundError:
            continue
        except OSError as exc:
            found.unreadable.append((prefix + name, exc))
            continue
        if S_ISREG(st.st_mode):
            if is_summary_file_name(name):
                found.rels.append(prefix + name)
                found.stamps.extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        elif S_ISDIR(st.st_mode):
            _walk_paths(where, f"{prefix}{name}/", found)
        elif S_ISLNK(st.st_mode) and _reported_link(name, folder):
            found.links.append(prefix + name)


def _reported_link(name: str, folder: int | str) -> bool:
    """A link named as a summary, or one to a folder, is reported (and never followed)."""
    if is_summary_file_name(name):
        return True
    try:
        target = os.stat(name, dir_fd=folder) if isinstance(folder, int) else \
            os.stat(os.path.join(folder, name))
        return S_ISDIR(target.st_mode)
    except OSError:  # a broken link
        return False


def key_at(stamps: list[int], i: int) -> Key:
    size, mtime, ctime = stamps[3 * i:3 * i + 3]
    return size, mtime, ctime


def iter_summary_files(folder: Path, links: list[str] | None = None, shown: str | None = None,
                       unreadable: list[tuple[str, OSError]] | None = None
                       ) -> Iterator[tuple[str, str, Key]]:
    """(relative posix path, path, key) of every summary file below `folder`, sorted (links,
    `shown` and `unreadable`: see `list_summary_files`)."""
    rels, stamps = list_summary_files(folder, links, shown, unreadable)
    base = str(folder)
    for i, rel in enumerate(rels):
        yield rel, os.path.join(base, rel), key_at(stamps, i)


def changed_positions(old: list[int], new: list[int], width: int) -> list[int]:
    """The positions of the items (`width` values each) that differ between two equally long
    lists. C does the walking: one comparison of the whole lists, and where they differ, the
    values compared pairwise with only the differing ones' places reaching Python (half the
    time of halving the lists by slices, which copied them)."""
    if len(old) != len(new):
        raise ValueError("lists of different lengths")
    if old == new:
        return []
    differing = compress(range(len(old)), map(ne, old, new))
    return list(dict.fromkeys(i // width for i in differing))
