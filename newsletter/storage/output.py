"""Writing outputs whole or not at all: atomic files, folders swapped in one step, and sets of
files in several folders moved in under a journal.

- `atomic_write`: a temporary file beside the target, renamed over it.
- `replace_dir`: a new folder is staged beside the target and exchanged with it in one
  renameat2(RENAME_EXCHANGE) (Linux); where the file system cannot, two renames, and the next
  run puts the old folder back if a kill came between them. The leftovers of an interrupted run
  (`.<name>.new-*`, `.<name>.old-*`) are removed by the next one.
- `write_output`: `replace_dir` for a folder this tool wrote before (its marker file says so and
  it holds only files of ours); any other non-empty folder is refused.
(`storage.journal` puts many files in many folders in place, all or nothing.)

A command holds the workspace lock (`storage.lock`) while it writes, so two runs never meet
inside a swap.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from newsletter.errors import OutputError

# What our own markers say: `newsletter <version>` exactly.
GENERATOR_PATTERN = re.compile(r"newsletter \d+\.\d+(?:\.\d+)?(?:[.+-][0-9A-Za-z.+-]*)?")


def default_mode() -> int:
    """Permissions of a new file: 0666 less the umask, as any program's new file."""
    return 0o666 & ~_umask()


def write_staged_file(path: Path, data: bytes) -> None:
    """Create `path` with `data` (a file in a staging folder; replaced by tests to fail)."""
    with open(path, "xb") as handle:
        handle.write(data)


def _staged(path: Path, data: bytes | str, mode: int | None = None) -> Path:
    """`data` written to a new temporary file beside `path` (same folder: renames are atomic)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, default_mode() if mode is None else mode)  # mkstemp makes 0600
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside `path`, then rename it over `path` (an existing file
    keeps its permissions; a new one gets the umask's)."""
    try:
        mode: int | None = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = None
    tmp = _staged(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes | str) -> None:
    """Create `path`; never replace an existing file (FileExistsError)."""
    tmp = _staged(path, data)
    try:
        try:
            os.link(tmp, path)  # fails if path exists, atomically
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system: exclusive create instead
            with open(path, "xb") as handle:
                handle.write(tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)


# --- exchanging two folders -------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2() -> object | None:
    """libc's renameat2, looked up at each swap (some microseconds, once a build; not at import:
    every command imports this module, few swap folders)."""
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange_paths(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step; False when the system or the file system
    cannot (the caller then falls back to two renames)."""
    function = _renameat2()
    if function is None:
        return False
    result = function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),  # type: ignore[operator]
                      _RENAME_EXCHANGE)
    if result == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def leftovers(target: Path) -> tuple[list[Path], list[Path]]:
    """The staging (`.new-`) and old (`.old-`) folders an interrupted swap of `target` left."""
    new, old = [], []
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if entry.name.startswith(f".{target.name}.new-"):
                new.append(Path(entry.path))
            elif entry.name.startswith(f".{target.name}.old-"):
                old.append(Path(entry.path))
    return new, old


def recover_dir(target: Path) -> None:
    """Finish what an interrupted swap of `target` left: the old folder back in place when the
    target is missing (a kill between the two renames of the fallback), then every leftover
    removed. Run under the workspace lock, before a new swap of the same folder."""
    new, old = leftovers(target)
    if old and not os.path.lexists(target):
        newest = max(old, key=lambda p: p.stat().st_mtime_ns)
        os.rename(newest, target)
        old.remove(newest)
    for leftover in new + old:
        shutil.rmtree(leftover, ignore_errors=True)


def replace_dir(target: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a fresh folder beside `target`, then swap it in for `target` in one
    step. Until that step nothing in `target` changes, so a failure keeps the last good output;
    after it, removing the old folder is only clean-up (a leftover the next run removes)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_dir(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; outputs are ordinary folders
        folders = {staging}
        for name, payload in files.items():
            dest = staging / name
            if dest.parent not in folders:
                dest.parent.mkdir(parents=True, exist_ok=True)
                folders.add(dest.parent)
            write_staged_file(dest, payload)
        old = _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap_in(staging: Path, target: Path) -> Path | None:
    """Put `staging` where `target` is; returns where the old folder went (to remove)."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return None
    if exchange_paths(staging, target):
        return staging  # now holds the old folder
    old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)  # the old folder back: nothing changed
        raise
    return old


# --- folders of ours ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ownership:
    """How to recognise a folder this tool wrote: a marker file (any of `markers`) naming our
    generator, and nothing in the folder but files whose relative path matches `shape`."""

    markers: tuple[str, ...]
    shape: re.Pattern[str]
    command: str  # the command that writes such folders, for messages


def is_ours(folder: Path, owner: Ownership) -> bool:
    if not any(_marker_is_ours(folder / marker) for marker in owner.markers):
        return False
    for dirpath, dirs, names in os.walk(folder):
        base = Path(dirpath)
        for name in dirs:
            if (base / name).is_symlink():
                return False
        for name in names:
            path = base / name
            if path.is_symlink() or not owner.shape.fullmatch(path.relative_to(folder).as_posix()):
                return False
    return True


def _marker_is_ours(marker: Path) -> bool:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and bool(
        GENERATOR_PATTERN.fullmatch(str(data.get("generator", ""))))


def output_target(target: Path) -> Path:
    """Where an output really goes: a symbolic link is followed (and stays a link)."""
    return target.resolve() if target.is_symlink() else target


def check_target(target: Path, owner: Ownership) -> Path:
    """The folder to write (a link followed); refuse one that is not ours and not empty."""
    target = output_target(target)
    if os.path.lexists(target):
        if not target.is_dir():
            raise OutputError(f"{target} exists and is not a folder; choose another --out")
        if any(target.iterdir()) and not is_ours(target, owner):
            raise OutputError(
                f"{target} is not empty and was not written by `{owner.command}` (it has no "
                f"{owner.markers[0]} of ours, or holds other files); choose another --out or "
                "empty the folder first")
    return target


def write_output(target: Path, files: dict[str, bytes], owner: Ownership) -> Path:
    """Replace a folder this tool wrote before (see `Ownership`); refuse any other non-empty
    folder. Returns the folder written (a link followed). Call it holding the workspace lock."""
    target = check_target(target, owner)
    try:
        replace_dir(target, files)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
