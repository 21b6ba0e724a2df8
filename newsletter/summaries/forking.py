"""Sharing a job with one forked process: its second half runs there while this process runs
the first (two cores; a listing of 100,000 files spends most of its time in system calls).

A fork is made only where it is safe: a system with `os.fork`, and no other thread in this
process (a fork copies only the calling thread, and with it any lock another one held). The
child runs its half, sends the result as bytes through a pipe and ends with `os._exit` (none of
this process's clean-up runs twice: atexit handlers, buffered output). Whatever goes wrong there
(an error, a signal, a result cut short), this process runs that half itself: a fork only ever
saves time, and never changes a result.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")

_LENGTH = 8  # the result's length, before it, so that one cut short is seen


def may_fork() -> bool:
    """Whether a fork is safe here: POSIX, and this thread is the process's only one."""
    return hasattr(os, "fork") and threading.active_count() == 1


def run_beside(here: Callable[[], T], there: Callable[[], U], encode: Callable[[U], bytes],
               decode: Callable[[bytes], U]) -> tuple[T, U]:
    """`here()` in this process and `there()` in a forked one at the same time, where a fork is
    safe (`may_fork`); one after the other here otherwise, or when the child fails. `encode`
    turns the child's result into bytes, and `decode` (raising ValueError, TypeError or
    EOFError on bytes it cannot read) turns them back."""
    if not may_fork():
        return here(), there()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare: both halves here
        os.close(read_end)
        os.close(write_end)
        return here(), there()
    if pid == 0:  # pragma: no cover  (the child: coverage is not measured there)
        _child(read_end, write_end, there, encode)
    os.close(write_end)
    try:
        mine = here()
        data = _read_all(read_end)
    except BaseException:
        _end(pid, kill=True)
        raise
    finally:
        os.close(read_end)
    theirs = _received(data, _end(pid), decode)
    return mine, (there() if theirs is None else theirs)


def _child(read_end: int, write_end: int, there: Callable[[], U],
           encode: Callable[[U], bytes]) -> None:  # pragma: no cover  (runs in the child)
    code = 1
    try:
        os.close(read_end)
        payload = encode(there())
        _write_all(write_end, len(payload).to_bytes(_LENGTH, "big") + payload)
        code = 0
    except BaseException:  # an interrupt or any error: the parent does the work
        pass
    finally:
        os._exit(code)


def _write_all(fd: int, data: bytes) -> None:  # pragma: no cover  (runs in the child)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _end(pid: int, kill: bool = False) -> int:
    """Wait for the child (stopped first when `kill`): its exit status."""
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _received(data: bytes, status: int, decode: Callable[[bytes], U]) -> U | None:
    """The child's result, or None when it failed or sent less than it said."""
    if status != 0 or len(data) < _LENGTH:
        return None
    payload = data[_LENGTH:]
    if int.from_bytes(data[:_LENGTH], "big") != len(payload):
        return None
    try:
        return decode(payload)
    except (ValueError, TypeError, EOFError):
        return None
