"""SpamAssassin with its rules loaded once a process, for the spam check.

A `spamassassin` run spends about 60 % of its time loading and compiling the rules (1.5 of about
2.5 s here) and the rest scoring. The resident scorer is a small Perl program
(data/resident_spamassassin.pl) that makes the Mail::SpamAssassin object the `spamassassin`
program makes for `spamassassin -L -t -x -p PREFS --cf=LINE...` (the same options, the same
paths, read from that program) and scores one message after another on a pipe. The first score of
a process costs what a run costs; the next ones cost the scoring only: the desk scores again after
edits, and a process that checks several emails pays the loading once.

It is used when the installed `spamassassin` is the Perl program it can read its paths from
(Debian's is), run by the Perl its first line names; any other (a wrapper script, say), or one
whose scorer cannot start, is run once per message as before (spamassassin.run_once). A scorer
that fails, times out or was started before the rules changed is stopped and a new one started.
Every wait (the pipe both ways, another thread's score) counts against the time allowed.

It runs with a throwaway HOME, which is also where SpamAssassin tests that it can write a state
folder (`home_dir_for_helpers`; else it creates ~/.spamassassin in the home of the user's passwd
entry). The Perl program removes that folder when its input ends, so a caller that ended
without stopping it (os._exit in a forked worker, SIGTERM) leaves nothing; a forked child
closes its copy of the parent's pipes and starts its own scorer.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

SCRIPT = Path(__file__).parent / "data" / "resident_spamassassin.pl"
# The paths the spamassassin program has substituted at install time, in the order the script
# reads them: `my $PREFIX = '/usr';`
PATH_NAMES = ("PREFIX", "DEF_RULES_DIR", "LOCAL_RULES_DIR", "LOCAL_STATE_DIR")
_PATH = re.compile(rb"^my \$(\w+)\s*=\s*'([^'\n]*)';", re.M)
_LIB = re.compile(rb"^use lib '([^'\n]+)';", re.M)
HEAD_BYTES = 8192


class ResidentError(Exception):
    """The resident scorer stopped, timed out or answered something unreadable."""


class TimeLimit(ResidentError):
    """No answer within the time allowed (a busy machine, not a scorer that cannot work)."""


@dataclass(frozen=True)
class Setup:
    """How to start a resident scorer that scores as `executable` does."""

    perl: str
    lib: str | None
    paths: tuple[str, ...]  # PATH_NAMES' values
    config: tuple[str, ...]  # the --cf lines
    stamp: str  # the rules it loaded (spamassassin.rules_stamp): changed rules, a new scorer


def setup_for(executable: str, config: tuple[str, ...], stamp: str) -> Setup | None:
    """The set-up of a scorer like `executable`, or None when it is not a Perl program whose
    paths can be read (then it is run once per message). Its Perl is the one its first line
    names (`#!/usr/bin/perl`), the one that finds its Mail::SpamAssassin."""
    try:
        with open(executable, "rb") as program:
            head = program.read(HEAD_BYTES)
    except OSError:
        return None
    perl = _interpreter(head)
    if perl is None:
        return None
    found = {name.decode(): value.decode() for name, value in _PATH.findall(head)}
    if any(name not in found for name in PATH_NAMES):
        return None
    lib = _LIB.search(head)
    return Setup(perl, lib[1].decode() if lib else None,
                 tuple(found[name] for name in PATH_NAMES), config, stamp)


def _interpreter(head: bytes) -> str | None:
    """The Perl of a `#!` line: `#!/usr/bin/perl -T -w`, or `#!/usr/bin/env perl` (then the
    one on PATH); None for anything else."""
    if not head.startswith(b"#!"):
        return None
    words = head[2:].split(b"\n", 1)[0].decode(errors="replace").split()
    if words and Path(words[0]).name == "env" and len(words) > 1:
        words = words[1:]
        found = shutil.which(words[0]) if Path(words[0]).name.startswith("perl") else None
        return found
    if not words or not Path(words[0]).name.startswith("perl") or not os.access(words[0], os.X_OK):
        return None
    return words[0]


class Resident:
    """One running scorer: `score` sends a message and reads its report."""

    def __init__(self, setup: Setup, timeout: float) -> None:
        self.setup = setup
        self.home = tempfile.mkdtemp(prefix="nl-spam-")
        Path(self.home, "user_prefs").touch()
        self._errors: IO[bytes] = open(Path(self.home, "stderr"), "w+b")  # noqa: SIM115
        self._buffer = b""
        command = [setup.perl] + (["-I", setup.lib] if setup.lib else []) + [str(SCRIPT)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
               "LC_ALL": "C", "LANG": "C"}
        try:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self._errors,
                                            env=env, cwd=self.home)
        except OSError as exc:
            self._remove_home()
            raise ResidentError(f"cannot run {setup.perl}: {exc.strerror}") from None
        os.set_blocking(self.process.stdin.fileno(), False)  # type: ignore[union-attr]
        try:
            deadline = time.monotonic() + timeout
            self._send("\n".join([self.home, *setup.paths, *setup.config]).encode(), deadline)
            if self._receive(deadline) != b"ready":
                raise ResidentError("SpamAssassin did not say it was ready")
        except BaseException:
            self.close(wait=0)
            raise

    def score(self, message: bytes, deadline: float) -> str:
        """The report SpamAssassin appends with -t, for one message, by `deadline`
        (time.monotonic())."""
        self._send(message, deadline)
        return self._receive(deadline).decode("utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self, wait: float = 5) -> None:
        """Ends the scorer (end of input, then a kill after `wait` seconds; at once with 0) and
        removes its HOME."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # type: ignore[union-attr]
                self.process.wait(timeout=wait)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()  # type: ignore[union-attr]
        self._remove_home()

    def end_from_elsewhere(self) -> None:
        """End it while another thread may be reading or writing its pipes (which that thread
        then finds closed, and cleans up): SIGTERM, which the Perl program turns into an exit
        that removes its home folder, then a kill after a second."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)

    def _remove_home(self) -> None:
        self._errors.close()
        shutil.rmtree(self.home, ignore_errors=True)

    def _send(self, data: bytes, deadline: float) -> None:
        """Write one block, waiting for the pipe at most until `deadline`."""
        stdin = self.process.stdin
        assert stdin is not None
        pending = memoryview(f"{len(data)}\n".encode() + data)
        with selectors.DefaultSelector() as selector:
            selector.register(stdin, selectors.EVENT_WRITE)
            while pending:
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    raise TimeLimit("no result within the time allowed")
                try:
                    pending = pending[os.write(stdin.fileno(), pending):]
                except BlockingIOError:
                    continue
                except OSError:
                    raise ResidentError(self._stopped()) from None

    def _receive(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            self._fill(deadline)
        head, _, self._buffer = self._buffer.partition(b"\n")
        if not head.isdigit():
            raise ResidentError(f"unreadable answer from SpamAssassin: {head[:80]!r}")
        length = int(head)
        while len(self._buffer) < length:
            self._fill(deadline)
        data, self._buffer = self._buffer[:length], self._buffer[length:]
        return data

    def _fill(self, deadline: float) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            if not selector.select(max(0.0, deadline - time.monotonic())):
                raise TimeLimit("no result within the time allowed")
        chunk = os.read(stdout.fileno(), 65536)
        if not chunk:
            raise ResidentError(self._stopped())
        self._buffer += chunk

    def _stopped(self) -> str:
        try:
            code = self.process.wait(timeout=1)  # its output ended: it is ending
        except subprocess.TimeoutExpired:  # its output closed, the program still running
            self.process.kill()
            self.process.wait()
            return "SpamAssassin closed its output without ending"
        self._errors.seek(0)
        said = self._errors.read().decode(errors="replace").strip()[-300:]
        return f"SpamAssassin stopped (exit code {code})" + (f": {said}" if said else "")


_LOCK = threading.Lock()
_CURRENT: Resident | None = None
_CANNOT_START: set[Setup] = set()  # tried once in this process: each message is run once


class StartError(ResidentError):
    """The scorer could not be started (it is not tried again in this process)."""


def can_start(setup: Setup) -> bool:
    return setup not in _CANNOT_START


def report(message: bytes, setup: Setup, timeout: float) -> str:
    """The report of `message` from this process's scorer, started first if there is none, or a
    new one when the set-up (the rules) changed or it stopped; within `timeout` seconds, the
    wait for another thread's score included. A scorer that fails is stopped: the next call
    starts another; one that cannot start raises StartError."""
    global _CURRENT
    deadline = time.monotonic() + timeout
    if not _LOCK.acquire(timeout=max(0.0, timeout)):
        raise TimeLimit("no result within the time allowed (another score was running)")
    try:
        current = _CURRENT
        if current is not None and (current.setup != setup or not current.alive()):
            current.close()
            current = _CURRENT = None
        if current is None:
            try:
                current = _CURRENT = Resident(setup, max(0.0, deadline - time.monotonic()))
            except TimeLimit:
                raise  # too slow this time: neither a one-shot run on top nor given up for good
            except ResidentError as exc:
                _CANNOT_START.add(setup)
                raise StartError(str(exc)) from None
        try:
            return current.score(message, deadline)
        except ResidentError:
            current.close(wait=0)  # past its time or broken: nothing left to wait for
            _CURRENT = None
            raise
    finally:
        _LOCK.release()


def stop() -> None:
    """Stops this process's scorer, if it has one: at once when a score is running (at exit,
    a background score must not hold the process for its time limit)."""
    global _CURRENT
    if _LOCK.acquire(timeout=0.5):
        try:
            if _CURRENT is not None:
                _CURRENT.close()
            _CURRENT = None
        finally:
            _LOCK.release()
        return
    current, _CURRENT = _CURRENT, None
    if current is not None:
        current.end_from_elsewhere()


def _forget_in_child() -> None:
    """After a fork, in the child: the parent's scorer is the parent's. Its pipes are closed
    here (else the parent's scorer never sees its input end) and the child starts its own."""
    global _CURRENT, _LOCK
    _LOCK = threading.Lock()
    current, _CURRENT = _CURRENT, None
    if current is not None:
        for pipe in (current.process.stdin, current.process.stdout, current._errors):
            with contextlib.suppress(OSError, ValueError):
                pipe.close()  # type: ignore[union-attr]


atexit.register(stop)
os.register_at_fork(after_in_child=_forget_in_child)
