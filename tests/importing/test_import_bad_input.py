"""Bad input: each case is reported clearly (source, record, field, fix), and nothing is written."""

from __future__ import annotations

import json

import pytest
from helpers.importing import messages, run_import, written

from newsletter.errors import UsageError


@pytest.fixture
def ws(make_ws):
    return make_ws()


def record(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {"title": "A study", "published": "2026-05-02",
                               "url": "https://example.org/a", "body": "Text."}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def write_json(tmp_path, *records, name="export.json"):
    (tmp_path / name).write_text(json.dumps(list(records)), encoding="utf-8")
    return name


def test_non_utf8_bytes(ws, tmp_path):
    source = tmp_path / "latin1.json"
    source.write_bytes(json.dumps([record(title="Caf\u00e9")], ensure_ascii=False).encode("latin-1"))
    result = run_import(ws, source, cwd=tmp_path)
    (problem,) = messages(result)
    assert "latin1.json:1: byte" in problem and "is not UTF-8 text" in problem
    assert "Fix: save the file as UTF-8" in problem
    assert result.invalid == 1 and written(ws) == {}


def test_non_utf8_page(ws, tmp_path):
    page = tmp_path / "2026-05-02-page.txt"
    page.write_bytes(b"Headline\nBody with \xff byte.\n")
    result = run_import(ws, page, base_url="https://example.org/s", cwd=tmp_path)
    assert "page.txt:2: byte 19 (0xff) is not UTF-8 text" in messages(result)[0]


@pytest.mark.parametrize("name", ["empty.json", "empty.csv", "2026-05-02-empty.txt", "empty.md",
                                  "empty.xml", "empty.jsonl"])
def test_empty_file(ws, tmp_path, name):
    source = tmp_path / name
    source.write_text("  \n")
    result = run_import(ws, source, base_url="https://example.org/s", cwd=tmp_path)
    (problem,) = messages(result)
    assert f"{name}: the file is empty" in problem
    assert result.failure() is not None


def test_page_with_no_body(ws, tmp_path):
    page = tmp_path / "2026-05-02-headline-only.txt"
    page.write_text("Only a headline here\nAI-generated summary — for informational purposes "
                    "only, not medical advice\n")
    result = run_import(ws, page, base_url="https://example.org/s", cwd=tmp_path)
    (problem,) = result.invalid_problems()
    assert problem.field == "body"
    assert problem.message == "the page has a headline but no body paragraphs"
    assert "paste the summary's text under the headline" in (problem.fix or "")
    assert written(ws) == {}


def test_impossible_date(ws, tmp_path):
    source = write_json(tmp_path, record(), record(url="https://example.org/b",
                                                   published="13/45/2026"))
    result = run_import(ws, source, cwd=tmp_path)
    (problem,) = messages(result)
    assert problem.startswith("export.json: record 2: published: '13/45/2026' is not a real date "
                              "(read as M/D/YYYY, month first: month 13 and day 45 are out of "
                              "range)")
    assert "Fix: write a date as YYYY-MM-DD" in problem
    assert written(ws) == {}  # the valid record is not written either


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-02-30", "'2026-02-30' is not a real date (read as YYYY-MM-DD: day 30 is out of range)"),
    ("yesterday", "cannot read 'yesterday' as a date"),
    (20260502, "cannot read a number 20260502 as a date"),
])
def test_other_bad_dates(ws, tmp_path, value, expected):
    result = run_import(ws, write_json(tmp_path, record(published=value)), cwd=tmp_path)
    (problem,) = result.invalid_problems()
    assert problem.message == expected and problem.field == "published"


