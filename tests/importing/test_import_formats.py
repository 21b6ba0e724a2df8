"""Every format, read from the fixtures written for the project (tests/fixtures/import/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers.importing import FIXTURES, front_matter, run_import, written

from newsletter.importing.run import sniff
from newsletter.summaries.library import load_library


@pytest.fixture
def ws(make_ws):
    return make_ws()


def test_json_canonical_keys_and_aliases(ws):
    result = run_import(ws, FIXTURES / "summaries.json")
    assert [i.status for i in result.items] == ["new", "new", "new"]
    assert result.invalid == 0 and not result.failure()
    folder = ws.summaries_path / "2026" / "05"

    meta, body = front_matter(folder / "cooling-garments-helped-people-with-ms-stay-active-on-hot.md")
    assert meta["title"] == "Cooling garments helped people with MS stay active on hot days"
    assert meta["published"] == dt.date(2026, 5, 4)
    assert meta["url"] == "https://example.org/summaries/cooling-garments-hot-days"
    assert meta["teaser"].startswith("In a small study, people with MS who wore cooling vests")
    assert meta["themes"] == ["living"]  # "Conference highlights" is not a theme
    assert meta["study_type"] == "observational"
    assert body.startswith("Forty adults with MS wore a cooling vest")
    assert "\n\nHeat often makes MS symptoms worse" in body

    meta, body = front_matter(folder / "a-blood-test-for-nerve-damage-may-flag-who-needs-a-closer.md")
    assert meta["published"] == "2026-05-12T09:30:00+01:00"
    assert meta["themes"] == ["diagnosis"]  # by label, case-insensitive
    assert body == ("Researchers measured **neurofilament light** in blood samples from 300 "
                    "people with MS.\n\nHigher levels were linked to new lesions a year later. "
                    "See the [paper](https://example.org/papers/nfl).\n")

    meta, _ = front_matter(folder / "btk-inhibitor-phase-2-update.md")
    assert "id" not in meta  # the file name says it
    assert meta["author"] == "Sample Team"  # extra keys are kept

    assert result.aliases[("headline", "title")] == 1
    assert result.aliases[("date", "published")] == 1
    assert result.aliases[("published_at", "published")] == 1
    assert result.aliases[("link", "url")] == 1
    assert result.aliases[("description", "teaser")] == 1
    assert result.aliases[("excerpt", "teaser")] == 1
    assert result.aliases[("summary", "body")] == 1
    assert result.aliases[("content", "body")] == 1
    assert result.aliases[("tags", "themes")] == 1
    assert result.aliases[("categories", "themes")] == 1
    assert result.unknown_categories == {"Conference highlights": 1}
    notes = [str(n) for i in result.items for n in i.notes]
    assert any("record 2: body: HTML converted to Markdown" in n for n in notes)


def test_jsonl_one_object_per_line(ws):
    result = run_import(ws, FIXTURES / "summaries.jsonl")
    assert [c.format for c in result.choices] == ["jsonl"]
    assert result.count("new") == 3
    meta, body = front_matter(ws.summaries_path / "2026/05/"
                              "eye-scans-tracked-thinning-of-retinal-nerve-layers-over.md")
    assert meta["published"] == dt.date(2026, 5, 15)  # "5/15/2026", month first as on the site
    assert meta["themes"] == ["diagnosis"]  # "tags": "diagnosis" as a single string
    assert body.startswith("Optical coherence tomography scans")


def test_json_format_reads_json_lines_too(ws):
    result = run_import(ws, FIXTURES / "summaries.jsonl", format="json")
    assert result.count("new") == 3


def test_json_object_with_items_list(ws, tmp_path):
    source = tmp_path / "export.json"
    source.write_text('{"items": [{"title": "One", "published": "2026-05-02", '
                      '"url": "https://example.org/one", "body": "Text."}]}')
    result = run_import(ws, source)
    assert result.count("new") == 1
    assert (ws.summaries_path / "2026/05/one.md").is_file()


def test_csv_with_multiline_cells_and_theme_lists(ws):
    result = run_import(ws, FIXTURES / "summaries.csv")
    assert result.count("new") == 3, [str(p) for p in result.invalid_problems()]
    folder = ws.summaries_path / "2026" / "05"
    meta, body = front_matter(folder / "stopping-treatment-after-age-60-relapses-stayed-rare-in-a.md")
    assert meta["themes"] == ["treatments", "progression"]
    assert "teaser" not in meta and "source" not in meta  # empty cells are left out
    assert body == ("A national registry followed 1,200 people over 60 who stopped their "
                    "disease-modifying therapy.\n\nRelapses stayed rare over five years, but "
                    "some people had new lesions on MRI.\n")
    meta, _ = front_matter(folder / "antibodies-against-a-myelin-protein-distinguished-mogad-from.md")
    assert meta["themes"] == ["related"]  # the label "Related conditions"


def test_csv_semicolon_delimited_with_aliases(ws, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("Headline;Date;Link;Text\n"
                      "A short study;2026-05-03;https://example.org/a;Body, with a comma.\n",
                      encoding="utf-8")
    result = run_import(ws, source)
    assert result.count("new") == 1
    meta, body = front_matter(ws.summaries_path / "2026/05/a-short-study.md")
    assert meta["url"] == "https://example.org/a" and body == "Body, with a comma.\n"


def test_rss_feed(ws):
    result = run_import(ws, FIXTURES / "feed-rss.xml")
    assert [c.format for c in result.choices] == ["feed"]
    assert result.count("new") == 2
    folder = ws.summaries_path / "2026" / "05"
    meta, body = front_matter(folder / "vitamin-d-levels-and-relapse-risk-a-ten-year-cohort.md")
    assert meta["title"] == "Vitamin D levels and relapse risk: a ten-year cohort"
    assert meta["published"] == "2026-05-06T08:00:00+00:00"
    assert meta["teaser"] == ("People with low vitamin D levels had slightly more relapses "
                              "over ten years.")
    assert meta["themes"] == ["living"]  # the label "Living with MS"
    assert body == ("A cohort of 2,000 people with MS was followed for *ten years*.\n\n"
                    "- Low vitamin D was linked to more relapses.\n- The link was small.\n\n"
                    "Read the [full paper](https://example.org/papers/vitamin-d).\n")
    meta, body = front_matter(folder / "ofatumumab-infusions-at-home-a-feasibility-study.md")
    assert meta["published"] == "2026-05-21T10:15:00+02:00"  # the feed's own offset is kept
    assert meta["themes"] == ["treatments"]
    assert "teaser" not in meta  # description only: it is the body
    assert body.startswith("Most of the 40 participants preferred treatment at home")
    assert result.unknown_categories == {"Conference highlights": 1}


def test_atom_feed(ws):
    result = run_import(ws, FIXTURES / "feed-atom.xml")
    assert result.count("new") == 2
    folder = ws.summaries_path / "2026" / "05"
    meta, body = front_matter(folder / "smouldering-lesions-predicted-disability-worsening-without.md")
    assert meta["published"] == "2026-05-09T07:00:00+00:00"  # published wins over updated
    assert meta["themes"] == ["progression"]
    assert meta["teaser"] == "Slowly expanding lesions on MRI were linked to disability worsening."
    assert "**worsening disability**" in body
    assert body.endswith("> Smouldering activity matters.\n")
    meta, body = front_matter(folder / "cognitive-rehabilitation-app-small-gains-in-processing-speed.md")
    assert meta["published"] == "2026-05-27T15:30:00+01:00"  # only <updated>
    assert "themes" not in meta  # "Fatigue" is not a theme: left for the classifier
    assert result.unknown_categories == {"Fatigue": 1}
    assert body == ("People who used a training app for eight weeks improved slightly on a "
                    "processing speed test.\n")


def test_canonical_markdown_is_copied_under_its_month(ws):
    result = run_import(ws, FIXTURES / "markdown")
    assert result.count("new") == 1
    target = ws.summaries_path / "2026/05/walking-aid-survey.md"
    meta, body = front_matter(target)
    assert meta["themes"] == ["living"] and meta["study_type"] == "observational"
    assert body.startswith("A survey of 700 people with MS")
    assert "id" not in meta


def test_every_fixture_loads_with_the_core(ws):
    result = run_import(ws, FIXTURES, base_url="https://example.org/summaries")
    assert result.invalid == 0, [str(p) for p in result.invalid_problems()]
    assert result.count("new") == 16
    archive = load_library(ws)
    assert len(archive.summaries) == 16
    assert {s.id for s in archive.summaries} == {i.id for i in result.items}
    assert not [f for f in written(ws) if ".tmp" in f]


def test_front_matter_is_written_in_a_fixed_order(ws, tmp_path):
    source = tmp_path / "a.json"
    source.write_text('[{"zeta": 1, "themes": ["living"], "url": "https://example.org/x", '
                      '"teaser": "T.", "id": "custom", "published": "2026-05-02", '
                      '"alpha": "a", "title": "X", "body": "B."}]')
    run_import(ws, source)
    text = (ws.summaries_path / "2026/05/custom.md").read_text()
    assert text == ("---\ntitle: X\npublished: 2026-05-02\nurl: https://example.org/x\n"
                    "teaser: T.\nthemes: [living]\nalpha: a\nzeta: 1\n---\nB.\n")


@pytest.mark.parametrize(("name", "data", "fmt"), [
    ("feed", b'<?xml version="1.0"?><rss version="2.0"></rss>', "feed"),
    ("atom", b"<feed xmlns='http://www.w3.org/2005/Atom'></feed>", "feed"),
    ("export", b'[{"title": "x"}]', "json"),
    ("export", b'{"title": "x"}\n{"title": "y"}\n', "jsonl"),
    ("summary", b"---\ntitle: x\n---\nBody\n", "markdown"),
    ("sheet", b"title,published,url\nx,2026-05-01,https://example.org/x\n", "csv"),
    ("page", b"A headline\nA paragraph.\n", "page"),
    ("page.txt", b"---\ntitle: x\n---\n", "markdown"),
    ("lines.json", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
    ("data.ndjson", b'{"a": 1}\n', "jsonl"),
])
def test_auto_format_by_extension_then_content(name, data, fmt):
    chosen, reason = sniff(name, data)
    assert chosen == fmt
    assert reason


def test_auto_format_is_reported(ws, tmp_path):
    source = tmp_path / "export"  # no extension: decided by content
    source.write_text('[{"title": "X", "published": "2026-05-02", "url": "https://example.org/x",'
                      ' "body": "B."}]')
    result = run_import(ws, source, dry_run=True)
    assert [(c.format, c.reason) for c in result.choices] == [("json", "content starts with [")]


def test_folder_reads_known_extensions_and_skips_the_rest(ws, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.jsonl").write_text(
        '{"title": "A", "published": "2026-05-01", "url": "https://example.org/a", "body": "x"}\n')
    (folder / "notes.docx").write_bytes(b"PK")
    (folder / "README.md").write_text("# not a summary\n")
    (folder / ".hidden.json").write_text("[]")
    result = run_import(ws, folder)
    assert [Path(c.label).name for c in result.choices] == ["a.jsonl"]
    assert [Path(s).name for s in result.skipped_files] == ["notes.docx"]
    assert result.count("new") == 1


def test_standard_input_with_format(ws):
    data = b'{"title": "From stdin", "published": "2026-05-02", "url": "https://example.org/s", ' \
           b'"body": "Text."}\n'
    result = run_import(ws, "-", stdin=data, format="jsonl")
    assert result.choices[0].label == "<stdin>"
    assert (ws.summaries_path / "2026/05/from-stdin.md").is_file()
