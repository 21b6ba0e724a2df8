"""Summaries: loading the archive, every file problem reported at once, teasers, dates and ids."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from helpers import BASE_CONFIG, summary_text

from newsletter.errors import ContentError, Problem
from newsletter.summaries.library import load_library
from newsletter.summaries.model import Library, Summary

DATE_FIX = ("write a date as YYYY-MM-DD (2026-05-14) or an ISO 8601 datetime with offset "
            "(2026-05-14T09:30:00+02:00)")


def load_problems(make_ws, summaries: dict[str, str | bytes]) -> list[Problem]:
    ws = make_ws()
    for name, text in summaries.items():
        make_ws.write(f"summaries/{name}", text)
    with pytest.raises(ContentError) as info:
        load_library(ws)
    return info.value.problems


def only_problem(make_ws, text: str | bytes, name: str = "bad.md") -> Problem:
    problems = load_problems(make_ws, {name: text})
    assert len(problems) == 1, problems
    assert problems[0].where == f"summaries/{name}"
    return problems[0]


def load_one(make_ws, text: str, config: str = "") -> Summary:
    ws = make_ws(config, {"one.md": text})
    [summary] = load_library(ws).summaries
    return summary


def with_timezone(make_ws, tz: str, summaries: dict[str, str]) -> Library:
    make_ws(summaries=summaries)
    make_ws.write("newsletter.toml", BASE_CONFIG.replace('timezone = "UTC"', f'timezone = "{tz}"'))
    return load_library(make_ws.reopen())


# --- a good file ----------------------------------------------------------------------------


def test_a_valid_file_becomes_a_summary(make_ws) -> None:
    text = summary_text(title="Walking and fatigue", published="2026-05-10", slug="walk",
                        body="First paragraph.\n\nSecond.", teaser='"Short teaser."',
                        themes="[living, treatments]", study_type="observational",
                        source="Example Journal", source_url="https://example.org/paper",
                        image="https://example.org/i.png", image_alt='"A person walking"')
    ws = make_ws(summaries={"2026/05/walk-study.md": text})
    archive = load_library(ws)
    [s] = archive.summaries
    assert s.id == "walk-study"
    assert s.path == "summaries/2026/05/walk-study.md"
    assert s.title == "Walking and fatigue"
    assert s.date == date(2026, 5, 10)
    assert s.published == datetime(2026, 5, 10, tzinfo=ZoneInfo("UTC"))
    assert s.url == "https://example.org/s/walk"
    assert s.teaser == "Short teaser."
    assert s.themes == ("living", "treatments")
    assert s.study_type == "observational"
    assert s.study_type_label == "Observational study"
    assert (s.source, s.source_url) == ("Example Journal", "https://example.org/paper")
    assert (s.image, s.image_alt) == ("https://example.org/i.png", "A person walking")
    assert s.extra == {}
    assert archive.warnings == [] and archive.skipped == []


def test_id_defaults_to_the_file_stem_and_an_explicit_id_wins(make_ws) -> None:
    ws = make_ws(summaries={
        "plain-name.md": summary_text(slug="a"),
        "other.md": summary_text(slug="b", id="chosen-id"),
    })
    assert sorted(load_library(ws).by_id()) == ["chosen-id", "plain-name"]


def test_bad_explicit_id_is_an_error(make_ws) -> None:
    problem = only_problem(make_ws, summary_text(id='"has space"'))
    assert (problem.field, problem.message) == ("id", "'has space' is not a usable id")


# --- every file problem, reported once each -------------------------------------------------


def test_missing_required_fields_are_each_reported(make_ws) -> None:
    problems = load_problems(make_ws, {"bare.md": "---\nsource: Somewhere\n---\nBody.\n"})
    assert [(p.where, p.field, p.message) for p in problems] == [
        ("summaries/bare.md", "title", "is required"),
        ("summaries/bare.md", "url", "is required"),
        ("summaries/bare.md", "published", "is required"),
    ]
    assert problems[0].fix == "add `title: ...` to the front matter"
    assert problems[2].fix == "add `published: 2026-05-14`"


@pytest.mark.parametrize("value", [
    "13/45/2026",
    '"2026-13-45"',
    "next tuesday",
    "2026-13-45",
    "2026-02-30",
    "2026-05-10T25:00:00",
])
def test_unreadable_date_names_file_and_field(make_ws, value: str) -> None:
    problem = only_problem(make_ws, summary_text(published=value))
    assert problem.field == "published"
    assert problem.message == f"cannot read '{value.strip(chr(34))}' as a date"
    assert problem.fix == DATE_FIX


@pytest.mark.parametrize("url", ["javascript:alert(1)", "/s/relative", "example.org/s/x",
                                 "https://exa mple.org/x"])
def test_url_must_be_absolute_http(make_ws, url: str) -> None:
    problem = only_problem(make_ws, summary_text(url=f'"{url}"'))
    assert problem.field == "url"
    assert problem.message == f"'{url}' is not an absolute http(s) URL"
    assert problem.fix == "use a full http(s) link such as https://example.org/..."


def test_image_must_be_https(make_ws) -> None:
    problem = only_problem(make_ws, summary_text(image="http://example.org/i.png", image_alt="x"))
    assert problem.field == "image"
    assert problem.message == "'http://example.org/i.png' is not an absolute https URL"


def test_unknown_theme_lists_the_known_ids(make_ws) -> None:
    problem = only_problem(make_ws, summary_text(themes="[treatment]"))
    assert problem.field == "themes"
    assert problem.message == "unknown theme id 'treatment'"
    assert problem.fix == ("use one of: treatments, progression, diagnosis, living, related, "
                           "research")


def test_themes_must_be_a_list_of_ids(make_ws) -> None:
    problem = only_problem(make_ws, summary_text(themes="{a: 1}"))
    assert (problem.field, problem.message) == ("themes", "must be a list of theme ids")


def test_a_single_theme_string_is_accepted(make_ws) -> None:
    assert load_one(make_ws, summary_text(themes="living")).themes == ("living",)


def test_duplicate_id_names_both_files(make_ws) -> None:
    problems = load_problems(make_ws, {
        "first.md": summary_text(slug="one"),
        "second.md": summary_text(slug="two", id="first"),
    })
    [problem] = problems
    assert problem.where == "summaries/second.md"
    assert problem.field == "id"
    assert problem.message == "id 'first' is also used by summaries/first.md"
    assert problem.fix == "give one of the two files a different id"


def test_duplicate_url_names_both_files(make_ws) -> None:
    problems = load_problems(make_ws, {
        "a.md": summary_text(url="https://example.org/same"),
        "b.md": summary_text(url="https://example.org/same"),
    })
    [problem] = problems
    assert (problem.where, problem.field) == ("summaries/b.md", "url")
    assert problem.message == "url 'https://example.org/same' is also used by summaries/a.md"


def test_invalid_yaml_gives_the_line_in_the_file(make_ws) -> None:
    text = "---\npublished: 2026-05-10\ntitle: MS: a study of walking\nurl: https://x.org/a\n---\nBody\n"
    problem = only_problem(make_ws, text)
    assert problem.line == 3
    assert problem.message == "invalid YAML in front matter (mapping values are not allowed in this context)"
    assert problem.field is None
    assert str(problem).startswith("summaries/bad.md:3: invalid YAML")


def test_non_utf8_bytes_give_the_line(make_ws) -> None:
    raw = b"---\ntitle: ok\nsource: Caf\xe9 Journal\n---\nBody\n"
    problem = only_problem(make_ws, raw)
    assert problem.line == 3
    assert problem.message == f"byte {raw.index(0xE9)} is not UTF-8 text"
    assert problem.fix == "save the file as UTF-8"


def test_utf8_bom_is_accepted(make_ws) -> None:
    make_ws()
    make_ws.write("summaries/bom.md", b"\xef\xbb\xbf" + summary_text(title="With BOM").encode())
    [summary] = load_library(make_ws.reopen()).summaries
    assert summary.title == "With BOM"


@pytest.mark.parametrize(("text", "message", "line"), [
    ("", "the file is empty", None),
    ("  \n\n", "the file is empty", None),
    ("title: no fences\n\nBody\n", "no front matter: the file must start with a line '---'", 1),
    ("---\ntitle: never closed\nurl: https://x.org\n", "front matter is not closed", 1),
    ("---\n- a\n- b\n---\nBody\n", "front matter must be a set of `key: value` lines", 2),
])
def test_file_shape_problems(make_ws, text: str, message: str, line: int | None) -> None:
    problem = only_problem(make_ws, text)
    assert (problem.message, problem.line, problem.field) == (message, line, None)


def test_image_needs_image_alt(make_ws) -> None:
    problem = only_problem(make_ws, summary_text(image="https://example.org/i.png"))
    assert problem.field == "image_alt"
    assert problem.message == "is required when image is set"


def test_empty_image_alt_marks_a_decorative_image(make_ws) -> None:
    summary = load_one(make_ws, summary_text(image="https://example.org/i.png", image_alt='""'))
    assert summary.image_alt == ""


def test_unknown_study_type(make_ws) -> None:
    problem = only_problem(make_ws, summary_text(study_type="rct"))
    assert problem.field == "study_type"
    assert problem.message == "unknown study type 'rct'"
    assert problem.fix == "use one of: clinical-trial, observational, lab, review, other"


def test_all_problems_of_all_files_come_in_one_error(make_ws) -> None:
    problems = load_problems(make_ws, {
        "good.md": summary_text(slug="good"),
        "missing.md": "---\nsource: Somewhere\n---\nBody\n",
        "date.md": summary_text(slug="date", published="13/45/2026"),
        "js.md": summary_text(slug="js", url="javascript:alert(1)"),
        "theme.md": summary_text(slug="theme", themes="[treatment]"),
        "dup-a.md": summary_text(slug="dup-a", id="same"),
        "dup-b.md": summary_text(slug="dup-b", id="same"),
        "yaml.md": "---\ntitle: ok\nurl: a: b\n---\n",
        "latin1.md": b"---\ntitle: Caf\xe9\n---\n",
        "empty.md": "",
        "nofm.md": "Just text\n",
        "open.md": "---\ntitle: x\n",
        "image.md": summary_text(slug="image", image="https://example.org/i.png"),
        "study.md": summary_text(slug="study", study_type="trial"),
    })
    got = {(p.where.removeprefix("summaries/"), p.field, p.line) for p in problems}
    assert got == {
        ("missing.md", "title", None), ("missing.md", "url", None),
        ("missing.md", "published", None),
        ("date.md", "published", None),
        ("js.md", "url", None),
        ("theme.md", "themes", None),
        ("dup-b.md", "id", None),
        ("yaml.md", None, 3),
        ("latin1.md", None, 2),
        ("empty.md", None, None),
        ("nofm.md", None, 1),
        ("open.md", None, 1),
        ("image.md", "image_alt", None),
        ("study.md", "study_type", None),
    }
    assert len(problems) == 14


def test_error_message_counts_problems_and_files(make_ws) -> None:
    ws = make_ws(summaries={"a.md": "---\nsource: x\n---\n", "b.md": ""})
    with pytest.raises(ContentError) as info:
        load_library(ws)
    assert info.value.message == ("4 problems in 2 summary files (fix them, or pass "
                                  "--skip-invalid to leave those files out)")


# --- warnings, ignored files, --skip-invalid ------------------------------------------------


def test_unknown_keys_are_kept_and_folded_into_one_warning_per_key(make_ws) -> None:
    ws = make_ws(summaries={
        "a.md": summary_text(slug="a", mood="happy", rating="3"),
        "b.md": summary_text(slug="b", mood="sad"),
    })
    archive = load_library(ws)
    by_id = archive.by_id()
    assert by_id["a"].extra == {"mood": "happy", "rating": 3}
    assert by_id["b"].extra == {"mood": "sad"}
    assert [(w.where, w.field, w.message, w.level) for w in archive.warnings] == [
        ("summaries/a.md, summaries/b.md", "mood",
         "unknown front-matter key 'mood' in 2 files (kept, not used)", "warning"),
        ("summaries/a.md", "rating",
         "unknown front-matter key 'rating' in 1 file (kept, not used)", "warning"),
    ]


def test_folded_warning_names_three_files_and_counts_the_rest(make_ws) -> None:
    ws = make_ws(summaries={f"s{i}.md": summary_text(slug=f"s{i}", legacy="1") for i in range(5)})
    [warning] = load_library(ws).warnings
    assert warning.where == "summaries/s0.md, summaries/s1.md, summaries/s2.md and 2 more"
    assert warning.message == "unknown front-matter key 'legacy' in 5 files (kept, not used)"


def test_readme_and_underscore_and_dot_files_are_ignored(make_ws) -> None:
    ws = make_ws(summaries={
        "real.md": summary_text(slug="real"),
        "README.md": "# Not a summary\n",
        "sub/readme.md": "nothing\n",
        "_draft.md": "",
        ".hidden.md": "",
        "_drafts/inner.md": "",
        "notes.txt": "",
    })
    assert [s.id for s in load_library(ws).summaries] == ["real"]


def test_skip_invalid_keeps_the_good_files_and_lists_the_skipped(make_ws) -> None:
    ws = make_ws(summaries={
        "good.md": summary_text(slug="good"),
        "bad.md": summary_text(slug="bad", url="/relative"),
        "empty.md": "",
    })
    archive = load_library(ws, skip_invalid=True)
    assert [s.id for s in archive.summaries] == ["good"]
    assert [(p.where, p.field, p.level) for p in archive.skipped] == [
        ("summaries/bad.md", "url", "warning"),
        ("summaries/empty.md", None, "warning"),
    ]


def test_skip_invalid_leaves_out_the_second_of_two_duplicates(make_ws) -> None:
    ws = make_ws(summaries={"a.md": summary_text(slug="x"), "b.md": summary_text(slug="x")})
    archive = load_library(ws, skip_invalid=True)
    assert [s.id for s in archive.summaries] == ["a"]
    assert [p.where for p in archive.skipped] == ["summaries/b.md"]


def test_missing_summaries_folder_is_an_error(make_ws) -> None:
    ws = make_ws()
    ws.summaries_path.rmdir()
    with pytest.raises(ContentError, match="the summaries folder summaries does not exist") as info:
        load_library(ws)
    assert info.value.problems[0].field == "summaries_dir"


# --- teaser ---------------------------------------------------------------------------------


def test_given_teaser_wins(make_ws) -> None:
    summary = load_one(make_ws, summary_text(teaser='"Given   teaser\n  text."', body="Body first."))
    assert summary.teaser == "Given teaser text."


def test_teaser_is_the_first_rendered_paragraph_without_tags(make_ws) -> None:
    body = "**Bold** and [a link](https://x.org) here.\n\nSecond."
    assert load_one(make_ws, summary_text(body=body)).teaser == "Bold and a link here."


def test_teaser_skips_a_heading_and_unescapes_entities(make_ws) -> None:
    body = "# Heading\n\nFish &amp; chips\nover two lines.\n\nLater."
    assert load_one(make_ws, summary_text(body=body)).teaser == "Fish & chips over two lines."


def test_teaser_does_not_add_space_before_punctuation(make_ws) -> None:
    body = "See [the study](https://x.org). It is *MS*-related."
    assert load_one(make_ws, summary_text(body=body)).teaser == "See the study. It is MS-related."


def test_teaser_keeps_words_apart_at_a_hard_line_break(make_ws) -> None:
    body = "First line  \nsecond line.\n\nLater."
    assert load_one(make_ws, summary_text(body=body)).teaser == "First line second line."


def test_long_first_paragraph_is_cut_at_a_word_boundary(make_ws) -> None:
    words = " ".join(f"word{i}" for i in range(100))
    teaser = load_one(make_ws, summary_text(body=words + "\n\nSecond.")).teaser
    assert len(teaser) <= 280
    assert teaser.endswith("…")
    head = teaser[:-1]
    assert words.startswith(head)
    assert words[len(head)] == " "
    assert len(head) > 250


def test_paragraph_of_exactly_280_chars_is_not_cut(make_ws) -> None:
    text = ("abcd " * 56)[:279] + "."
    assert len(text) == 280
    assert load_one(make_ws, summary_text(body=text)).teaser == text


def test_body_without_paragraph_gives_empty_teaser(make_ws) -> None:
    assert load_one(make_ws, summary_text(body="# Only a heading")).teaser == ""


# --- published ------------------------------------------------------------------------------


def test_date_is_midnight_in_the_workspace_timezone(make_ws) -> None:
    archive = with_timezone(make_ws, "Europe/London", {"a.md": summary_text(published="2026-05-10")})
    [s] = archive.summaries
    assert s.published == datetime(2026, 5, 10, tzinfo=ZoneInfo("Europe/London"))
    assert s.date == date(2026, 5, 10)


def test_datetime_with_offset_is_converted_to_the_workspace_timezone(make_ws) -> None:
    archive = with_timezone(make_ws, "America/New_York",
                            {"a.md": summary_text(published="2026-06-01T02:00:00+00:00")})
    [s] = archive.summaries
    assert s.date == date(2026, 5, 31)
    assert s.published.tzinfo == ZoneInfo("America/New_York")
    assert (s.published.hour, s.published.minute) == (22, 0)


def test_quoted_datetime_with_offset_is_converted_too(make_ws) -> None:
    archive = with_timezone(make_ws, "America/New_York",
                            {"a.md": summary_text(published='"2026-06-01T02:00:00+00:00"')})
    assert archive.summaries[0].date == date(2026, 5, 31)


@pytest.mark.parametrize("value", ["2026-06-01T02:00:00", "2026-06-01 02:00:00"])
def test_naive_datetime_is_taken_in_the_workspace_timezone(make_ws, value: str) -> None:
    archive = with_timezone(make_ws, "America/New_York", {"a.md": summary_text(published=value)})
    [s] = archive.summaries
    assert s.published == datetime(2026, 6, 1, 2, 0, tzinfo=ZoneInfo("America/New_York"))
    assert s.date == date(2026, 6, 1)


def test_a_file_that_cannot_be_read_is_a_named_problem(make_ws, monkeypatch):
    from helpers import summary_text

    from newsletter.errors import ContentError
    from newsletter.summaries import parse

    ws = make_ws(summaries={"a.md": summary_text(), "b.md": summary_text(slug="b")})
    real_read = parse.read_bytes

    def refusing_read(path):  # (the tests run as root: a file's mode would not stop them)
        if str(path).endswith("b.md"):
            raise PermissionError(13, "Permission denied")
        return real_read(path)

    monkeypatch.setattr(parse, "read_bytes", refusing_read)
    with pytest.raises(ContentError) as exc:
        load_library(ws, use_cache=False)
    assert [(p.where, p.message) for p in exc.value.problems] == [
        ("summaries/b.md", "cannot be read (Permission denied)")]


def test_a_body_removed_after_loading_is_a_clear_error(make_ws):
    from helpers import summary_text

    from newsletter.errors import ContentError

    ws = make_ws(summaries={"a.md": summary_text(body="Body text.")})
    summary = load_library(ws, use_cache=False).summaries[0]
    summary.body = None  # as a summary from the index cache: its body is read on first use
    (ws.summaries_path / "a.md").unlink()
    with pytest.raises(ContentError, match="could not be read again"):
        _ = summary.body
