"""Walking the summaries folder: every summary file's relative path and the key of one stat,
the links met, what could not be read. `listing.list_summary_files` orders and reports it.

The walk is made in two steps where folders can be opened and stat'ed relative to each other
(`_list_at`): first every folder's names, then one stat per summary, half of them in a forked
process when there are thousands (`forking.run_beside`). Elsewhere, and where too many
folders would be held open, it is made in one step.
"""

from __future__ import annotations

import errno
import marshal
import os
from array import array
from functools import partial
from stat import S_ISDIR, S_ISLNK, S_ISREG

from newsletter.summaries.folders import FolderNames, now_ns
from newsletter.summaries.forking import may_fork, run_beside
from newsletter.summaries.names import HIDDEN_FIRST, is_summary_file_name, summary_file_names

# files to stat before half of them go to a second process (a fork and back: 2-4 ms)
PARALLEL_MIN = 2000
# folders held open at once by a listing in two steps (at most a quarter of the process's limit
# of open files); an archive with more is walked in one
FOLDERS_OPEN_MAX = 4096  # a folder a day for ten years fits
# the open-file limit was reached: walked in one step, which holds only a folder and its parents
_TOO_MANY_OPEN = frozenset({errno.EMFILE, errno.ENFILE})


def walk(folder: str, found: Found, memory: FolderNames | None = None) -> None:
    """Every summary file below `folder` into `found`, in the walk's order (sorted names at each
    level), with the links and what could not be read (see `listing.list_summary_files`).
    `memory`: the folders' names as last read, reused where a folder has not changed since
    (`folders`; a walk in two steps only), and this walk's noted in it."""
    if os.listdir in os.supports_fd and os.stat in os.supports_dir_fd:
        top = _open_folder(folder, None, "", found, follow=True)  # itself may be a link
        if top is not None:
            try:
                _list_at(top, found, memory)
            finally:
                os.close(top)
    else:
        _walk_paths(folder, "", found)


class Found:
    """What a walk found: summary files (paths and flat stamps), links, what it could not read.
    (A plain class: a dataclass costs milliseconds to make at import, on every run.)"""

    __slots__ = ("links", "rels", "stamps", "unreadable")

    def __init__(self, links: list[str] | None = None, rels: list[str] | None = None,
                 stamps: list[int] | None = None,
                 unreadable: list[tuple[str, OSError]] | None = None) -> None:
        self.links = links if links is not None else []
        self.rels = rels if rels is not None else []
        self.stamps = stamps if stamps is not None else []
        self.unreadable = unreadable if unreadable is not None else []

    def add(self, other: Found) -> None:
        self.links += other.links
        self.rels += other.rels
        self.stamps += other.stamps
        self.unreadable += other.unreadable


# A folder (open), its path relative to the listed one ("" or ending in "/") and names in it
_Run = tuple[int, str, list[str]]


class _Plan:
    """A listing's first step: the runs of summary names to stat, in the order of the walk,
    and the folders it opened (closed when the second step is done)."""

    __slots__ = ("folders", "memory", "runs")

    def __init__(self, memory: FolderNames | None = None) -> None:
        self.runs: list[_Run] = []
        self.folders: list[int] = []
        self.memory = memory


_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
# the folders below it never through a link (one swapped in between the stat and the open)
_NO_LINK = getattr(os, "O_NOFOLLOW", 0)


def _open_folder(name: str, folder: int | None, rel: str, found: Found,
                 follow: bool = False) -> int | None:
    try:
        return os.open(name, _FOLDER if follow else _FOLDER | _NO_LINK, dir_fd=folder)
    except OSError as exc:
        found.unreadable.append((rel, exc))
        return None


def _names(folder: int | str, rel: str, found: Found) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError as exc:
        found.unreadable.append((rel, exc))
        return []
    names.sort()
    return names


