"""Fault injection for the hardening tests: make the file system fail (a full disk, a read-only
folder) or the process die at one chosen write or rename step, the way a real kill does.

Every call that creates, writes, renames or removes something below a given folder is a *step*:
os.open with a write flag, open()/io.open for writing, os.mkdir, os.replace, os.rename, os.link,
os.unlink/os.remove, os.rmdir, os.symlink and SQLite connections (opened read-only by a failing
folder). `Faults` counts the steps of a run; with `fail_at=n` the n-th step raises OSError
(ENOSPC, a full disk, unless told otherwise) and with `kill_at=n` the process ends right there
with os._exit, running no `finally` or `except` block, as `kill -9` would. Kills are simulated
in a forked child (`in_child`), so the test process itself lives on.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

KILLED = 137  # what a shell reports for kill -9
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class Faults:
    """Counts the write steps below `root`; fails or kills at a chosen one (or at all)."""

    def __init__(self, root: Path, *, fail_at: int | None = None, kill_at: int | None = None,
                 fail_all: bool = False, error: int = errno.ENOSPC,
                 only: Callable[[str], bool] | None = None) -> None:
        self.root = str(Path(root).resolve())
        self.fail_at, self.kill_at, self.fail_all = fail_at, kill_at, fail_all
        self.error = error
        self.only = only  # count only the steps on paths this accepts
        self.steps: list[str] = []

    def _inside(self, path: Any) -> bool:
        if isinstance(path, int) or path is None:
            return False
        try:
            text = os.path.abspath(os.fsdecode(path))
        except TypeError:
            return False
        # Paths are compared as given and resolved (a temporary folder may sit behind a link).
        real = os.path.realpath(os.path.dirname(text))
        inside = text.startswith(self.root + os.sep) or text == self.root or \
            real.startswith(self.root + os.sep) or real == self.root
        return inside and (self.only is None or self.only(text))

    def step(self, what: str, path: Any, *, raise_error: bool = True) -> bool:
        """Count one step on `path` (when inside the folder); True when it is to fail."""
        if not self._inside(path):
            return False
        self.steps.append(f"{what} {os.fsdecode(path)}")
        number = len(self.steps)
        if self.kill_at == number:
            sys.stdout.flush()
            os._exit(KILLED)
        failing = self.fail_all or self.fail_at == number
        if failing and raise_error:
            raise OSError(self.error, os.strerror(self.error), os.fsdecode(path))
        return failing

    @contextmanager
    def installed(self) -> Iterator[Faults]:
        """Patch the os, io and sqlite3 functions for the duration of the block."""
        saved: list[tuple[Any, str, Any]] = []

        def patch(owner: Any, name: str, replacement: Any) -> None:
            saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, replacement)

        real_open, real_io_open, real_connect = os.open, io.open, sqlite3.connect

        def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & WRITE_FLAGS:
                self.step("open", path)
            return real_open(path, flags, *args, **kwargs)

        def file_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if any(c in mode for c in "wax+"):
                self.step("open", file)
            return real_io_open(file, mode, *args, **kwargs)

        def connect(database: Any, *args: Any, **kwargs: Any) -> Any:
            if self.step("sqlite", database, raise_error=False):  # SQLite writes in C: the
                kwargs = {k: v for k, v in kwargs.items() if k != "uri"}  # whole database
                return real_connect(f"file:{os.fsdecode(database)}?mode=ro", *args,  # fails
                                    uri=True, **kwargs)
            return real_connect(database, *args, **kwargs)

        def wrap(name: str, arity: int = 1) -> None:
            real = getattr(os, name)

            def replacement(*args: Any, **kwargs: Any) -> Any:
                paths = list(args[:arity])
                base = kwargs.get("dir_fd") or kwargs.get("src_dir_fd")
                if base is not None:  # shutil.rmtree works relative to open folders
                    folder = os.readlink(f"/proc/self/fd/{base}")
                    paths = [os.path.join(folder, os.fsdecode(p)) for p in paths]
                inside = [p for p in paths if self._inside(p)]
                if inside:
                    self.step(name, inside[0])
                return real(*args, **kwargs)

            patch(os, name, replacement)

        from newsletter.storage import output

        real_exchange = getattr(output, "exchange_paths", None)

        def exchange(a: Any, b: Any) -> bool:
            self.step("exchange", b)
            return real_exchange(a, b)

        if real_exchange is not None:
            patch(output, "exchange_paths", exchange)
        patch(os, "open", os_open)
        patch(io, "open", file_open)
        patch(builtins, "open", file_open)
        patch(sqlite3, "connect", connect)
        for name, arity in (("mkdir", 1), ("replace", 2), ("rename", 2), ("link", 2),
                            ("unlink", 1), ("remove", 1), ("rmdir", 1), ("symlink", 2)):
            wrap(name, arity)
        try:
            yield self
        finally:
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)


def in_child(work: Callable[[], int]) -> int:
    """Run `work` in a forked child and return its exit status (KILLED for a simulated kill).
    The child ends with os._exit, so nothing of the test process runs twice."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            code = work()
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 98
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
