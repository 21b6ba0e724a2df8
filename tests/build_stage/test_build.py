"""Build: outputs, manifest, atomic replacement, refusing foreign folders, the size limit."""

from __future__ import annotations

import json
import re

import pytest
from helpers import many_summaries, summary_text

from newsletter.build import build
from newsletter.errors import ContentError, OutputError, SizeLimitError


def test_build_writes_four_files_and_manifest(sample_ws):
    result = build(sample_ws, "2026-05")
    out = sample_ws.output_path / "2026-05"
    assert result.out_dir == out
    assert sorted(p.name for p in out.iterdir()) == [
        "email.html", "email.mjml", "email.txt", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("issue", "subject", "preheader", "from", "to", "sections", "highlights",
                "bytes", "warnings"):
        assert key in manifest
    assert manifest["issue"] == "2026-05"
    assert manifest["from"] == "2026-05-01" and manifest["to"] == "2026-05-31"
    assert manifest["highlights"] == ["remyelination-drug-visual-signals",
                                      "stopping-therapy-after-sixty"]
    assert [s["id"] for s in manifest["sections"]] == [
        "treatments", "progression", "diagnosis", "living", "related", "research"]
    shown = manifest["highlights"] + [i for s in manifest["sections"] for i in s["summaries"]]
    assert len(shown) == len(set(shown)) == manifest["count"] == 16
    assert manifest["bytes"]["html"] == len((out / "email.html").read_bytes())
    assert manifest["bytes"]["text"] == len((out / "email.txt").read_bytes())
    assert (out / "email.mjml").read_text().startswith("<mjml")


def test_failed_build_leaves_previous_output_untouched(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    build(ws, "2026-05")
    out = ws.output_path / "2026-05"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (ws.summaries_path / "b.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    with pytest.raises(ContentError):
        build(ws, "2026-05")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    leftovers = [p.name for p in out.parent.iterdir() if p.name != "2026-05"]
    assert leftovers == []


def test_rebuild_replaces_previous_output(make_ws):
    ws = make_ws(summaries={"a.md": summary_text(title="First title for this test")})
    build(ws, "2026-05")
    (ws.summaries_path / "a.md").write_text(summary_text(title="Second title for this test"))
    build(ws, "2026-05")
    html = (ws.output_path / "2026-05" / "email.html").read_text()
    assert "Second title" in html and "First title" not in html


def test_refuses_to_write_into_a_folder_it_did_not_create(make_ws, tmp_path):
    ws = make_ws(summaries={"a.md": summary_text()})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError) as exc:
        build(ws, "2026-05", out_dir=precious)
    assert "not written by `newsletter build`" in str(exc.value)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_range_without_issue_file_gets_month_id_and_pattern_texts(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    from datetime import date
    result = build(ws, None, date(2026, 5, 1), date(2026, 5, 31))
    assert result.plan.issue.id == "2026-05"
    assert result.manifest["subject"] == "Test Digest: research news for May 2026"
    assert result.manifest["preheader"] == "1 research summary on Living with MS."
    other = build(ws, None, date(2026, 5, 3), date(2026, 5, 20))
    assert other.plan.issue.id == "2026-05-03_2026-05-20"
    assert (ws.output_path / "2026-05-03_2026-05-20" / "email.html").is_file()


def test_size_limit_fails_with_a_max_per_section_suggestion(make_ws):
    ws = make_ws(summaries=many_summaries(200, words=10),
                 issues={"2026-05.toml": "from = 2026-05-01\nto = 2026-05-31\n"})
    with pytest.raises(SizeLimitError) as exc:
        build(ws, "2026-05")
    message = str(exc.value)
    assert "Gmail clips emails above 102,400 bytes" in message and "max_per_section = " in message
    assert not (ws.output_path / "2026-05").exists()
    limit = int(message.split("max_per_section = ")[1].split()[0])
    assert re.match(r"email.html would be \d{3},\d{3} bytes \(200 cards\); Gmail clips emails "
                    r"above 102,400 bytes \(about 102 KB\), hiding the rest, the footer and the "
                    r"responsive styles\n", message)
    assert [(p.where, p.field, p.message, p.fix) for p in exc.value.problems] == [(
        "issues/2026-05.toml", "max_per_section", "the issue is too large for one email",
        f"set max_per_section = {limit} (each section then keeps its {limit} newest and links to "
        "the rest; the email stays under 90,000 bytes, so `check --strict` passes too), or "
        "exclude some summaries")]
    # the suggestion is the largest value under check's 90,000-byte warning: one more is not
    (ws.issues_path / "2026-05.toml").write_text(
        f"from = 2026-05-01\nto = 2026-05-31\nmax_per_section = {limit + 1}\n")
    assert len(build(ws, "2026-05", write=False).html.encode()) >= 90_000
    (ws.issues_path / "2026-05.toml").write_text(
        f"from = 2026-05-01\nto = 2026-05-31\nmax_per_section = {limit}\n")
    result = build(ws, "2026-05")
    assert len(result.html.encode()) < 90_000
    assert all(s.more > 0 for s in result.plan.sections)
    assert "more in Treatments &amp; therapies" in result.html


def test_skip_invalid_builds_the_valid_summaries(make_ws):
    ws = make_ws(summaries={"a.md": summary_text(), "b.md": summary_text(slug="b", title="")})
    with pytest.raises(ContentError):
        build(ws, "2026-05", write=False)
    result = build(ws, "2026-05", write=False, skip_invalid=True)
    assert [e.summary.id for e in result.plan.entries] == ["a"]
    assert any("summaries/b.md" in str(w) for w in result.warnings)