def _list_at(top: int, found: Found, memory: FolderNames | None = None) -> None:
    """`list_summary_files` below an open folder, in two steps. First every folder's names:
    the summaries among them are set aside, and only the other names are stat'ed (folders to
    walk, links to report: few). Then one stat for each summary, by half in a second process
    when there are thousands (`forking.run_beside`; its results come after this process's
    half, which is the walk's order). The first step keeps its folders open: an archive with
    more than `_folders_open_max()` folders, or one that meets the limit of open files, is
    walked again in one step (`_walk_at`), which holds only a folder and its parents."""
    plan, first = _Plan(memory), Found()
    st = _fstat(top) if memory is not None else None
    if memory is not None and st is not None:
        memory.trust(st)
    try:
        whole = _gather(top, "", first, plan, _folders_open_max(), st)
        if whole:
            found.add(first)
            _stat_runs_in_two(plan.runs, found)
    finally:
        for folder in plan.folders:
            os.close(folder)
    if not whole:
        _walk_at(top, "", found)


def _folders_open_max() -> int:
    try:
        import resource
    except ImportError:  # (no such limit to respect)
        return FOLDERS_OPEN_MAX
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return FOLDERS_OPEN_MAX if soft == resource.RLIM_INFINITY else min(FOLDERS_OPEN_MAX, soft // 4)


def _fstat(folder: int) -> os.stat_result | None:
    try:
        return os.fstat(folder)
    except OSError:
        return None


def _folder_names(folder: int, prefix: str, found: Found, plan: _Plan,
                  st: os.stat_result | None) -> list[str]:
    """A folder's sorted names: as the memory has them, when the folder has not changed since
    (`st`: its stat, taken before), else read (and noted when read whole)."""
    memory = plan.memory
    if memory is None or st is None:
        return _names(folder, prefix.rstrip("/"), found)
    names = memory.names(prefix, st)
    if names is None:
        read_at, problems = now_ns(), len(found.unreadable)
        names = _names(folder, prefix.rstrip("/"), found)
        if len(found.unreadable) == problems:
            memory.note(prefix, st, names, read_at)
    return names


def _gather(folder: int, prefix: str, found: Found, plan: _Plan, most: int,
            st: os.stat_result | None = None) -> bool:
    """The first step of `_list_at` below `folder` (`st`: its stat): False when it would hold
    more than `most` folders open, or meets the limit of open files."""
    names = _folder_names(folder, prefix, found, plan, st)
    summaries = summary_file_names(names)
    if len(summaries) == len(names):  # only summaries (a month's folder): nothing to look at
        if names:
            plan.runs.append((folder, prefix, names))
        return True
    run: list[str] = []
    for name in names:
        if name in summaries:
            run.append(name)
            continue
        st = _stat(name, folder, prefix, found)
        if st is None:
            continue
        if S_ISDIR(st.st_mode):
            if run:
                plan.runs.append((folder, prefix, run))
                run = []
            if len(plan.folders) >= most:
                return False
            try:
                inner = os.open(name, _FOLDER | _NO_LINK, dir_fd=folder)
            except OSError as exc:
                if exc.errno in _TOO_MANY_OPEN:
                    return False
                found.unreadable.append((prefix + name, exc))
                continue
            plan.folders.append(inner)
            inner_st = _fstat(inner) if plan.memory is not None else None  # the one opened
            if not _gather(inner, f"{prefix}{name}/", found, plan, most, inner_st):
                return False
        elif S_ISLNK(st.st_mode) and _reported_link(name, folder):
            found.links.append(prefix + name)
    if run:
        plan.runs.append((folder, prefix, run))
    return True


def _stat_runs_in_two(runs: list[_Run], found: Found) -> None:
    """The second step of `_list_at`: a stat for each name of `runs`, half of them in a second
    process when there are PARALLEL_MIN or more and a fork is safe."""
    total = sum(len(names) for _, _, names in runs)
    if total < PARALLEL_MIN or not may_fork():
        found.add(_stat_runs(runs))
        return
    first, second = _halves(runs, total // 2)
    mine, theirs = run_beside(partial(_stat_runs, first), partial(_stat_runs, second),
                              _encode, _decode)
    found.add(mine)
    found.add(theirs)


def _halves(runs: list[_Run], count: int) -> tuple[list[_Run], list[_Run]]:
    """`runs` cut after `count` names (inside a run if need be), in order."""
    first: list[_Run] = []
    for i, (folder, prefix, names) in enumerate(runs):
        if count < len(names):
            head = [(folder, prefix, names[:count])] if count else []
            return first + head, [(folder, prefix, names[count:]), *runs[i + 1:]]
        first.append(runs[i])
        count -= len(names)
    return first, []


def _stat_runs(runs: list[_Run]) -> Found:
    """One stat for each name of `runs` (summary names): the files' keys, in order. A folder
    or link so named (or one swapped in since the first step) is dealt with as the walk does.
    The loop runs once per file of the archive, so it is kept to the calls it needs."""
    found = Found()
    stat, add, extend = os.stat, found.rels.append, found.stamps.extend
    for folder, prefix, names in runs:
        for name in names:
            try:
                st = stat(name, dir_fd=folder, follow_symlinks=False)
            except FileNotFoundError:  # removed since the listing
                continue
            except OSError as exc:
                found.unreadable.append((prefix + name, exc))
                continue
            if S_ISREG(st.st_mode):
                add(prefix + name)
                extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns))
            else:
                _not_a_file(name, st.st_mode, folder, prefix, found)
    return found


