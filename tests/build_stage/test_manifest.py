"""What the build reports: the placeholder values the workspace fills, the warnings about the ones
it cannot, the manifest and the summary lines `newsletter build` prints (written-out values)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from helpers import WorkspaceFactory, summary_text

from newsletter.build import build, build_summary, web_version_url, workspace_values
from newsletter.config.load import parse_config

BARE = 'name = "Bare"\ntimezone = "UTC"\n'


def test_workspace_values_fill_what_the_workspace_knows() -> None:
    config = parse_config('name = "X"\nunsubscribe_url = "https://x.org/u"\n'
                          'archive_url = "https://x.org/news/"\npostal_address = "1 Road"\n'
                          'preferences_url = "https://x.org/p"\n')
    assert workspace_values(config, "2026-05") == {
        "unsubscribe_url": "https://x.org/u", "web_version_url": "https://x.org/news/2026-05/",
        "postal_address": "1 Road", "preferences_url": "https://x.org/p"}
    assert web_version_url(config, "spring") == "https://x.org/news/spring/"
    # only the slashes at the end go: the address's own last letters stay, whatever they are
    for archive in ("https://x.org/MSX", "https://x.org/MSX//"):
        other = parse_config(f'name = "X"\narchive_url = "{archive}"\n')
        assert web_version_url(other, "2026-05") == "https://x.org/MSX/2026-05/"
    # unset: kept for the exporters, except the optional preferences line, which goes
    assert workspace_values(parse_config('name = "X"\n'), "2026-05") == {"preferences_url": None}


def test_unset_values_are_warnings_naming_key_token_and_fix(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries={"a.md": summary_text()})
    (ws.root / "newsletter.toml").write_text(BARE)
    result = build(make_ws.reopen(), "2026-05", write=False)
    notes = [str(w) for w in result.warnings if w.where == "newsletter.toml"]
    assert notes == [
        f"newsletter.toml: {key}: {key} is not set, so the email keeps the placeholder {token} "
        f"for a mailing service to fill. Fix: set {key}, or use `newsletter export`"
        for key, token in (("unsubscribe_url", "%%NL_UNSUBSCRIBE_URL%%"),
                           ("postal_address", "%%NL_POSTAL_ADDRESS%%"),
                           ("archive_url", "%%NL_WEB_VERSION_URL%%"))]
    assert all(w.level == "warning" for w in result.warnings if w.where == "newsletter.toml")
    assert result.manifest["placeholders"] == [
        "%%NL_POSTAL_ADDRESS%%", "%%NL_UNSUBSCRIBE_URL%%", "%%NL_WEB_VERSION_URL%%"]


def test_the_manifest_of_a_small_issue(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries={
        "a.md": summary_text(slug="a", published="2026-05-10", themes="[living]"),
        "b.md": summary_text(slug="b", published="2026-05-12", themes="[living]"),
        "c.md": summary_text(slug="c", published="2026-05-14", themes="[treatments]"),
        "d.md": summary_text(slug="d", published="2026-04-14", themes="[treatments]")},
        issues={"2026-05.toml": 'from = 2026-05-01\nto = 2026-05-31\nsubject = "Café – S"\n'
                                'preheader = "P"\nexclude = ["b"]\nfeatured = ["c"]\n'})
    result = build(ws, "2026-05")
    raw = (ws.output_path / "2026-05" / "manifest.json").read_text(encoding="utf-8")
    assert raw.startswith('{\n  "issue": "2026-05",\n  "subject": "Café – S",\n')  # readable
    assert raw.endswith("}\n")
    written = json.loads(raw)
    assert written == result.manifest
    assert {k: v for k, v in written.items() if k not in ("bytes", "warnings")} == {
        "issue": "2026-05", "subject": "Café – S", "preheader": "P", "from": "2026-05-01",
        "to": "2026-05-31", "period": "May 2026", "issue_file": "issues/2026-05.toml",
        "sections": [{"id": "living", "label": "Living with MS", "summaries": ["a"], "more": 0}],
        "highlights": ["c"], "excluded": ["b"], "count": 2, "archive_size": 4,
        "placeholders": ["%%NL_WEB_VERSION_URL%%"], "generator": "newsletter 0.1.0"}
    sizes = {name: len((ws.output_path / "2026-05" / f"email.{ext}").read_bytes())
             for name, ext in (("html", "html"), ("text", "txt"), ("mjml", "mjml"))}
    assert written["bytes"] == sizes
    assert written["warnings"] == [
        "newsletter.toml: archive_url: archive_url is not set, so the email keeps the placeholder "
        "%%NL_WEB_VERSION_URL%% for a mailing service to fill. Fix: set archive_url, or use "
        "`newsletter export`"]


def test_build_summary_lines(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries={"a.md": summary_text(slug="a", themes="[living]"),
                            "b.md": summary_text(slug="b", themes="[treatments]")})
    result = build(ws, "2026-05")
    out = ws.output_path / "2026-05"
    sizes = {name: (out / name).stat().st_size for name in
             ("email.html", "email.txt", "email.mjml", "manifest.json")}
    html_share = round(100 * sizes["email.html"] / 102_400)
    assert build_summary(result, ws.root).splitlines() == [
        "Built issue 2026-05 (May 2026): 2 summaries in 2 sections",
        f"  output/2026-05/email.html     {sizes['email.html'] / 1024:6.1f} KB  "
        f"({html_share}% of Gmail's 102 KB clipping limit)",
        f"  output/2026-05/email.txt      {sizes['email.txt'] / 1024:6.1f} KB",
        f"  output/2026-05/email.mjml     {sizes['email.mjml'] / 1024:6.1f} KB",
        f"  output/2026-05/manifest.json  {sizes['manifest.json'] / 1024:6.1f} KB"]
    one = build(WorkspaceFactory(ws.root.parent / "one")(summaries={"a.md": summary_text()}),
                "2026-05")
    assert build_summary(one, Path("/")).splitlines()[0] == (
        "Built issue 2026-05 (May 2026): 1 summary in 1 section")
    assert build_summary(build(ws, "2026-05", write=False), ws.root) == (
        "Built issue 2026-05 (May 2026): 2 summaries in 2 sections\n")


def test_build_summary_sizes_in_kilobytes_of_1024_bytes(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries={"a.md": summary_text()})
    result = build(ws, "2026-05", write=False)
    big = dataclasses.replace(result, written=[(ws.root / "out/email.html", 102_399),
                                               (ws.root / "out/email.txt", 5_000)])
    assert build_summary(big, ws.root).splitlines()[1:] == [
        "  out/email.html   100.0 KB  (100% of Gmail's 102 KB clipping limit)",
        "  out/email.txt      4.9 KB"]


def test_a_build_times_each_stage(make_ws: WorkspaceFactory) -> None:
    """The stages `make bench` reports (benchmarks/bench.py reads them from the result)."""
    ws = make_ws(summaries={"a.md": summary_text()})
    result = build(ws, "2026-05", write=False)
    assert sorted(result.timings) == ["compile_inline", "parse", "render_mjml", "scan",
                                      "select_group", "text"]
    assert all(seconds >= 0 for seconds in result.timings.values())
