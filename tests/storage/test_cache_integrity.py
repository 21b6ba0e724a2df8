"""Caches only save time (issue 14, defects 4 and 5): every kind of cache entry, corrupted in
each way a disk or a crash corrupts it, is discarded with a notice and rebuilt, the output equals
a NEWSLETTER_NO_CACHE=1 build, and the next build is quiet (healed); a cache folder that cannot
be written (full disk, read-only) never fails build, check or export."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from helpers.faults import Faults
from helpers.hardening import ISSUE, fresh_workspace, run, run_process, set_config, tree

from newsletter.storage.cache import CACHE_DIR
from newsletter.summaries import folders

NOTICE = "did not verify"


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sample issue of a fresh workspace built without any cache."""
    root = fresh_workspace(tmp_path_factory.mktemp("ref") / "ws")
    set_config(root, unsubscribe_url="https://example.org/u")
    mp = pytest.MonkeyPatch()
    mp.setenv("NEWSLETTER_NO_CACHE", "1")
    try:
        outcome = run(root, "build", ISSUE).clean()
    finally:
        mp.undo()
    assert outcome.exit_code == 0
    return tree(root / "output" / ISSUE), outcome.stderr.splitlines()[0]


@pytest.fixture
def root(tmp_path, monkeypatch):
    root = fresh_workspace(tmp_path / "ws")
    set_config(root, unsubscribe_url="https://example.org/u")
    monkeypatch.setattr(folders, "SETTLED_NS", 0)  # the new folders' names are kept at once,
    monkeypatch.setattr(folders, "trusted_device", lambda device: True)  # whatever the disk
    assert run(root, "build", ISSUE).clean().exit_code == 0  # fills every cache
    monkeypatch.undo()
    return root


def build_and_compare(root, reference, force=True):
    """Build with the (corrupted) cache in a new process, as the user's next command does:
    same files as without a cache; returns stderr. With `force` (--force): when nothing but a
    cache changed, a plain build keeps its output and reads no other cache (its own record
    damaged is the case of test_a_damaged_file_entry_is_discarded_with_a_notice)."""
    outcome = run_process(root, "build", ISSUE, *(["--force"] if force else [])).clean()
    assert outcome.exit_code == 0, outcome.output
    files, counts = reference
    assert tree(root / "output" / ISSUE) == files
    assert outcome.stderr.splitlines()[0] == counts  # the check counts too
    return outcome.stderr


def assert_heals(root, reference, stderr):
    assert NOTICE in stderr, stderr
    again = build_and_compare(root, reference)
    assert NOTICE not in again, again


def entries(root, kind, pattern="*"):
    found = sorted(p for p in (root / CACHE_DIR / kind).glob(pattern) if p.is_file()
                   and p.name != ".gitignore")
    assert found, f"no {kind} cache entries"
    return found


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garble(path):
    """Change one byte in the middle of the entry's content (its checksum line kept)."""
    data = bytearray(path.read_bytes())
    at = len(data) * 2 // 3
    data[at] = (data[at] + 1) % 128 or 65
    path.write_bytes(bytes(data))


def invalid_utf8(path):
    path.write_bytes(path.read_bytes()[:100] + b"\xff\xfe\xfa" + path.read_bytes()[100:])


KINDS = [("html", "*.html"), ("checks", "*.txt"), ("html/jinja", "*"), ("builds", "*.json"),
         ("memo", "*.memo"), ("folders", "*.names")]


@pytest.mark.parametrize("damage", [truncate, garble, invalid_utf8], ids=lambda f: f.__name__)
def test_a_damaged_file_entry_is_discarded_with_a_notice(root, reference, damage):
    """Every entry of every kind damaged at once: each kind is noticed, none reaches the output."""
    for kind, pattern in KINDS:
        for path in entries(root, kind, pattern):
            damage(path)
    stderr = build_and_compare(root, reference, force=False)
    for kind, _pattern in KINDS:
        shown = f"{CACHE_DIR}/{kind}/"
        assert any(shown in line and NOTICE in line and (kind != "html" or "/jinja/" not in line)
                   for line in stderr.splitlines()), (kind, stderr)
    assert_heals(root, reference, stderr)


