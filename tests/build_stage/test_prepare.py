"""`prepare`: what it hands on (the issue file's warnings, its stage times by the clock) and how
the preview's memo is used (only the changed files are looked at)."""

from __future__ import annotations

from types import SimpleNamespace

from helpers import WorkspaceFactory, summary_text

from newsletter import build as build_module
from newsletter.build import prepare
from newsletter.summaries import library as library_module
from newsletter.summaries.library import LibraryMemo


def _ws(make_ws: WorkspaceFactory):
    return make_ws(summaries={
        "a.md": summary_text(title="Alpha walking study", slug="a", published="2026-05-02"),
        "b.md": summary_text(title="Beta sleep survey", slug="b", published="2026-05-09"),
    })


def test_the_issue_files_warnings_are_handed_on(make_ws: WorkspaceFactory) -> None:
    prepared = prepare(_ws(make_ws), "2026-05")  # no issues/2026-05.toml
    assert [(w.where, w.message) for w in prepared.warnings] == [
        ("issues/2026-05.toml", "no issue file: using the whole month with the default subject "
                                "and preheader")]


def test_the_stages_are_timed_by_the_clock(make_ws: WorkspaceFactory, monkeypatch) -> None:
    """A clock that reads 10, 12 and 15: loading took 2 s (the files' reading part of it, the
    rest is the scan) and selecting and grouping 3 s."""
    ticks = iter([10.0, 12.0, 15.0])
    monkeypatch.setattr(build_module, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    timings = prepare(_ws(make_ws), "2026-05").timings
    assert timings["parse"] > 0  # the files were read (no cache yet)
    assert timings["scan"] == 2.0 - timings["parse"]
    assert timings["select_group"] == 3.0


def test_with_a_memo_only_the_changed_files_are_looked_at(make_ws: WorkspaceFactory,
                                                         monkeypatch) -> None:
    """The preview's way: the first prepare lists the archive, the next ones read only the
    paths the watcher names (no listing, no other file read)."""
    ws = _ws(make_ws)
    memo = LibraryMemo()
    prepare(ws, "2026-05", memo=memo)
    assert memo.table is not None
    listed: list[object] = []
    original = library_module.list_summary_files
    monkeypatch.setattr(library_module, "list_summary_files",
                        lambda *args: listed.append(args) or original(*args))
    read: list[str] = []
    parse = library_module.parse_file
    monkeypatch.setattr(library_module, "parse_file",
                        lambda *args: read.append(args[1]) or parse(*args))
    changed = ws.summaries_path / "b.md"
    changed.write_text(summary_text(title="Beta sleep survey, corrected", slug="b",
                                    published="2026-05-09"))
    prepared = prepare(ws, "2026-05", memo=memo, changed=[str(changed)])
    assert listed == [] and read == ["summaries/b.md"]
    assert "Beta sleep survey, corrected" in [s.title for s in prepared.selection.items]
