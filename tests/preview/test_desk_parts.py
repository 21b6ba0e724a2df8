"""Parts of the desk without a server: the undo history and the inbox rows."""

from __future__ import annotations

from newsletter.limits import INBOX_DESKTOP, INBOX_PHONE
from newsletter.preview.history import UNDO_LIMIT, History, Step, bytes_version
from newsletter.preview.state import clip, inbox


def test_the_history_keeps_the_last_twenty_steps_per_issue() -> None:
    history = History()
    assert UNDO_LIMIT == history.limit == 20
    for i in range(22):
        history.record("2026-05", Step(f"v{i}".encode(), f"v{i + 1}".encode(), f"edit {i}"))
    history.record("2026-04", Step(b"a", b"b", "other issue"))
    undone = []
    while (step := history.next_undo("2026-05")) is not None:
        undone.append(step.label)
        history.undone("2026-05")
    assert undone == [f"edit {i}" for i in range(21, 1, -1)]
    assert history.summary("2026-05")["can_redo"] is True
    assert history.next_undo("2026-04").label == "other issue"


def test_a_new_edit_clears_what_could_be_redone() -> None:
    history = History()
    history.record("x", Step(None, b"1", "create"))
    history.undone("x")
    assert history.next_redo("x").label == "create"
    history.record("x", Step(None, b"2", "another"))
    assert history.next_redo("x") is None
    assert history.summary("x") | {} == {"can_undo": True, "can_redo": False,
                                         "undo_label": "another", "redo_label": None,
                                         "undo_depth": 1, "undo_limit": 20}
    assert bytes_version(None) is None and len(bytes_version(b"")) == 64


def test_clip_cuts_with_an_ellipsis_within_the_limit() -> None:
    assert clip("short", 10) == "short"
    assert clip("a" * 11, 10) == "a" * 9 + "…"
    assert len(clip("word " * 30, 41)) <= 41


def test_inbox_rows_cut_where_the_lists_cut() -> None:
    subject = "S" * 50
    preheader = "P" * 120
    rows = inbox("A very long sender name that goes on", subject, preheader)
    phone, desktop = rows["phone"], rows["desktop"]
    assert phone["subject"] == "S" * (INBOX_PHONE["subject"] - 1) + "…" and phone["subject_cut"]
    assert phone["preheader"] == "P" * (INBOX_PHONE["preheader"] - 1) + "…"
    assert phone["sender"] == "A very long sender name…"  # cut at 25, the space dropped
    assert desktop["subject"] == subject and not desktop["subject_cut"]
    room = INBOX_DESKTOP["row"] - len(subject) - 3
    assert desktop["preheader"] == "P" * (room - 1) + "…" and desktop["preheader_cut"]
    assert rows["counts"] == {"sender": 36, "subject": 50, "preheader": 120}


def test_a_subject_that_fills_the_desktop_row_leaves_no_preheader() -> None:
    rows = inbox("Digest", "S" * 200, "Preheader")
    assert rows["desktop"]["preheader"] == "" and rows["desktop"]["subject_cut"]
    short = inbox("Digest", "Short", "Preheader")
    assert short["desktop"]["preheader"] == "Preheader" and not short["phone"]["preheader_cut"]