def test_javascript_url(ws, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("title,published,url,body\nA,2026-05-02,javascript:alert(1),Text\n")
    result = run_import(ws, source, cwd=tmp_path)
    (problem,) = messages(result)
    assert problem == ("export.csv:2: url: 'javascript:alert(1)' is not an absolute http(s) URL. "
                       "Fix: use a full http(s) link such as https://example.org/...")


def test_script_in_feed_summary_is_stripped_and_its_text_kept(ws, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text("""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org</link><description>d</description>
<item><title>Scripted</title><link>https://example.org/s</link>
<pubDate>Sat, 02 May 2026 10:00:00 +0000</pubDate>
<description><![CDATA[<p>Before the script.<script>alert("x")</script> After the script.
<a href="javascript:steal()">a bad link</a> and <a href="https://example.org/ok">a good one</a>.</p>
<img src="https://evil.example/p.gif" onerror="alert(1)">]]></description>
</item></channel></rss>""")
    result = run_import(ws, feed, cwd=tmp_path)
    assert result.count("new") == 1 and result.failure() is None
    text = (ws.summaries_path / "2026/05/scripted.md").read_text()
    body = text.split("\n---\n", 1)[1]
    assert body == ("Before the script. After the script. a bad link and "
                    "[a good one](https://example.org/ok).\n")
    assert "alert" not in text and "javascript" not in text and "evil" not in text
    notes = [n.message for n in result.items[0].notes]
    assert "<script> removed from the HTML (the text around it is kept)" in notes
    assert "a link that is not http(s) or mailto was removed (its text is kept)" in notes


def test_record_over_one_megabyte(ws, tmp_path):
    big = record(url="https://example.org/big", body="word " * 220_000)
    source = write_json(tmp_path, record(), big)
    result = run_import(ws, source, cwd=tmp_path)
    (problem,) = messages(result)
    assert problem.startswith("export.json: record 2: the record is 1.1 MB (1,100,0")
    assert "a record may be at most 1 MB" in problem
    assert written(ws) == {}
    result = run_import(ws, source, skip_invalid=True, cwd=tmp_path)
    assert result.count("new") == 1 and result.invalid == 1
    assert list(written(ws)) == ["2026/05/a-study.md"]


def test_page_over_one_megabyte(ws, tmp_path):
    page = tmp_path / "2026-05-02-huge.txt"
    page.write_text("Headline\n" + ("A long paragraph. " * 60_000) + "\n")
    result = run_import(ws, page, base_url="https://example.org/s", cwd=tmp_path)
    (problem,) = result.invalid_problems()
    assert "the record is 1.1 MB" in problem.message


def test_duplicate_records_in_one_source(ws, tmp_path):
    source = tmp_path / "dupes.jsonl"
    lines = [record(), record(title="Another title"), record(id="x", url="https://example.org/x"),
             record(id="x", url="https://example.org/y")]
    source.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    result = run_import(ws, source, cwd=tmp_path)
    assert [i.status for i in result.items] == ["new", "invalid", "new", "invalid"]
    assert messages(result) == [
        "dupes.jsonl:2: url: duplicate record: url 'https://example.org/a' is also used by "
        "dupes.jsonl:1. Fix: remove one of the two records, or give them different values",
        "dupes.jsonl:4: id: duplicate record: id 'x' is also used by dupes.jsonl:3. Fix: remove "
        "one of the two records, or give them different values",
    ]
    assert written(ws) == {}


def test_csv_missing_a_required_column(ws, tmp_path):
    source = tmp_path / "sheet.csv"
    source.write_text("title,url,body\nA,https://example.org/a,Text\nB,https://example.org/b,T\n")
    result = run_import(ws, source, cwd=tmp_path)
    assert messages(result) == [
        "sheet.csv:1: published: the header has no 'published' column (columns: title, url, body)."
        " Fix: add a 'published' column (or date, published_at): every row needs one"]
    assert result.items == [] and result.invalid == 1


def test_every_problem_is_listed_in_one_run(ws, tmp_path):
    source = write_json(tmp_path, record(title=None, url="ftp://example.org/a"),
                        record(url="https://example.org/b", themes=["cats"], study_type="poll"),
                        "not an object", {})
    result = run_import(ws, source, cwd=tmp_path)
    found = [(p.where, p.field) for p in result.invalid_problems()]
    assert found == [
        ("export.json: record 1", "title"), ("export.json: record 1", "url"),
        ("export.json: record 2", "study_type"), ("export.json: record 2", "themes"),
        ("export.json: record 3", None), ("export.json: record 4", None),
    ]
    fixes = [p.fix for p in result.invalid_problems()]
    assert fixes[0] == "give the record a 'title' (or headline)"
    assert "treatments, progression, diagnosis, living, related, research" in fixes[3]


def test_alias_and_canonical_key_disagree(ws, tmp_path):
    result = run_import(ws, write_json(tmp_path, record(headline="Something else")), cwd=tmp_path)
    (problem,) = result.invalid_problems()
    assert problem.message == ("both 'title' and 'headline' are given, with different values, "
                               "for title")


def test_record_without_any_text(ws, tmp_path):
    result = run_import(ws, write_json(tmp_path, record(body=None)), cwd=tmp_path)
    (problem,) = result.invalid_problems()
    assert problem.field == "body" and problem.message == "has no text: neither a body nor a teaser"


def test_invalid_json_and_json_lines(ws, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"title": "A",}]')
    lines = tmp_path / "broken.jsonl"
    lines.write_text(json.dumps(record()) + "\n{not json}\n")
    result = run_import(ws, broken, lines, cwd=tmp_path)
    assert messages(result) == [
        "broken.json:1: not valid JSON (Expecting property name enclosed in double quotes, "
        "column 16). Fix: check the brackets, commas and quotes around that place",
        "broken.jsonl:2: not valid JSON (Expecting property name enclosed in double quotes, "
        "column 2). Fix: each line must be one complete JSON object",
    ]
    assert result.invalid == 2


def test_not_a_feed(ws, tmp_path):
    source = tmp_path / "page.xml"
    source.write_text("<html><body><p>Just a web page</p></body></html>")
    result = run_import(ws, source, cwd=tmp_path)
    (problem,) = result.invalid_problems()
    assert problem.message.startswith("not an RSS or Atom feed")


def test_feed_in_a_declared_legacy_encoding_is_read(ws, tmp_path):
    feed = tmp_path / "latin.xml"
    feed.write_bytes("""<?xml version="1.0" encoding="iso-8859-1"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org</link><description>d</description>
<item><title>Café study</title><link>https://example.org/cafe</link>
<pubDate>Sat, 02 May 2026 10:00:00 +0000</pubDate><description>Coffee and MS.</description></item>
</channel></rss>""".encode("latin-1"))
    result = run_import(ws, feed, cwd=tmp_path)
    assert result.count("new") == 1
    assert "title: Café study" in (ws.summaries_path / "2026/05/cafe-study.md").read_text()


def test_usage_errors(ws, tmp_path):
    with pytest.raises(UsageError, match=r"standard input .* needs --format"):
        run_import(ws, "-", stdin=b"[]", cwd=tmp_path)
    with pytest.raises(UsageError, match=r"no such file or folder: missing\.json, gone/"):
        run_import(ws, "missing.json", "gone/", cwd=tmp_path)
    with pytest.raises(UsageError, match="unknown format 'xml'"):
        run_import(ws, "-", stdin=b"", format="xml", cwd=tmp_path)


def test_values_that_would_not_read_back_are_rejected(ws, tmp_path):
    source = tmp_path / "nan.jsonl"
    source.write_text('{"title": "T", "published": "2026-05-02", "url": "https://example.org/t", '
                      '"body": "x", "score": NaN}\n')
    result = run_import(ws, source, cwd=tmp_path)
    (problem,) = result.invalid_problems()
    assert problem.field == "score"
    assert problem.message == "would not read back as given from a summary file (score would change)"


def test_id_must_be_text(ws, tmp_path):
    result = run_import(ws, write_json(tmp_path, record(id=["a"])), cwd=tmp_path)
    (problem,) = result.invalid_problems()
    assert problem.field == "id" and problem.message == "must be text, got a list"


def test_control_characters_and_yaml_lookalikes_survive(ws, tmp_path):
    tricky = record(title="yes", teaser="null: # not a comment", source="- dash", body="---\nx")
    tricky["extra"] = "line one\nline two\n---\nthree"
    result = run_import(ws, write_json(tmp_path, tricky), cwd=tmp_path)
    assert result.count("new") == 1, result.invalid_problems()
    from newsletter.summaries.library import load_library

    (summary,) = load_library(ws).summaries
    assert summary.title == "yes" and summary.teaser == "null: # not a comment"
    assert summary.source == "- dash" and summary.body.strip() == "---\nx"
    assert summary.extra["extra"] == "line one\nline two\n---\nthree"


@pytest.mark.parametrize(("pub_date", "published", "error"), [
    ("06 May 2026", "2026-05-06", None),
    ("2026-05-06", "2026-05-06", None),
    ("someday", None, "feed.xml: entry 1: published: cannot read 'someday' as a date"),
])
def test_feed_dates(ws, tmp_path, pub_date, published, error):
    (tmp_path / "feed.xml").write_text(
        '<rss version="2.0"><channel><title>t</title><link>https://example.org</link>'
        '<description>d</description><item><title>Dated</title>'
        f'<link>https://example.org/d</link><pubDate>{pub_date}</pubDate>'
        '<description>Text.</description></item></channel></rss>')
    result = run_import(ws, tmp_path / "feed.xml", cwd=tmp_path)
    if error:
        assert messages(result)[0].startswith(error)
    else:
        assert result.count("new") == 1
        assert f"published: {published}\n" in (ws.summaries_path / "2026/05/dated.md").read_text()
