"""The index cache's snapshot: a warm load stats every file, reads no file and decodes only the
records of the summaries it shows; a broken snapshot is rebuilt; outputs never change."""

from __future__ import annotations

import os
import sqlite3

import pytest
from helpers import many_summaries, summary_text

from newsletter.build import build
from newsletter.storage.cache import CACHE_DIR
from newsletter.summaries import library as library_module
from newsletter.summaries import reading as reading_module
from newsletter.summaries.index import CACHE_FILE, IndexCache, Snapshot
from newsletter.summaries.library import load_library
from newsletter.summaries.listing import list_summary_files


@pytest.fixture
def ws(make_ws):
    old = {f"2025/{i:02d}.md": summary_text(title=f"Old study {i}", slug=f"old{i}",
                                            published=f"2025-{i:02d}-03") for i in range(1, 13)}
    return make_ws(summaries={**many_summaries(8), **old})


def _no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a file was read: {args[:2]}")
    for module in (library_module, reading_module):  # one file, and many at once
        monkeypatch.setattr(module, "parse_file", refuse)


def test_warm_load_reads_no_file_and_only_the_shown_records(ws, monkeypatch):
    first = build(ws, "2026-05", write=False)
    _no_parsing(monkeypatch)
    asked: list[str] = []
    original = IndexCache.record
    monkeypatch.setattr(IndexCache, "record",
                        lambda self, path, key: asked.append(path) or original(self, path, key))
    again = build(ws, "2026-05", write=False)
    assert again.html == first.html and again.text == first.text
    assert sorted(asked) == sorted(e.summary.path for e in again.plan.entries)
    assert again.manifest["archive_size"] == 20


def test_one_edit_reads_one_file(ws, monkeypatch):
    build(ws, "2026-05", write=False)
    path = ws.summaries_path / "2026-05" / "s003.md"
    path.write_text(path.read_text().replace("Study number 3", "Study number three"))
    read: list[str] = []
    original = reading_module.parse_file
    monkeypatch.setattr(reading_module, "parse_file",
                        lambda *args: read.append(args[1]) or original(*args))
    result = build(ws, "2026-05", write=False)
    assert read == ["summaries/2026-05/s003.md"]
    assert "Study number three" in result.html


def _tampered(parts: dict[str, bytes]) -> bytes:
    """A well-formed part that says something else: the first summary's date moved."""
    snapshot = Snapshot.from_parts(parts)
    snapshot.days[0] = "2026-05-31" if snapshot.days[0] != "2026-05-31" else "2026-05-01"
    return snapshot.part("columns")


@pytest.mark.parametrize("part", ["paths", "stamps", "columns"])
@pytest.mark.parametrize("damage", [lambda parts: b"not marshal at all", lambda parts: b"",
                                    _tampered], ids=["garbage", "empty", "well-formed but changed"])
def test_broken_snapshot_is_rebuilt_with_a_notice(ws, damage, part, monkeypatch):
    first = build(ws, "2026-05", write=False)
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        parts = dict(conn.execute("SELECT part, data FROM snapshot"))
        assert sorted(parts) == ["columns", "paths", "stamps"]
        conn.execute("UPDATE snapshot SET data = ? WHERE part = ?", (damage(parts), part))
    _no_parsing(monkeypatch)  # the rows, each verified, still know every file
    archive = load_library(ws)
    assert [n.message for n in archive.notices] == [
        "the cached snapshot did not verify (truncated or changed on disk) and was discarded "
        "and rebuilt; the output is not affected"]
    assert build(ws, "2026-05", write=False).html == first.html
    assert load_library(ws).notices == []  # and it is whole again


def test_snapshot_missing_is_rebuilt_from_the_rows(ws, monkeypatch):
    first = build(ws, "2026-05", write=False)
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        conn.execute("DELETE FROM snapshot")
    _no_parsing(monkeypatch)  # the rows still know every file
    assert build(ws, "2026-05", write=False).html == first.html


def test_files_with_warnings_keep_them_from_the_cache(ws):
    (ws.summaries_path / "odd.md").write_text(summary_text(slug="odd", colour="blue"))
    first = load_library(ws)
    second = load_library(ws)  # from the cache: the record says what the file had
    assert [str(w) for w in first.warnings] == [str(w) for w in second.warnings]
    assert any("colour" in str(w) for w in second.warnings)
    assert second.get("odd") is not None


