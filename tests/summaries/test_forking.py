"""Half a job in a forked process: its result when all goes well, this process's own work when
anything goes wrong there, no fork beside other threads, no child left behind."""

from __future__ import annotations

import marshal
import os
import signal
import subprocess
import sys
import threading

import pytest

from newsletter.summaries import forking
from newsletter.summaries.forking import may_fork, run_beside


@pytest.fixture
def allowed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Forks allowed (the test process runs other threads); the children's pids, as made."""
    monkeypatch.setattr(forking, "may_fork", lambda: True)
    pids: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return pids


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:  # reaped: no zombie left
        return True
    return False


def _pid_there() -> int:
    return os.getpid()


def test_the_second_half_runs_in_a_child_at_the_same_time(allowed):
    here, there = run_beside(os.getpid, _pid_there, marshal.dumps, marshal.loads)
    assert here == os.getpid() and there == allowed[0] != here
    assert _gone(allowed[0])


@pytest.mark.parametrize("how", ["error", "signal", "exit", "bad bytes"])
def test_a_child_that_fails_leaves_its_half_to_this_process(allowed, how):
    parent = os.getpid()

    def there() -> int:
        if os.getpid() != parent:
            if how == "error":
                raise RuntimeError("no")
            if how == "signal":
                os.kill(os.getpid(), signal.SIGKILL)
            if how == "exit":
                os._exit(0)  # without its result
        return os.getpid()

    def encode(value: int) -> bytes:
        return b"\xff" if how == "bad bytes" else marshal.dumps(value)

    assert run_beside(lambda: "mine", there, encode, marshal.loads) == ("mine", parent)
    assert len(allowed) == 1 and _gone(allowed[0])


def test_an_error_here_stops_the_child_and_is_raised(allowed):
    def here() -> None:
        raise KeyboardInterrupt

    def slow() -> int:
        threading.Event().wait(30)  # would outlive the test, if it were not stopped
        return 0

    with pytest.raises(KeyboardInterrupt):
        run_beside(here, slow, marshal.dumps, marshal.loads)
    assert _gone(allowed[0])


def test_no_fork_beside_another_thread(monkeypatch):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not may_fork()
        assert run_beside(os.getpid, _pid_there, marshal.dumps, marshal.loads) == \
            (os.getpid(), os.getpid())
    finally:
        stop.set()
        other.join()


def test_a_result_cut_short_or_of_a_failed_child_is_not_used():
    payload = marshal.dumps([1, 2, 3])
    framed = len(payload).to_bytes(8, "big") + payload
    failed = forking._FAILED
    assert forking._received(framed, 0, marshal.loads) == [1, 2, 3]
    assert forking._received(framed, None, marshal.loads) == [1, 2, 3]  # reaped by the system
    assert forking._received(framed[:-1], 0, marshal.loads) is failed
    assert forking._received(framed + b"x", 0, marshal.loads) is failed
    assert forking._received(framed[:5], 0, marshal.loads) is failed
    assert forking._received(framed[:5], None, marshal.loads) is failed
    assert forking._received(framed, 1, marshal.loads) is failed
    assert forking._received(framed, -9, marshal.loads) is failed
    bad = len(b"\xff").to_bytes(8, "big") + b"\xff"
    assert forking._received(bad, 0, marshal.loads) is failed


def test_a_child_may_answer_none(allowed):
    ran: list[int] = []

    def there() -> None:
        ran.append(os.getpid())  # in the child's memory only, when the child's answer is used

    assert run_beside(lambda: 1, there, marshal.dumps, marshal.loads) == (1, None)
    assert ran == [] and _gone(allowed[0])


# In a process of its own: one thread (as where a fork is made for real), and process-wide
# settings (signal dispositions, the limit of open files) that must not leak into other tests.
ALONE = """
import marshal, os, signal, sys
from newsletter.summaries import forking

case = sys.argv[1]
if case == "sigchld-ignored":  # the system reaps the child: its status is unknown
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print(forking.run_beside(os.getpid, os.getpid, marshal.dumps, marshal.loads)[1] != os.getpid())
elif case == "interrupt-held":  # a Ctrl-C while the fork is made waits until it is made
    # Python's own handler, whatever this process inherited (a job started in the background
    # by a shell without job control has SIGINT ignored, and Python then installs none)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with forking._interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)
            print("held")
    except KeyboardInterrupt:
        print("delivered after")
elif case == "interrupt-in-child":  # the child's interrupt ends it; the parent does its half
    def there():
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGINT)
            signal.pause()
        return "here"
    parent = os.getpid()
    print(forking.run_beside(lambda: 1, there, marshal.dumps, marshal.loads)[1])
"""


@pytest.mark.parametrize(("case", "printed"), [
    ("sigchld-ignored", "True"),
    ("interrupt-held", "held\ndelivered after"),
    ("interrupt-in-child", "here"),
])
def test_forks_in_a_process_of_one_thread(case, printed):
    done = subprocess.run([sys.executable, "-c", ALONE, case], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == printed


def test_no_pipe_to_spare_means_both_halves_here(allowed, monkeypatch):
    import errno

    def no_pipe() -> tuple[int, int]:
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(os, "pipe", no_pipe)
    assert run_beside(os.getpid, _pid_there, marshal.dumps, marshal.loads) == \
        (os.getpid(), os.getpid())
    assert allowed == []  # no fork made
