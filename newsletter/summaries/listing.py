"""The summary files on disk: one listing with one stat per file, and what changed between two.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import chain, compress
from operator import itemgetter, ne
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.errors import ContentError, Problem
from newsletter.summaries.folders import read_folder_names, write_folder_names
from newsletter.summaries.walking import Found, walk

if TYPE_CHECKING:  # (not at run time: the index module brings sqlite3, which a listing needs not)
    from newsletter.summaries.index import Key

# list_summary_files' relative paths and flat stamps, and the links it reported, in that order
Listing = tuple[list[str], list[int], list[str]]


def list_summary_files(folder: Path, links: list[str] | None = None, shown: str | None = None,
                       unreadable: list[tuple[str, OSError]] | None = None,
                       cache: Path | None = None, notices: list[Problem] | None = None
                       ) -> tuple[list[str], list[int]]:
    """The relative posix paths of every summary file below `folder` (see
    `names.is_summary_file_name`), sorted, and each file's key from one stat (so an edited file
    is never missed), flat: size, mtime_ns, ctime_ns, size, ... Each folder is opened and its
    files stat'ed relative to it. Symbolic links are never followed (one could lead out of
    the workspace): the relative paths of links to folders or named as summaries are added to
    `links`. A folder or file that cannot be read is added to `unreadable` (its relative path
    and the error; "" for `folder` itself); without that list, ContentError names every one (as
    `shown`, the folder as the user sees it, shows it), in the order of their paths. Nothing is
    left out without a word; a file removed while its folder is listed is left out. With
    thousands of files, half of them are stat'ed by a second process (see `walking`). `cache`:
    where the folders' names are kept from one listing to the next (`folders`; a kept entry
    that does not verify adds a notice to `notices`)."""
    found = Found()
    memory = read_folder_names(cache, folder, notices) if cache is not None else None
    walk(str(folder), found, memory)
    if memory is not None:
        write_folder_names(cache, folder, memory)
    if links is not None:
        links.extend(sorted(found.links))
    found.unreadable.sort(key=itemgetter(0))
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