def _encode(found: Found) -> bytes:
    """A second process's `_stat_runs` as bytes (a stamp beyond 64 bits, a time after the year
    2262, fails it: this process then stats that half itself)."""
    errors = [(rel, exc.errno, exc.strerror or str(exc)) for rel, exc in found.unreadable]
    return marshal.dumps((found.rels, array("q", found.stamps).tobytes(), found.links, errors))


def _decode(data: bytes) -> Found:
    rels, stamps, links, errors = marshal.loads(data)
    unreadable = [(rel, OSError(number, said)) for rel, number, said in errors]
    return Found(links, rels, array("q", stamps).tolist(), unreadable)


def _walk_at(folder: int, prefix: str, found: Found) -> None:
    """`list_summary_files` below an open folder in one step: each name stat'ed relative to
    it (an archive of too many folders to hold open, and a folder named as a summary)."""
    names = _names(folder, prefix.rstrip("/"), found)
    summaries = summary_file_names(names)
    for name in names:
        st = _stat(name, folder, prefix, found)
        if st is None:
            continue
        if S_ISREG(st.st_mode):
            if name in summaries:
                found.rels.append(prefix + name)
                found.stamps.extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        else:
            _not_a_file(name, st.st_mode, folder, prefix, found)


def _stat(name: str, folder: int, prefix: str, found: Found) -> os.stat_result | None:
    """A name's stat relative to its open folder, never through a link; None for a hidden name
    (never walked), one removed since the folder was listed, or one that cannot be stat'ed
    (then added to `unreadable`). (`_stat_runs`, which runs once per file of the archive, has
    the same steps inline.)"""
    if name[0] in HIDDEN_FIRST:
        return None
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None
    except OSError as exc:
        found.unreadable.append((prefix + name, exc))
        return None


def _not_a_file(name: str, mode: int, folder: int, prefix: str, found: Found) -> None:
    """A folder is walked (never through a link); a link to a folder or named as a summary is
    reported; anything else is left out."""
    if S_ISDIR(mode):
        inner = _open_folder(name, folder, prefix + name, found)
        if inner is None:
            return
        try:
            _walk_at(inner, f"{prefix}{name}/", found)
        finally:
            os.close(inner)
    elif S_ISLNK(mode) and _reported_link(name, folder):
        found.links.append(prefix + name)


def _walk_paths(folder: str, prefix: str, found: Found) -> None:
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
