"""How a run is reported: sources grouped by format, notes grouped by kind, long lists cut."""

from __future__ import annotations

import json

from helpers.importing import FIXTURES, run_import

from newsletter.importing.report import report_text, report_warnings


def test_many_sources_are_grouped_by_format_and_reason(make_ws, tmp_path):
    ws = make_ws()
    result = run_import(ws, FIXTURES, base_url="https://example.org/summaries", cwd=FIXTURES.parent,
                        dry_run=True)
    text = report_text(result, ws.root)
    assert text.startswith(
        "Read 8 files:\n"
        "  2 as feed (extension .xml): import/feed-atom.xml, import/feed-rss.xml\n"
        "  1 as markdown (extension .md): import/markdown/walking-aid-survey.md\n"
        "  2 as page (extension .txt): import/pages/2026-05-08-stem-cell-transplant-relapses.txt, "
        "import/pages/2026-05-22-brain-shrinkage-progressive-ms.txt\n"
        "  1 as csv (extension .csv): import/summaries.csv\n"
        "  1 as json (extension .json): import/summaries.json\n"
        "  1 as jsonl (extension .jsonl): import/summaries.jsonl\n")
    assert "Extra front-matter keys kept: author (1), related (2)\n" in text
    assert "Categories that are not themes (left for the classifier): Conference highlights (2), "\
           "Fatigue (1)\n" in text


def test_notes_shared_by_many_records_are_one_warning(make_ws, tmp_path):
    ws = make_ws()
    lines = [json.dumps({"title": f"T{i}", "published": "2026-05-02", "url": f"https://example.org/{i}",
                         "content": f"<p>Body {i}</p>"}) for i in range(5)]
    (tmp_path / "html.jsonl").write_text("\n".join(lines) + "\n")
    result = run_import(ws, tmp_path / "html.jsonl", cwd=tmp_path)
    (warning,) = report_warnings(result)
    assert str(warning) == ("html.jsonl:1, html.jsonl:2, html.jsonl:3 and 2 more: body: HTML "
                            "converted to Markdown (5 records).")
