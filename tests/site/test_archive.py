"""The static web archive: index, web versions, Atom feed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from newsletter.cli import main
from newsletter.errors import OutputError
from newsletter.render.placeholders import ANY_TOKEN
from newsletter.site import ArchiveError, build_archive

ATOM = "{http://www.w3.org/2005/Atom}"


def test_archive_of_the_sample_workspace(sample_ws):
    result = build_archive(sample_ws)
    out = sample_ws.output_path / "archive"
    assert result.out_dir == out
    assert [e.id for e in result.entries] == ["2026-05", "2026-04"]  # newest first
    index = (out / "index.html").read_text()
    assert index.index("May 2026") < index.index("April 2026")
    assert "MS Research Digest: new research from May 2026" in index
    assert "16 summaries" in index and "13 summaries" in index
    assert "Treatments &amp; therapies" in index
    for entry in result.entries:
        page = (out / entry.id / "index.html").read_text()
        assert page.startswith("<!doctype html>")
        assert not ANY_TOKEN.search(page)
        assert "<!--nl:" not in page
        assert "Unsubscribe" not in page and "View this email in your browser" not in page
        assert "These summaries are AI-generated" in page
    listing = json.loads((out / "archive.json").read_text())
    assert [i["id"] for i in listing["issues"]] == ["2026-05", "2026-04"]


def test_atom_feed_parses(sample_ws):
    build_archive(sample_ws)
    feed = ET.parse(sample_ws.output_path / "archive" / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        "https://example.org/newsletter/archive/2026-05/",
        "https://example.org/newsletter/archive/2026-04/"]
    assert entries[0].find(f"{ATOM}updated").text == "2026-05-31T00:00:00Z"
    assert feed.find(f"{ATOM}updated").text == "2026-05-31T00:00:00Z"
    assert "Treatments & therapies" in [c.get("term") for c in entries[0].findall(f"{ATOM}category")]


def test_subscribe_link_replaces_unsubscribe_and_relative_links_without_archive_url(make_ws):
    from helpers import summary_text

    ws = make_ws(config='subscribe_url = "https://example.org/join?a=1&b=2"\n',
                 summaries={"a.md": summary_text()},
                 issues={"2026-05.toml": "from = 2026-05-01\nto = 2026-05-31\n"})
    result = build_archive(ws)
    page = (result.out_dir / "2026-05" / "index.html").read_text()
    assert '<a href="https://example.org/join?a=1&amp;b=2">Subscribe to Test Digest</a>' in page
    feed = ET.parse(result.out_dir / "feed.xml").getroot()
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == "2026-05/"
    assert entry.find(f"{ATOM}id").text == "urn:newsletter:test-digest:2026-05"


def test_failing_issue_is_listed_and_nothing_is_written(make_ws):
    from helpers import summary_text

    ws = make_ws(summaries={"a.md": summary_text()}, issues={
        "2026-05.toml": "from = 2026-05-01\nto = 2026-05-31\n",
        "2026-06.toml": "from = 2026-06-01\nto = 2026-06-30\n",
        "bad.toml": "from = 2026-05-01\n"})
    with pytest.raises(ArchiveError) as exc:
        build_archive(ws)
    text = str(exc.value)
    assert "issues/2026-06.toml: no summaries were published" in text
    assert "issues/bad.toml: to: is required" in text
    assert not (ws.output_path / "archive").exists()


def test_refuses_a_folder_it_did_not_write(sample_ws, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.html").write_text("my own site")
    with pytest.raises(OutputError):
        build_archive(sample_ws, mine)
    assert (mine / "index.html").read_text() == "my own site"
    fresh = tmp_path / "fresh"
    build_archive(sample_ws, fresh)
    (fresh / "notes.html").write_text("a file someone added")
    with pytest.raises(OutputError):  # a file it did not write: the folder is not ours alone
        build_archive(sample_ws, fresh)
    assert (fresh / "notes.html").read_text() == "a file someone added"
    (fresh / "notes.html").unlink()
    (fresh / "2026-05" / "index.html").write_text("an older web version")
    build_archive(sample_ws, fresh)  # its own output is replaced, as a whole
    assert "an older web version" not in (fresh / "2026-05" / "index.html").read_text()
    assert sorted(p.name for p in fresh.iterdir()) == [
        "2026-04", "2026-05", "archive.json", "feed.xml", "index.html"]
    assert "MS Research Digest: new research from May 2026" in (fresh / "index.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "mine", "sample"]  # no leftovers


def test_archive_command(sample_ws):
    result = CliRunner().invoke(main, ["--root", str(sample_ws.root), "archive"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("Wrote the archive of 2 issues to ")


def test_issue_pages_have_a_main_landmark(sample_ws, tmp_path):
    result = build_archive(sample_ws, tmp_path / "site")
    for entry in result.entries:
        page = (result.out_dir / entry.id / "index.html").read_text()
        body = page.split("<body", 1)[1]
        assert page.count("<main>") == 1 and page.count("</main>") == 1
        main = body[body.index("<main>"):body.index("</main>")]
        assert 'role="article"' in main and "About these summaries" in main
        assert body.rstrip().endswith("</main></body></html>")
    index = (result.out_dir / "index.html").read_text()
    assert index.count("<main>") == 1
