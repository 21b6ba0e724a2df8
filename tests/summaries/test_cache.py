"""The index cache never changes an output: every case is compared with a cache-less load/build."""

from __future__ import annotations

import os
import sqlite3

import pytest
from helpers import summary_text

from newsletter.build import build
from newsletter.errors import ContentError
from newsletter.storage.cache import CACHE_DIR
from newsletter.summaries.index import CACHE_FILE
from newsletter.summaries.library import load_library
from newsletter.workspace import open_workspace


def snapshot(ws):
    """What a build shows, with and without the cache: they must be equal."""
    cached = build(ws, "2026-05", write=False)
    plain_archive = load_library(ws, use_cache=False)
    cached_archive = load_library(ws)
    assert [(s.id, s.title, s.published, s.url, s.teaser, s.themes, s.body)
            for s in cached_archive.summaries] == [
        (s.id, s.title, s.published, s.url, s.teaser, s.themes, s.body)
        for s in plain_archive.summaries]
    return cached.html, cached.text


@pytest.fixture
def ws(make_ws):
    return make_ws(summaries={
        "a.md": summary_text(title="Alpha walking study", slug="a", published="2026-05-02"),
        "b.md": summary_text(title="Beta drug dose trial", slug="b", published="2026-05-09",
                             body="A drug and its dose in a clinical trial."),
        "c.md": summary_text(title="Gamma sleep survey", slug="c", published="2026-05-20"),
    })


def cache_path(ws):
    return ws.root / CACHE_DIR / CACHE_FILE


def rows(ws):
    with sqlite3.connect(cache_path(ws)) as conn:
        return dict(conn.execute("SELECT path, size FROM files"))


def test_first_build_fills_the_cache_and_ignores_it_in_git(ws):
    snapshot(ws)
    assert sorted(rows(ws)) == ["summaries/a.md", "summaries/b.md", "summaries/c.md"]
    assert (ws.root / CACHE_DIR / ".gitignore").read_text() == "*\n"


def test_edit_is_picked_up(ws):
    snapshot(ws)
    (ws.summaries_path / "b.md").write_text(summary_text(title="Beta, edited", slug="b",
                                                         published="2026-05-09"))
    html, _ = snapshot(ws)
    assert "Beta, edited" in html and "Beta drug dose trial" not in html


