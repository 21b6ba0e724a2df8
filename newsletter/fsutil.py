"""Writing files so that a failed run leaves the last good output in place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _staged(path: Path, data: bytes | str) -> Path:
    """`data` written to a new temporary file beside `path` (same folder: renames are atomic)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`."""
    tmp = _staged(path, data)
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_dir(target: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a fresh folder, then swap it in for `target` in one rename.

    Until the final rename nothing in `target` changes, so a failure keeps the last good output.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    old: Path | None = None
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; outputs are ordinary folders
        for name, payload in files.items():
            dest = staging / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(payload)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            os.replace(target, old)
        os.replace(staging, target)
    except BaseException:
        if old is not None and not target.exists():
            os.replace(old, target)
            old = None
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
