"""The memo of pure functions' results (storage.memo): a result is reused only for the same
function, code, libraries and arguments; outside a run's memo the function just runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsletter.storage import memo


def counted(code: Path, libraries: tuple[str, ...] = ()):
    calls: list[tuple] = []

    @memo.remembered(files=(str(code),), libraries=libraries)
    def shout(text: str, times: int = 1) -> str:
        calls.append((text, times))
        return text.upper() * times

    return shout, calls


def memo_after_one_run(folder: Path, function, *texts: str) -> Path:
    """The memo entry a run of `function` on `texts` leaves in `folder`."""
    with memo.keeping_results(folder, "x"):
        for text in texts:
            function(text)
    [entry] = folder.glob("*.memo")
    return entry


@pytest.fixture
def code(tmp_path: Path) -> Path:
    path = tmp_path / "rule.py"
    path.write_text("# version 1\n")
    return path


def test_outside_a_run_the_function_just_runs(code: Path) -> None:
    shout, calls = counted(code)
    assert shout("a") == shout("a") == "A"
    assert calls == [("a", 1), ("a", 1)]


def test_a_result_is_kept_for_the_next_run_of_the_same_scope(tmp_path: Path, code: Path) -> None:
    folder = tmp_path / "memo"
    shout, calls = counted(code)
    with memo.keeping_results(folder, "2026-05"):
        assert shout("a") == "A" and shout("b", times=2) == "BB" and shout("a") == "A"
    assert calls == [("a", 1), ("b", 2)]
    shout, calls = counted(code)  # a new process: a new function object, the same code
    with memo.keeping_results(folder, "2026-05"):
        assert shout("a") == "A" and shout("b", times=2) == "BB"
        assert shout("c") == "C"
    assert calls == [("c", 1)]
    with memo.keeping_results(folder, "2026-06"):  # another issue has its own memo
        assert shout("a") == "A"
    assert calls == [("c", 1), ("a", 1)]


def test_changed_code_or_arguments_make_new_keys(tmp_path: Path, code: Path) -> None:
    folder = tmp_path / "memo"
    shout, calls = counted(code)
    with memo.keeping_results(folder, "x"):
        shout("a")
    code.write_text("# version 2\n")
    shout, calls = counted(code)
    with memo.keeping_results(folder, "x"):
        assert shout("a") == "A" and shout("a", 2) == "AA" and shout("a", times=2) == "AA"
    assert calls == [("a", 1), ("a", 2), ("a", 2)]


def test_a_changed_library_makes_new_keys(tmp_path: Path, code: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "memo"
    version = ["1"]
    monkeypatch.setattr(memo, "library_stamp", lambda name: f"{name} {version[0]}")
    shout, calls = counted(code, libraries=("markdown_it",))
    with memo.keeping_results(folder, "x"):
        shout("a")
    version[0] = "2"
    shout, calls = counted(code, libraries=("markdown_it",))
    with memo.keeping_results(folder, "x"):
        shout("a")
    assert calls == [("a", 1)]


def test_the_memo_is_rewritten_only_when_its_results_change(tmp_path: Path, code: Path) -> None:
    folder = tmp_path / "memo"
    shout, calls = counted(code)
    entry = memo_after_one_run(folder, shout, "a")
    os.utime(entry, ns=(1, 1))
    with memo.keeping_results(folder, "x"):
        shout("a")
    assert entry.stat().st_mtime_ns == 1
    with memo.keeping_results(folder, "x"):
        shout("b")  # "a" unused now: the memo keeps what the last run used
    with memo.keeping_results(folder, "x") as kept:
        assert len(kept.known) == 1 and not kept.used
        shout("a")
    assert calls == [("a", 1), ("b", 1), ("a", 1)]


def test_a_garbled_memo_is_ignored(tmp_path: Path, code: Path) -> None:
    folder = tmp_path / "memo"
    shout, calls = counted(code)
    entry = memo_after_one_run(folder, shout, "a")
    entry.write_bytes(entry.read_bytes()[:-3])
    with memo.keeping_results(folder, "x"):
        assert shout("a") == "A"
    assert calls == [("a", 1), ("a", 1)]


def test_without_a_folder_nothing_is_written(tmp_path: Path, code: Path) -> None:
    shout, calls = counted(code)
    with memo.keeping_results(None, "x"):
        shout("a")
        shout("a")
    with memo.keeping_results(None, "x"):
        shout("a")
    assert calls == [("a", 1), ("a", 1)]
    assert list(tmp_path.iterdir()) == [code]


def test_an_argument_marshal_cannot_store_is_not_remembered(tmp_path: Path) -> None:
    calls = []

    @memo.remembered(files=(__file__,))
    def size(value: object) -> int:
        calls.append(value)
        return 1

    with memo.keeping_results(tmp_path, "x"):
        assert size(object) == size(object) == 1
    assert len(calls) == 2


def test_a_module_without_its_source_is_not_remembered(tmp_path: Path) -> None:
    shout, calls = counted(tmp_path / "gone.py")
    with memo.keeping_results(tmp_path / "memo", "x"):
        shout("a")
        shout("a")
    assert calls == [("a", 1), ("a", 1)] and not (tmp_path / "memo").exists()


def test_equal_arguments_find_the_same_result(tmp_path: Path, code: Path) -> None:
    """Keys are made from the arguments' values: a string built at run time finds the result
    stored for the same text written in the code (marshal would otherwise tell them apart)."""
    shout, calls = counted(code)
    with memo.keeping_results(tmp_path, "x"):
        shout("abc")
        shout("".join(["a", "b", "c"]))
    assert calls == [("abc", 1)]


def test_a_result_marshal_cannot_store_keeps_the_memo_as_it_was(tmp_path: Path) -> None:
    @memo.remembered(files=(__file__,))
    def wrapped(text: str) -> object:
        return {text: object()} if text == "odd" else text

    entry = memo_after_one_run(tmp_path, wrapped, "a")
    before = entry.read_bytes()
    with memo.keeping_results(tmp_path, "x"):
        wrapped("odd")
    assert entry.read_bytes() == before
