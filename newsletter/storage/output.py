"""Writing outputs: atomic files and whole folders replaced in one step.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from newsletter.errors import OutputError


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


def write_output(target: Path, files: dict[str, bytes], marker: str = "manifest.json") -> None:
    """Replace a folder this tool wrote before (it holds `marker` with our generator key);
    refuse any other non-empty folder."""
    if target.exists():
        if not target.is_dir():
            raise OutputError(f"{target} exists and is not a folder; choose another --out")
        if any(target.iterdir()) and not _is_our_output(target / marker):
            raise OutputError(
                f"{target} is not empty and was not written by `newsletter build` (it has no "
                f"{marker} of ours); choose another --out or empty the folder first")
    try:
        replace_dir(target, files)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None


def _is_our_output(manifest: Path) -> bool:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and str(data.get("generator", "")).startswith("newsletter")