def test_edit_in_place_with_the_same_mtime_is_picked_up(ws):
    snapshot(ws)
    path = ws.summaries_path / "b.md"
    before = path.stat()
    path.write_text(summary_text(title="Beta with the same mtime but a longer title", slug="b",
                                 published="2026-05-09"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    html, _ = snapshot(ws)
    assert "Beta with the same mtime but a longer title" in html


def test_same_size_and_mtime_still_caught_by_ctime(ws):
    snapshot(ws)
    path = ws.summaries_path / "a.md"
    before = path.stat()
    text = path.read_text()
    path.write_text(text.replace("Alpha", "Omega"))  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    html, _ = snapshot(ws)
    assert "Omega walking study" in html


def test_delete_and_rename(ws):
    snapshot(ws)
    (ws.summaries_path / "c.md").unlink()
    (ws.summaries_path / "a.md").rename(ws.summaries_path / "renamed.md")
    html, _ = snapshot(ws)
    assert "Gamma sleep survey" not in html and "Alpha walking study" in html
    assert sorted(rows(ws)) == ["summaries/b.md", "summaries/renamed.md"]


def test_clock_skew_future_and_past_mtimes(ws):
    snapshot(ws)
    future = 4_102_444_800 * 10**9  # 2100-01-01
    past = 0
    for name, when in (("a.md", future), ("b.md", past)):
        path = ws.summaries_path / name
        path.write_text(path.read_text().replace("study", "study (edited)").replace(
            "trial", "trial (edited)"))
        os.utime(path, ns=(when, when))
    html, _ = snapshot(ws)
    assert "Alpha walking study (edited)" in html and "Beta drug dose trial (edited)" in html
    (ws.summaries_path / "a.md").write_text(summary_text(title="Alpha again", slug="a",
                                                         published="2026-05-02"))
    os.utime(ws.summaries_path / "a.md", ns=(future, future))  # same future mtime as before
    html, _ = snapshot(ws)
    assert "Alpha again" in html


def test_corrupt_cache_is_rebuilt_with_a_notice(ws):
    first = snapshot(ws)
    cache_path(ws).write_bytes(b"this is not a database" * 100)
    archive = load_library(ws)
    notices = [w for w in archive.notices if "cache" in w.where]
    assert notices and "rebuilt from the files" in notices[0].message
    assert snapshot(ws) == first
    assert len(rows(ws)) == 3


def test_cache_from_another_format_is_rebuilt(ws):
    first = snapshot(ws)
    with sqlite3.connect(cache_path(ws)) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'format'")
        conn.execute("UPDATE files SET record = '{\"summary\": null, \"problems\": [], "
                     "\"warnings\": []}'")
    archive = load_library(ws)
    assert any("cache format '0'" in w.message for w in archive.notices)
    assert snapshot(ws) == first


def test_garbage_record_is_read_again(ws):
    first = snapshot(ws)
    with sqlite3.connect(cache_path(ws)) as conn:
        conn.execute("UPDATE files SET record = 'not json'")
    assert snapshot(ws) == first


def test_deleting_the_cache_changes_nothing(ws):
    first = snapshot(ws)
    cache_path(ws).unlink()
    assert snapshot(ws) == first


def test_settings_that_shape_validation_invalidate_it(ws):
    (ws.summaries_path / "late.md").write_text(summary_text(
        title="Published late on 31 May in New York", slug="late",
        published="2026-06-01T02:00:00+00:00"))
    utc = snapshot(ws)
    assert "Published late" not in utc[0]
    config = ws.root / "newsletter.toml"
    config.write_text(config.read_text().replace('timezone = "UTC"',
                                                 'timezone = "America/New_York"'))
    html, _ = snapshot(open_workspace(ws.root))
    assert "Published late on 31 May in New York" in html


def test_invalid_files_are_cached_with_their_problems(ws):
    snapshot(ws)
    (ws.summaries_path / "bad.md").write_text("---\ntitle: [x\n---\n")
    for _ in range(2):  # second time from the cache
        with pytest.raises(ContentError) as exc:
            load_library(ws)
        assert "summaries/bad.md:3: invalid YAML" in str(exc.value)  # where YAML notices it


def test_unwritable_cache_folder_does_not_break_the_build(ws):
    (ws.root / CACHE_DIR).write_text("a file where the cache folder should be")
    archive = load_library(ws)
    assert len(archive.summaries) == 3
    assert any("cache" in w.where for w in archive.notices)
    assert archive.warnings == []  # notices never reach an output


# --- the in-memory index of a long-running process (the preview) -----------------------------


def _view(archive):
    return [(s.path, s.id, s.title, s.published, s.url, s.teaser, s.body)
            for s in archive.summaries]


def test_memo_refresh_equals_a_full_load(ws):
    from newsletter.summaries.library import LibraryMemo

    memo = LibraryMemo()
    load_library(ws, memo=memo)
    folder = ws.summaries_path
    steps = [
        ("edit", lambda: (folder / "b.md").write_text(summary_text(
            title="Beta edited in place", slug="b", published="2026-05-09")), ["b.md"]),
        ("add", lambda: (folder / "new" / "d.md").parent.mkdir() or (folder / "new" / "d.md")
         .write_text(summary_text(title="Delta new", slug="d")), ["new/d.md"]),
        ("rename", lambda: (folder / "a.md").rename(folder / "alpha.md"), ["a.md", "alpha.md"]),
        ("readme", lambda: (folder / "README.md").write_text("# not a summary"), ["README.md"]),
        ("delete folder", lambda: [p.unlink() for p in (folder / "new").iterdir()]
         and (folder / "new").rmdir(), ["new"]),
        ("delete", lambda: (folder / "c.md").unlink(), ["c.md"]),
    ]
    for name, change, paths in steps:
        change()
        incremental = load_library(ws, memo=memo, changed=[str(folder / p) for p in paths])
        assert _view(incremental) == _view(load_library(ws, use_cache=False)), name


def test_memo_reports_a_broken_file_and_recovers(ws):
    from newsletter.summaries.library import LibraryMemo

    memo = LibraryMemo()
    load_library(ws, memo=memo)
    path = ws.summaries_path / "b.md"
    good = path.read_text()
    path.write_text("---\ntitle: [broken\n---\n")
    with pytest.raises(ContentError, match=r"summaries/b\.md"):
        load_library(ws, memo=memo, changed=[str(path)])
    path.write_text(good)
    assert len(load_library(ws, memo=memo, changed=[str(path)]).summaries) == 3


def test_memo_is_not_used_after_settings_change(ws):
    from newsletter.summaries.library import LibraryMemo

    memo = LibraryMemo()
    load_library(ws, memo=memo)
    (ws.summaries_path / "late.md").write_text(summary_text(
        title="Late", slug="late", published="2026-06-01T02:00:00+00:00"))
    config = ws.root / "newsletter.toml"
    config.write_text(config.read_text().replace('timezone = "UTC"', 'timezone = "Asia/Tokyo"'))
    changed = open_workspace(ws.root)
    archive = load_library(changed, memo=memo, changed=[])  # no hint, but the settings differ
    assert len(archive.summaries) == 4
    assert archive.get("late").date.isoformat() == "2026-06-01"


# --- the compiled-HTML cache -------------------------------------------------------------------


def test_compiled_html_cache_hit_equals_a_fresh_build(ws, monkeypatch):
    first = build(ws, "2026-05", write=False)
    second = build(ws, "2026-05", write=False)
    assert not first.email.html_cached and second.email.html_cached
    monkeypatch.setenv("NEWSLETTER_NO_CACHE", "1")
    fresh = build(ws, "2026-05", write=False)
    assert not fresh.email.html_cached
    assert second.html == fresh.html == first.html and second.text == fresh.text


def test_a_template_change_misses_the_compiled_html_cache(ws):
    build(ws, "2026-05", write=False)
    (ws.root / "templates" / "partials").mkdir(parents=True)
    (ws.root / "templates" / "partials" / "intro.mjml.j2").write_text(
        "<mj-section><mj-column><mj-text>Changed intro</mj-text></mj-column></mj-section>")
    result = build(ws, "2026-05", write=False)
    assert not result.email.html_cached and "Changed intro" in result.html


def test_no_cache_switch_writes_no_cache(ws, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_NO_CACHE", "1")
    build(ws, "2026-05", write=False)
    assert not (ws.root / CACHE_DIR).exists()


@pytest.mark.parametrize("command", [["new", "2026-06"], ["edit", "2026-05", "--subject", "S"],
                                     ["archive"]], ids=lambda c: c[0])
def test_every_command_honours_the_no_cache_switch(ws, monkeypatch, command):
    """NEWSLETTER_NO_CACHE=1 turns every cache off: `new`, `edit` and `archive` read the
    archive too (each used the index cache whatever the switch said)."""
    from click.testing import CliRunner

    from newsletter.cli import main

    (ws.issues_path / "2026-05.toml").write_text("from = 2026-05-01\nto = 2026-05-31\n")
    monkeypatch.setenv("NEWSLETTER_NO_CACHE", "1")
    result = CliRunner().invoke(main, ["--root", str(ws.root), *command])
    assert result.exit_code == 0, result.output
    assert not (ws.root / CACHE_DIR).exists()


def test_compiled_html_cache_keeps_a_bounded_number_of_entries(tmp_path, monkeypatch):
    from newsletter.render import compiled as render

    monkeypatch.setattr(render, "HTML_CACHE_ENTRIES", 3)
    monkeypatch.setattr(render, "inline_css", lambda html: html)
    monkeypatch.setattr(render, "compile_mjml", lambda source: f"<p>{source}</p>")
    for i in range(6):
        render.compiled_html(f"mjml {i}", tmp_path)
    assert len(list(tmp_path.glob("*.html"))) == 3


# --- the remembered check counts of `build` ------------------------------------------------------


def test_build_check_counts_are_the_same_from_the_cache(sample_ws, monkeypatch):
    from newsletter.checks.counts import counts_for_build
    from newsletter.checks.report import counts_text
    from newsletter.checks.runner import check_build

    result = build(sample_ws, "2026-05", write=False)
    fresh = counts_text(check_build(sample_ws, result))
    assert counts_for_build(sample_ws, result) == fresh  # computed and stored
    assert list((sample_ws.root / CACHE_DIR / "checks").glob("*.txt"))
    import newsletter.checks.runner as runner

    monkeypatch.setattr(runner, "check_build", lambda *a, **k: pytest.fail("checks ran again"))
    assert counts_for_build(sample_ws, result) == fresh  # from the cache


def test_build_check_counts_follow_a_changed_plan(sample_ws):
    from newsletter.checks.counts import key_for

    first = build(sample_ws, "2026-05", write=False)
    path = sample_ws.summaries_path / "2026" / "05" / "nmosd-b-cell-therapy-infections.md"
    path.write_text(path.read_text().replace("themes: [related]",
                                             "themes: [related]\nstudy_type: observational"))
    second = build(sample_ws, "2026-05", write=False)
    assert key_for(sample_ws, first) != key_for(sample_ws, second)
