"""Sharing a job with one forked process: its second half runs there while this process runs
the first (two cores; a listing of 100,000 files spends most of its time in system calls).

A fork is made only where it is safe: a system with `os.fork`, and no other thread in this
process (a fork copies only the calling thread, and with it any lock another one held). The
child runs its half, sends the result as bytes through a pipe and ends with `os._exit` (none of
this process's clean-up runs twice: atexit handlers, buffered output). Whatever goes wrong there
(an error, a signal, a result cut short), or when no pipe or process can be made, this process
runs that half itself: a fork only ever saves time, and never changes a result. SIGINT and
SIGTERM are held back while the fork is made, and end the child at once (the parent,
interrupted too, stops and waits for it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
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
    try:
        read_end, write_end = os.pipe()
    except OSError:  # no descriptor to spare (a low limit of open files): both halves here
        return here(), there()
    pid = -1
    try:
        with _interrupts_held():  # none lands between the fork and the child's own handling
            try:
                pid = os.fork()
            except OSError:  # no process to spare: both halves here
                pid = -1
            if pid == 0:  # pragma: no cover  (the child: coverage is not measured there)
                _child(read_end, write_end, there, encode)
            os.close(write_end)
        if pid < 0:
            return here(), there()
        mine = here()
        data = _read_all(read_end)
    except BaseException:  # an interrupt (held back during the fork, delivered after it) too
        if pid > 0:
            _end(pid, kill=True)
        raise
    finally:
        os.close(read_end)
    theirs = _received(data, _end(pid), decode)
    return mine, (there() if theirs is _FAILED else theirs)  # type: ignore[return-value]


_HELD = (signal.SIGINT, signal.SIGTERM)
_FAILED = object()  # the child's result could not be used (None may be a result)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back (delivered when the block ends, in the parent), where the
    system can: a Ctrl-C between the fork and the child's handling would otherwise raise in the
    child, which would run the caller's clean-up and print its copy of buffered output."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        yield
        return
    old = mask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


def _child(read_end: int, write_end: int, there: Callable[[], U],
           encode: Callable[[U], bytes]) -> None:  # pragma: no cover  (runs in the child)
    code = 1
    try:
        for number in _HELD:  # an interrupt ends the child at once; the parent has its own
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
        os.close(read_end)
        payload = encode(there())
        _write_all(write_end, len(payload).to_bytes(_LENGTH, "big") + payload)
        code = 0
    except BaseException:  # any error: the parent does the work
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


def _end(pid: int, kill: bool = False) -> int | None:
    """Wait for the child (stopped first when `kill`): its exit status, or None when the system
    reaped it already (a process started with SIGCHLD ignored)."""
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None


def _received(data: bytes, status: int | None, decode: Callable[[bytes], U]) -> object:
    """The child's result, or _FAILED when it failed or sent less than it said (a child whose
    status is unknown is judged by what it sent alone)."""
    if status not in (0, None) or len(data) < _LENGTH:
        return _FAILED
    payload = data[_LENGTH:]
    if int.from_bytes(data[:_LENGTH], "big") != len(payload):
        return _FAILED
    try:
        return decode(payload)
    except (ValueError, TypeError, EOFError):
        return _FAILED