def test_an_entry_under_another_key_is_not_taken_for_it(root, reference):
    """An entry copied over another key's file (a swapped or stale file) does not verify."""
    first, *others = entries(root, "html/jinja")
    for other in others:
        other.write_bytes(first.read_bytes())
    assert_heals(root, reference, build_and_compare(root, reference))


def index_rows(root):
    with sqlite3.connect(root / CACHE_DIR / "index.sqlite") as conn:
        return conn.execute("SELECT path, record FROM files ORDER BY path").fetchall()


def update_index(root, sql, *params):
    conn = sqlite3.connect(root / CACHE_DIR / "index.sqlite", isolation_level=None)
    conn.execute(sql, params)
    conn.close()


def test_a_changed_title_in_an_index_record_never_reaches_the_email(root, reference):
    path, record = index_rows(root)[0]
    assert "A blood marker" in record or "A home walking" in record
    changed = record.replace("A blood marker", "A bl0od marker").replace(
        "A home walking", "A h0me walking")
    update_index(root, "UPDATE files SET record = ? WHERE path = ?", changed, path)
    assert_heals(root, reference, build_and_compare(root, reference))


@pytest.mark.parametrize("column, value", [("sid", "someone-else"), ("url", "https://evil.example/"),
                                           ("day", "2026-05-31")])
def test_a_changed_index_column_is_discarded(root, reference, column, value):
    """A build reads the index's snapshot (sealed by its own checksum), not these columns; when
    the snapshot is gone the rows are read, and a changed one is discarded with a notice."""
    path, _record = index_rows(root)[0]
    update_index(root, f"UPDATE files SET {column} = ? WHERE path = ?", value, path)
    assert NOTICE not in build_and_compare(root, reference)  # the snapshot knows better
    update_index(root, "DELETE FROM snapshot")
    assert_heals(root, reference, build_and_compare(root, reference))


def test_a_changed_index_snapshot_is_discarded(root, reference):
    """The snapshot's bytes changed (one byte): it does not verify and the rows are used."""
    with sqlite3.connect(root / CACHE_DIR / "index.sqlite") as conn:
        [(data,)] = conn.execute("SELECT data FROM snapshot WHERE part = 'columns'")
    at = data.find(b"2026-05")
    assert at > 0
    update_index(root, "UPDATE snapshot SET data = ? WHERE part = 'columns'",
                 data[:at] + b"2026-06" + data[at + 7:])
    assert_heals(root, reference, build_and_compare(root, reference))


def test_a_flipped_bit_in_the_index_file_is_caught(root, reference):
    """One bit of the SQLite file flipped inside a stored title (SQLite keeps no checksums)."""
    index = root / CACHE_DIR / "index.sqlite"
    data = bytearray(index.read_bytes())
    at = data.rfind(b"A home walking programme")
    assert at > 0
    data[at + 3] ^= 0x01  # "home" -> "hnme"
    index.write_bytes(bytes(data))
    assert_heals(root, reference, build_and_compare(root, reference))


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS], ids=["full-disk", "read-only"])
def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path, reference, error):
    root = fresh_workspace(tmp_path / "ws")
    set_config(root, unsubscribe_url="https://example.org/u")
    cache = root / CACHE_DIR
    (cache / "html" / "jinja").mkdir(parents=True)  # the folders exist, nothing can be written
    (cache / "checks").mkdir()
    with Faults(cache, fail_all=True, error=error).installed() as faults:
        build = run(root, "build", ISSUE).clean()
        check = run(root, "check", ISSUE).clean()
        export = run(root, "export", ISSUE, "--service", "all").clean()
        plan = run(root, "plan", ISSUE).clean()
    assert faults.steps, "nothing tried to write the cache"
    assert build.exit_code == 0, build.output
    assert tree(root / "output" / ISSUE) == reference[0]
    assert check.exit_code == 0 and export.exit_code == 0 and plan.exit_code == 0
    assert "Traceback" not in build.output + check.output + export.output


def test_a_cache_that_cannot_be_read_back_is_rebuilt(root, reference):
    """An index cache replaced by a folder, and entries replaced by folders."""
    index = root / CACHE_DIR / "index.sqlite"
    index.unlink()
    index.mkdir()
    for path in entries(root, "html", "*.html"):
        path.unlink()
        path.mkdir()
    stderr = build_and_compare(root, reference)
    assert "cache" in stderr
