"""SpamAssassin with its rules loaded once a process, for the spam check.

A `spamassassin` run spends about 60 % of its time loading and compiling the rules (1.5 of about
2.5 s here) and the rest scoring. The resident scorer is a small Perl program
(data/resident_spamassassin.pl) that makes the Mail::SpamAssassin object the `spamassassin`
program makes for `spamassassin -L -t -x -p PREFS --cf=LINE...` (the same options, the same
paths, read from that program) and scores one message after another on a pipe. The first score of
a process costs what a run costs; the next ones cost the scoring only: the desk scores again after
edits, and a process that checks several emails pays the loading once.

It is used when the installed `spamassassin` is the Perl program it can read its paths from
(Debian's is); any other (a wrapper script, say) is run once per message as before
(spamassassin.run_once). A scorer that fails, times out or was started before the rules changed
is stopped and a new one started. It runs with a throwaway HOME, removed when it stops (at the
latest when the process exits).
"""

from __future__ import annotations

import atexit
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
    paths can be read (then it is run once per message)."""
    perl = shutil.which("perl")
    try:
        with open(executable, "rb") as program:
            head = program.read(HEAD_BYTES)
    except OSError:
        return None
    if perl is None or not head.startswith(b"#!") or b"perl" not in head.split(b"\n", 1)[0]:
        return None
    found = {name.decode(): value.decode() for name, value in _PATH.findall(head)}
    if any(name not in found for name in PATH_NAMES):
        return None
    lib = _LIB.search(head)
    return Setup(perl, lib[1].decode() if lib else None,
                 tuple(found[name] for name in PATH_NAMES), config, stamp)


class Resident:
    """One running scorer: `score` sends a message and reads its report."""

    def __init__(self, setup: Setup, timeout: float) -> None:
        self.setup = setup
        self.pid = os.getpid()  # a forked child starts its own: the pipes are the parent's
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
        try:
            options = [str(Path(self.home, "user_prefs")), *setup.paths, *setup.config]
            self._send("\n".join(options).encode())
            if self._receive(time.monotonic() + timeout) != b"ready":
                raise ResidentError("SpamAssassin did not say it was ready")
        except ResidentError:
            self.close(wait=0)
            raise

    def score(self, message: bytes, timeout: float) -> str:
        """The report SpamAssassin appends with -t, for one message."""
        self._send(message)
        return self._receive(time.monotonic() + timeout).decode("utf-8", errors="replace")

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

    def _remove_home(self) -> None:
        if hasattr(self, "_errors"):
            self._errors.close()
        shutil.rmtree(self.home, ignore_errors=True)

    def _send(self, data: bytes) -> None:
        try:
            self.process.stdin.write(f"{len(data)}\n".encode() + data)  # type: ignore[union-attr]
            self.process.stdin.flush()  # type: ignore[union-attr]
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
                raise ResidentError("no result within the time allowed")
        chunk = os.read(stdout.fileno(), 65536)
        if not chunk:
            raise ResidentError(self._stopped())
        self._buffer += chunk

    def _stopped(self) -> str:
        code = self.process.wait(timeout=5)
        self._errors.seek(0)
        said = self._errors.read().decode(errors="replace").strip()[-300:]
        return f"SpamAssassin stopped (exit code {code})" + (f": {said}" if said else "")


_LOCK = threading.Lock()
_CURRENT: Resident | None = None


def report(message: bytes, setup: Setup, timeout: float) -> str:
    """The report of `message` from this process's scorer, started first if there is none, or a
    new one when the set-up (the rules) changed or it stopped. A scorer that fails is closed:
    the next call starts another."""
    global _CURRENT
    with _LOCK:
        deadline = time.monotonic() + timeout
        current = _CURRENT
        if current is not None and (current.pid != os.getpid() or current.setup != setup
                                    or not current.alive()):
            if current.pid == os.getpid():
                current.close()
            current = _CURRENT = None
        if current is None:
            current = _CURRENT = Resident(setup, timeout)
        try:
            return current.score(message, max(0.0, deadline - time.monotonic()))
        except ResidentError:
            current.close(wait=0)  # past its time or broken: nothing left to wait for
            _CURRENT = None
            raise


def stop() -> None:
    """Stops this process's scorer, if it has one."""
    global _CURRENT
    with _LOCK:
        if _CURRENT is not None and _CURRENT.pid == os.getpid():
            _CURRENT.close()
        _CURRENT = None


atexit.register(stop)
