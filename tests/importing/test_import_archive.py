"""Re-importing into an archive: unchanged, conflict, --update, --dry-run, ids and safe writes."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from helpers import summary_text
from helpers.importing import FIXTURES, front_matter, run_import, written

from newsletter.errors import OutputError
from newsletter.importing.readers.base import slugify
from newsletter.storage import output


@pytest.fixture
def ws(make_ws):
    return make_ws()


def export(tmp_path, *records, name="export.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def rec(title="A study of sleep", url="https://example.org/a", **fields):
    return {"title": title, "published": "2026-05-02", "url": url, "body": "Text.", **fields}


def test_reimport_is_unchanged(ws):
    first = run_import(ws, FIXTURES, base_url="https://example.org/summaries")
    before = written(ws)
    again = run_import(ws, FIXTURES, base_url="https://example.org/summaries")
    assert first.count("new") == 16
    assert again.count("unchanged") == 16 and again.count("new") == 0
    assert again.failure() is None and again.written == []
    assert written(ws) == before


def test_changed_record_is_a_conflict_until_update(ws, tmp_path):
    run_import(ws, export(tmp_path, rec()))
    target = ws.summaries_path / "2026/05/a-study-of-sleep.md"
    original = target.read_text()
    changed = export(tmp_path, rec(body="New text.", teaser="Short."))
    result = run_import(ws, changed)
    assert result.conflicts == 1 and result.count("updated") == 0
    (problem,) = result.conflict_problems()
    assert problem.message == ("id 'a-study-of-sleep' exists in summaries/2026/05/a-study-of-sleep.md,"
                               " which differs in body, teaser")
    assert problem.fix.startswith("pass --update to replace it")
    assert "conflict" in str(result.failure())
    assert target.read_text() == original

    result = run_import(ws, changed, update=True)
    assert result.count("updated") == 1 and result.failure() is None
    meta, body = front_matter(target)
    assert meta["teaser"] == "Short." and body == "New text.\n"
    assert run_import(ws, changed).count("unchanged") == 1


def test_conflicts_do_not_stop_the_other_records(ws, tmp_path):
    run_import(ws, export(tmp_path, rec()))
    result = run_import(ws, export(tmp_path, rec(body="Other."),
                                   rec("Second", "https://example.org/b")))
    assert [i.status for i in result.items] == ["conflict", "new"]
    assert (ws.summaries_path / "2026/05/second.md").is_file()
    assert result.failure() is not None  # exit 1 all the same


def test_same_url_with_a_new_title_is_the_same_summary(ws, tmp_path):
    run_import(ws, export(tmp_path, rec()))
    result = run_import(ws, export(tmp_path, rec(title="A better title")), update=True)
    (item,) = result.items
    assert item.id == "a-study-of-sleep" and item.status == "updated"
    assert sorted(written(ws)) == ["2026/05/a-study-of-sleep.md"]


def test_title_slug_clash_gets_a_suffix(ws, tmp_path):
    (ws.summaries_path / "2026/04").mkdir(parents=True)
    (ws.summaries_path / "2026/04/a-study-of-sleep.md").write_text(
        summary_text(title="A study of sleep", published="2026-04-02", slug="older"))
    result = run_import(ws, export(tmp_path, rec(), rec(url="https://example.org/b"),
                                   rec(url="https://example.org/c")))
    assert [i.id for i in result.items] == ["a-study-of-sleep-2", "a-study-of-sleep-3",
                                            "a-study-of-sleep-4"]
    assert result.count("new") == 3


def test_own_id_whose_url_belongs_to_another_summary(ws, tmp_path):
    run_import(ws, export(tmp_path, rec()))
    result = run_import(ws, export(tmp_path, rec(id="renamed")), update=True)
    (problem,) = result.conflict_problems()
    assert problem.message == ("url is already used by 'a-study-of-sleep' in "
                               "summaries/2026/05/a-study-of-sleep.md")
    assert problem.fix.startswith("give the record id 'a-study-of-sleep' to update")
    assert not (ws.summaries_path / "2026/05/renamed.md").exists()


def test_own_id_with_a_new_url_updates_with_update(ws, tmp_path):
    run_import(ws, export(tmp_path, rec(id="sleep")))
    moved = export(tmp_path, rec(id="sleep", url="https://example.org/moved"))
    assert run_import(ws, moved).conflicts == 1
    assert run_import(ws, moved, update=True).count("updated") == 1
    assert front_matter(ws.summaries_path / "2026/05/sleep.md")[0]["url"] == \
        "https://example.org/moved"


def test_update_keeps_the_existing_file_where_it_is(sample_ws, tmp_path):
    existing = sample_ws.summaries_path / "2026/05/adapted-yoga-balance-falls.md"
    meta, body = front_matter(existing)
    meta["body"] = body + "\nOne more sentence.\n"
    meta["published"] = "2026-06-30"  # a new month: the file still stays where it was
    result = run_import(sample_ws, export(tmp_path, {**meta, "id": "adapted-yoga-balance-falls"}),
                        update=True)
    assert result.count("updated") == 1
    assert "One more sentence." in existing.read_text()
    assert not (sample_ws.summaries_path / "2026/06/adapted-yoga-balance-falls.md").exists()


def test_the_sample_archive_reimports_unchanged(sample_ws):
    before = written(sample_ws)
    result = run_import(sample_ws, sample_ws.summaries_path, format="markdown")
    assert result.invalid == 0
    assert result.count("unchanged") == len(result.items) > 30
    assert written(sample_ws) == before


def test_dry_run_writes_nothing_and_counts_the_same(ws, tmp_path):
    dry = run_import(ws, FIXTURES, base_url="https://example.org/summaries", dry_run=True)
    assert written(ws) == {} and dry.written == []
    real = run_import(ws, FIXTURES, base_url="https://example.org/summaries")
    assert [(i.where, i.status, i.id) for i in dry.items] == \
        [(i.where, i.status, i.id) for i in real.items]
    assert len(written(ws)) == 16


def test_invalid_record_blocks_every_write_unless_skip_invalid(ws, tmp_path):
    source = export(tmp_path, rec(), rec("Bad", "https://example.org/b", published="soon"))
    result = run_import(ws, source)
    assert result.blocked and written(ws) == {} and result.written == []
    result = run_import(ws, source, skip_invalid=True)
    assert not result.blocked and result.failure() is None
    assert list(written(ws)) == ["2026/05/a-study-of-sleep.md"]


def test_a_failed_write_leaves_the_archive_untouched(ws, tmp_path, monkeypatch):
    source = export(tmp_path, rec(), rec("Two", "https://example.org/2"), rec("Three", "https://example.org/3"))
    real_write = output.write_staged_file
    calls = []

    def failing_write(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(output, "write_staged_file", failing_write)
    with pytest.raises(OutputError, match="No space left on device; nothing was imported"):
        run_import(ws, source)
    assert [f for f in written(ws)] == []  # no summary and no temporary file


def test_written_files_follow_the_umask(ws, tmp_path):
    old = os.umask(0o022)
    try:
        run_import(ws, export(tmp_path, rec()))
    finally:
        os.umask(old)
    mode = (ws.summaries_path / "2026/05/a-study-of-sleep.md").stat().st_mode & 0o777
    assert mode == 0o644


def test_an_existing_file_is_never_overwritten_by_a_new_record(ws, tmp_path):
    target = ws.summaries_path / "2026/05/taken.md"
    target.parent.mkdir(parents=True)
    target.write_text(summary_text(title="Other", slug="other", id="other"))
    result = run_import(ws, export(tmp_path, rec(id="taken")))
    (problem,) = result.conflict_problems()
    assert "summaries/2026/05/taken.md already exists and holds another summary" in problem.message
    assert "id: other" in target.read_text()


@pytest.mark.parametrize(("text", "slug"), [
    ("Stem cell transplant: 8-year results!", "stem-cell-transplant-8-year-results"),
    ("Café, naïve & Ærø — über", "cafe-naive-aero-uber"),
    ("x" * 70, "x" * 60),
    ("One two three " * 10, "one-two-three-one-two-three-one-two-three-one-two-three-one"),
    ("日本語", ""),
])
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert len(slugify(text)) <= 60


def test_a_title_without_ascii_letters_gets_a_stable_id(ws, tmp_path):
    result = run_import(ws, export(tmp_path, rec(title="多発性硬化症の研究")))
    (item,) = result.items
    assert item.id.startswith("summary-") and len(item.id) == len("summary-") + 8
    again = run_import(ws, export(tmp_path, rec(title="多発性硬化症の研究")))
    assert again.items[0].id == item.id and again.count("unchanged") == 1


def test_import_creates_a_missing_summaries_folder(ws, tmp_path):
    shutil.rmtree(ws.summaries_path)
    assert run_import(ws, export(tmp_path, rec())).count("new") == 1


def test_an_updated_file_keeps_its_permissions(ws, tmp_path):
    run_import(ws, export(tmp_path, rec()))
    target = ws.summaries_path / "2026/05/a-study-of-sleep.md"
    target.chmod(0o640)
    assert run_import(ws, export(tmp_path, rec(body="New.")), update=True).count("updated") == 1
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.read_text().endswith("---\nNew.\n")