def test_listing_skips_hidden_private_readme_and_links(tmp_path):
    for rel in ("a.md", "2026/05/b.md", ".hidden/c.md", "_drafts/d.md", "README.md",
                "2026/readme.MD", "notes.txt", "x.md/e.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / "link.md").symlink_to(tmp_path / "a.md")
    (tmp_path / "linked-dir").symlink_to(tmp_path / "2026")
    links: list[str] = []
    rels, stamps = list_summary_files(tmp_path, links)
    assert rels == ["2026/05/b.md", "a.md", "x.md/e.md"]
    assert links == ["link.md", "linked-dir"]  # never followed: each is reported
    assert stamps[0::3] == [1, 1, 1] and len(stamps) == 9


@pytest.mark.parametrize("by_fd", [True, False], ids=["folders-opened", "whole-paths"])
def test_listing_reports_links_by_name_or_target_and_both_walks_agree(tmp_path, monkeypatch,
                                                                      by_fd):
    for rel in ("a.md", "2026/05/b.md", "2026/05/notes.txt", "Readme.md", "readme.md.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / "2026" / "05" / "gone.md").symlink_to(tmp_path / "nowhere.md")  # named: reported
    (tmp_path / "2026" / "05" / "gone.txt").symlink_to(tmp_path / "nowhere")  # broken: left out
    (tmp_path / "2026" / "to-a-file").symlink_to(tmp_path / "a.md")  # not named: left out
    (tmp_path / "2026" / "to-a-folder").symlink_to(tmp_path / "2026" / "05")  # a folder: reported
    if not by_fd:
        monkeypatch.setattr(os, "supports_dir_fd", set())
    links: list[str] = []
    rels, stamps = list_summary_files(tmp_path, links)
    assert rels == ["2026/05/b.md", "a.md", "readme.md.md"]
    assert links == ["2026/05/gone.md", "2026/to-a-folder"]
    assert len(stamps) == 9
    assert list_summary_files(tmp_path) == (rels, stamps)  # without a list for the links


def test_changed_positions_finds_exactly_the_changed_items():
    import random

    from newsletter.summaries.listing import changed_positions

    rng = random.Random(5)
    for _ in range(300):
        n = rng.randint(0, 300)
        old = [rng.randint(0, 5) for _ in range(3 * n)]
        new = list(old)
        for i in rng.sample(range(n), rng.randint(0, min(n, 6))) if n else []:
            new[3 * i + rng.randint(0, 2)] += 1
        expected = [i for i in range(n) if old[3 * i:3 * i + 3] != new[3 * i:3 * i + 3]]
        assert changed_positions(old, new, 3) == expected
    with pytest.raises(ValueError):
        changed_positions([1, 2, 3], [1, 2, 3, 4, 5, 6], 3)


def test_listing_orders_like_the_paths_sort_and_skips_what_it_cannot_stat(tmp_path):
    for rel in ("2026/05/a.md", "2026-recap.md", "2026.md", "b.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x" * len(rel))
    (tmp_path / "broken.md").symlink_to(tmp_path / "nowhere.md")
    rels, stamps = list_summary_files(tmp_path)
    assert rels == sorted(rels) == ["2026-recap.md", "2026.md", "2026/05/a.md", "b.md"]
    assert stamps[0::3] == [len(r) for r in rels]  # each file's own size, in the same order


# --- found by review: what another process, odd names and watchers can do ---------------------


def test_a_run_started_with_other_settings_stores_nothing(ws):
    """Run A reads the cache with the old time zone; meanwhile run B (new settings) empties it.
    A must not store rows made with the old settings under B's settings."""
    from newsletter.summaries.index import Row

    old = IndexCache(ws.root, ["UTC", "a"])
    old.open()
    new = IndexCache(ws.root, ["Asia/Tokyo", "a"])
    new.open()  # a different fingerprint: every row and the snapshot are dropped
    row = Row((1, 2, 3), "x", "https://example.org/x", "2026-05-31", "{}")
    assert old.store([("summaries/x.md", row)], [], Snapshot(["summaries/x.md"], [1, 2, 3],
                                                          ["x"], ["u"], ["2026-05-31"])) == []
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        assert conn.execute("SELECT count(*) FROM files").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM snapshot").fetchone() == (0,)
    old.close()
    new.close()


def test_a_record_stored_for_another_version_of_the_file_is_not_used(ws):
    build(ws, "2026-05", write=False)
    cache = IndexCache(ws.root, ["UTC", *open_theme_ids(ws)])
    state = cache.open()
    path = state.snapshot.paths[0]
    key = state.snapshot.key(path)
    assert key is not None and cache.record(path, key) is not None
    assert cache.record(path, (key[0] + 1, key[1], key[2])) is None
    cache.close()


def open_theme_ids(ws):
    return ws.config.theme_ids


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_file_name_that_is_not_utf8_is_a_problem_not_a_crash(make_ws, skip_invalid):
    import os

    ws = make_ws(summaries={"a.md": summary_text(slug="a")})
    os.mkdir(os.fsencode(ws.summaries_path) + b"/2026")
    with open(os.fsencode(ws.summaries_path) + b"/2026/caf\xe9.md", "wb") as f:
        f.write(summary_text(slug="cafe", title="A study named in Latin-1").encode())
    for _ in range(2):  # the second run with the cache written by the first
        if skip_invalid:
            archive = load_library(ws, skip_invalid=True)
            assert [s.id for s in archive.summaries] == ["a"]
            assert [p.field for p in archive.skipped] == ["id"]
        else:
            from newsletter.errors import ContentError

            with pytest.raises(ContentError) as info:
                load_library(ws)
            assert [p.field for p in info.value.problems] == ["id"]


def test_the_watcher_path_inside_a_linked_folder_is_never_read(make_ws, tmp_path):
    from newsletter.summaries.library import LibraryMemo

    ws = make_ws(summaries={"a.md": summary_text(slug="a")})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text(summary_text(slug="x", title="Outside the workspace"))
    (ws.summaries_path / "linked").symlink_to(outside)
    memo = LibraryMemo()
    first = load_library(ws, skip_invalid=True, memo=memo)
    assert [s.id for s in first.summaries] == ["a"]
    (outside / "x.md").write_text(summary_text(slug="x", title="Outside, edited"))
    again = load_library(ws, skip_invalid=True, memo=memo,
                         changed=[str(ws.summaries_path / "linked" / "x.md")])
    assert [s.id for s in again.summaries] == ["a"]
    assert [p.where for p in again.skipped] == ["summaries/linked"]


# --- a build after an edit writes only the parts of the snapshot that changed -----------------


def _parts_written(monkeypatch) -> list[list[str]]:
    """The snapshot parts each store writes, in order of the stores."""
    stores: list[list[str]] = []
    original = IndexCache.store

    def store(self, changed, removed, snapshot):
        names: list[str] = []
        stores.append(names)
        part = snapshot.part
        snapshot.part = lambda name: names.append(name) or part(name)
        return original(self, changed, removed, snapshot)
    monkeypatch.setattr(IndexCache, "store", store)
    return stores


def _plain(archive):
    return [(s.path, s.id, s.url, s.published, s.title) for s in archive.summaries]


@pytest.mark.parametrize(("edit", "parts"), [
    (lambda folder: (folder / "2026-05" / "s003.md").write_text(summary_text(
        title="Study three, retitled", slug="s003", published="2026-05-04")), ["stamps"]),
    (lambda folder: (folder / "2026-05" / "s003.md").write_text(summary_text(
        title="Study three, moved", slug="s003", published="2026-05-20")), ["stamps", "columns"]),
    (lambda folder: (folder / "2026-05" / "new.md").write_text(summary_text(
        title="A new study", slug="new")), ["paths", "stamps", "columns"]),
    (lambda folder: (folder / "2025" / "03.md").unlink(), ["paths", "stamps", "columns"]),
], ids=["title", "date", "added", "removed"])
def test_an_edit_writes_only_the_parts_that_changed(ws, monkeypatch, edit, parts):
    load_library(ws)
    stores = _parts_written(monkeypatch)
    edit(ws.summaries_path)
    after = load_library(ws)
    assert stores == [parts]
    again = load_library(ws)  # from the snapshot so written: what the files say
    assert again.notices == [] and stores == [parts]
    assert _plain(again) == _plain(after) == _plain(load_library(ws, use_cache=False))


def test_a_snapshot_another_run_wrote_meanwhile_is_written_whole(ws, monkeypatch):
    """Run A reads the snapshot; run B stores a new one; A then writes all three parts (its
    unchanged paths and columns with B's newer stamps would not match)."""
    load_library(ws)
    stores = _parts_written(monkeypatch)
    first = IndexCache(ws.root, ["UTC", *open_theme_ids(ws)])
    state = first.open()
    path = ws.summaries_path / "2026-05" / "s003.md"
    path.write_text(path.read_text().replace("Study number 3", "Study number three"))
    load_library(ws)  # run B
    assert stores == [["stamps"]]
    from newsletter.summaries.index import Row

    old = state.snapshot
    shown, key = old.paths[0], old.key_at(0)
    record = first.record(shown, key)
    assert record is not None
    newer = (key[0], key[1] + 1, key[2])  # A's own (made-up) change to one file
    stamps = [*newer, *old.stamps[3:]]
    assert first.store([(shown, Row(newer, old.ids[0], old.urls[0], old.days[0], record))], [],
                       Snapshot(old.paths, stamps, old.ids, old.urls, old.days)) == []
    assert stores == [["stamps"], ["paths", "stamps", "columns"]]
    first.close()
    assert load_library(ws).notices == []  # whole and verified


def test_a_dropped_part_makes_the_next_store_write_all(ws, monkeypatch):
    load_library(ws)
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        conn.execute("DELETE FROM snapshot WHERE part = 'paths'")
    stores = _parts_written(monkeypatch)
    archive = load_library(ws)  # the rows rebuild it, with a notice
    assert [n.message for n in archive.notices] == [
        "the cached snapshot did not verify (truncated or changed on disk) and was discarded "
        "and rebuilt; the output is not affected"]
    assert stores == [["paths", "stamps", "columns"]]
    assert load_library(ws).notices == []


def _store_one_change(cache, state):
    """Store, through `cache`, a made-up change of the first file's key (a row and a snapshot
    that differ from what was read only in that key)."""
    from newsletter.summaries.index import Row

    old = state.snapshot
    shown, key = old.paths[0], old.key_at(0)
    record = cache.record(shown, key)
    assert record is not None
    newer = (key[0], key[1] + 1, key[2])
    return cache.store([(shown, Row(newer, old.ids[0], old.urls[0], old.days[0], record))], [],
                       Snapshot(old.paths, [*newer, *old.stamps[3:]], old.ids, old.urls,
                                old.days))


def test_a_part_dropped_after_the_read_makes_the_store_write_all(ws, monkeypatch):
    """Another run dropped the snapshot (a row that did not verify) after this one read it:
    writing only the changed keys would leave the snapshot incomplete."""
    load_library(ws)
    stores = _parts_written(monkeypatch)
    cache = IndexCache(ws.root, ["UTC", *open_theme_ids(ws)])
    state = cache.open()
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        conn.execute("DELETE FROM snapshot WHERE part = 'columns'")
    assert _store_one_change(cache, state) == []
    cache.close()
    assert stores == [["paths", "stamps", "columns"]]
    assert load_library(ws).notices == []


def test_a_damaged_generation_is_written_anew(ws, monkeypatch):
    load_library(ws)
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        conn.execute("UPDATE meta SET value = '1x' WHERE key = 'generation'")
    path = ws.summaries_path / "2026-05" / "s003.md"
    path.write_text(path.read_text().replace("Study number 3", "Study number three"))
    assert load_library(ws).get("s003").title.startswith("Study number three")
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone() == \
            ("1",)
    assert load_library(ws).notices == []


def test_parts_of_two_writes_are_discarded_together(ws, monkeypatch):
    """Each part verifies on its own; the seal says whether they were written together (a
    store cut short, the disk's pages written out of order, can leave new keys beside old
    dates)."""
    load_library(ws)
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        before = conn.execute("SELECT data, sum FROM snapshot WHERE part = 'columns'").fetchone()
    path = ws.summaries_path / "2026-05" / "s003.md"
    path.write_text(path.read_text().replace("published: 2026-05-04", "published: 2026-05-20"))
    load_library(ws)  # writes the keys and the columns
    with sqlite3.connect(ws.root / CACHE_DIR / CACHE_FILE) as conn:
        conn.execute("UPDATE snapshot SET data = ?, sum = ? WHERE part = 'columns'", before)
    _no_parsing(monkeypatch)  # the rows, each verified, know the new date
    archive = load_library(ws)
    assert [n.message for n in archive.notices] == [
        "the cached snapshot did not verify (truncated or changed on disk) and was discarded "
        "and rebuilt; the output is not affected"]
    assert archive.get("s003").published.date().isoformat() == "2026-05-20"
