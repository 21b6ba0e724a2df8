"""Many files in many folders put in place all or nothing (an import's summaries).

Everything is staged in one hidden folder (`.newsletter-staging/<run>/`, which the archive reader
skips) beside the targets; a journal written after the last staged file is the commit point;
then the files are moved in. A failure before the journal changes nothing; a failure while
moving puts back what was moved; a kill while moving leaves the journal, and the next
`recover_files` (every run that reads or writes the folder calls it, under the workspace lock)
finishes the moves.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from newsletter.storage import output  # output.write_staged_file: one place to fail in tests

STAGING = ".newsletter-staging"  # in a folder of many outputs (summaries/), hidden from readers
JOURNAL = "journal.json"


@dataclass(frozen=True)
class Move:
    """One file to put in place: `target` (relative to the folder), its bytes, whether it may
    replace an existing file, and its permissions."""

    target: str
    data: bytes
    replace: bool
    mode: int


def commit_files(folder: Path, moves: Iterable[Move]) -> tuple[list[str], list[str]]:
    """Put every file in place under `folder`, all or nothing (see the module): (written,
    taken) relative paths; `taken` are new files whose name appeared meanwhile (left alone)."""
    recover_files(folder)
    staging = folder / STAGING / secrets.token_hex(6)
    planned = list(moves)
    try:
        staging.mkdir(parents=True)
        entries = []
        for number, move in enumerate(planned):
            staged = staging / str(number)
            output.write_staged_file(staged, move.data)
            os.chmod(staged, move.mode)
            entries.append([str(number), move.target, move.replace])
        output.atomic_write(staging / JOURNAL, json.dumps(entries))  # the commit point
    except BaseException:
        _remove_staging(staging)
        raise
    done: list[tuple[str, str, bool]] = []
    try:
        return _apply(folder, staging, entries, done)
    except OSError:
        _roll_back(folder, staging, done)  # a failure (not a kill): as if it had not run
        raise


def _apply(folder: Path, staging: Path, entries: list[list[object]],
           done: list[tuple[str, str, bool]] | None = None) -> tuple[list[str], list[str]]:
    """Move the staged files in, in journal order. A file about to be replaced is first linked
    into the staging folder (`<n>.old`), so a failure can put it back (`_roll_back`)."""
    written: list[str] = []
    taken: list[str] = []
    for number, rel, replace in entries:
        staged, target = staging / str(number), folder / str(rel)
        if not staged.exists():  # moved before an interruption
            written.append(str(rel))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if replace:
            backup = staging / f"{number}.old"
            if os.path.lexists(target) and not os.path.lexists(backup):
                os.link(target, backup)
            os.replace(staged, target)
        else:
            try:
                os.link(staged, target)
            except FileExistsError:
                if not _same_file(staged, target):
                    taken.append(str(rel))
                    staged.unlink()
                    continue
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                with open(target, "xb") as handle:  # no hard links here: exclusive create
                    handle.write(staged.read_bytes())
            staged.unlink()
        written.append(str(rel))
        if done is not None:
            done.append((str(number), str(rel), bool(replace)))
    _remove_staging(staging)
    return written, taken


def _roll_back(folder: Path, staging: Path, done: list[tuple[str, str, bool]]) -> None:
    """Undo the moves `_apply` made before it failed: replaced files back from their `.old`
    links, new files removed. If that fails too, the journal stays for the next run to finish
    the moves instead."""
    try:
        for number, rel, replace in reversed(done):
            target = folder / rel
            backup = staging / f"{number}.old"
            if replace and os.path.lexists(backup):
                os.replace(backup, target)
            elif not replace:
                os.unlink(target)
    except OSError:
        return
    _remove_staging(staging)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _remove_staging(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    with contextlib.suppress(OSError):
        staging.parent.rmdir()  # only when no other run's staging is there


def recover_files(folder: Path) -> list[str]:
    """Finish the committed moves an interrupted `commit_files` left in `folder`, and remove
    uncommitted staging. Returns the files it put in place. Cheap when there is nothing."""
    root = folder / STAGING
    if not root.is_dir():
        return []
    done: list[str] = []
    for staging in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            entries = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _remove_staging(staging)  # never committed: as if it had not run
            continue
        done += _apply(folder, staging, entries)[0]
    with contextlib.suppress(OSError):
        root.rmdir()
    return done
