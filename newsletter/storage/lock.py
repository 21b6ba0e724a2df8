"""The workspace lock: commands that write (build, export, import, archive) hold it while they
write, so two runs on one workspace take turns instead of meeting inside a folder swap.

It is an advisory `flock` on the workspace folder itself: no lock file to create (so it works in
a read-only workspace and leaves nothing behind), released by the kernel when the process ends,
however it ends. Re-entrant within a process. Where flock does not exist, there is no lock.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

_HELD: dict[tuple[int, int], int] = {}  # (device, inode) of a locked folder -> depth
_GUARD = threading.RLock()


@contextlib.contextmanager
def workspace_lock(root: Path) -> Iterator[None]:
    """Hold the lock of the workspace at `root` (waiting for another process that holds it)."""
    try:
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield  # no folder to lock (it is about to fail with a clear error anyway)
        return
    try:
        stat = os.fstat(fd)
        key = (stat.st_dev, stat.st_ino)
        with _GUARD:
            depth = _HELD.get(key, 0)
            if depth == 0 and fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # waits for the other run
                owner = fd
                fd = -1  # kept open (and locked) until the outermost holder leaves
            else:
                owner = -1
            _HELD[key] = depth + 1
        try:
            yield
        finally:
            with _GUARD:
                _HELD[key] -= 1
                if _HELD[key] == 0:
                    del _HELD[key]
                if owner >= 0:
                    os.close(owner)  # closing releases the lock
    finally:
        if fd >= 0:
            os.close(fd)
