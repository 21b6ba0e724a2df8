"""The summary files on disk: one listing with one stat per file, and what changed between two.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG

from newsletter.summaries.index import Key
from newsletter.summaries.names import HIDDEN_FIRST, SUFFIX, is_summary_file_name

# list_summary_files' relative paths and flat stamps, and the links it reported, in that order
Listing = tuple[list[str], list[int], list[str]]


def list_summary_files(folder: Path, links: list[str] | None = None
                       ) -> tuple[list[str], list[int]]:
    """The relative posix paths of every summary file below `folder` (see
    `names.is_summary_file_name`), sorted, and each file's key from one stat (so an edited file
    is never missed), flat: size, mtime_ns, ctime_ns, size, ... Each folder is opened once and
    its files stat'ed relative to it. Symbolic links are never followed (one could lead out of
    the workspace): the relative paths of links to folders or named as summaries are added to
    `links`."""
    rels: list[str] = []
    stamps: list[int] = []
    add, extend, stat = rels.append, stamps.extend, os.stat
    by_fd = os.listdir in os.supports_fd and os.stat in os.supports_dir_fd

    def walk(directory: int | str, prefix: str) -> None:
        at = {"dir_fd": directory} if by_fd else {}
        for name in sorted(os.listdir(directory)):
            if name[0] in HIDDEN_FIRST:
                continue
            where = name if by_fd else os.path.join(directory, name)  # type: ignore[arg-type]
            try:
                st = stat(where, follow_symlinks=False, **at)
                if S_ISREG(st.st_mode):
                    if name.endswith(SUFFIX) and is_summary_file_name(name):
                        add(prefix + name)
                        extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns))
                    continue
                if S_ISLNK(st.st_mode):
                    if links is not None and (is_summary_file_name(name) or
                                              S_ISDIR(stat(where, **at).st_mode)):
                        links.append(prefix + name)
                    continue
                if not S_ISDIR(st.st_mode):
                    continue
            except OSError:  # gone since the listing, or a broken link
                continue
            if not by_fd:
                walk(where, f"{prefix}{name}/")
                continue
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=directory)  # type: ignore[arg-type]
            try:
                walk(fd, f"{prefix}{name}/")
            finally:
                os.close(fd)

    if by_fd:
        top = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            walk(top, "")
        finally:
            os.close(top)
    else:
        walk(str(folder), "")
    ordered = sorted(rels)  # already so, unless a folder's name is a prefix of a file's
    if ordered != rels:
        order = sorted(range(len(rels)), key=rels.__getitem__)
        rels, stamps = ordered, list(chain.from_iterable(stamps[3 * i:3 * i + 3] for i in order))
    return rels, stamps


def key_at(stamps: list[int], i: int) -> Key:
    size, mtime, ctime = stamps[3 * i:3 * i + 3]
    return size, mtime, ctime


def iter_summary_files(folder: Path, links: list[str] | None = None
                       ) -> Iterator[tuple[str, str, Key]]:
    """(relative posix path, path, key) of every summary file below `folder`, sorted (links:
    see `list_summary_files`)."""
    rels, stamps = list_summary_files(folder, links)
    base = str(folder)
    for i, rel in enumerate(rels):
        yield rel, os.path.join(base, rel), key_at(stamps, i)


def changed_positions(old: list[int], new: list[int], width: int) -> list[int]:
    """The positions of the items (`width` values each) that differ between two equally long
    lists, found by halving: C compares the slices, Python only walks down to what changed."""
    found: list[int] = []

    def walk(low: int, high: int) -> None:
        if old[low * width:high * width] == new[low * width:high * width]:
            return
        if high - low == 1:
            found.append(low)
            return
        middle = (low + high) // 2
        walk(low, middle)
        walk(middle, high)

    if len(old) != len(new):
        raise ValueError("lists of different lengths")
    if old:
        walk(0, len(old) // width)
    return found
