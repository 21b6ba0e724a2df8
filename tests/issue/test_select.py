"""Issues: resolving an id or a date range, validating issue files, and selecting summaries."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import summary_text

from newsletter.errors import IssueFileError, SelectionError, UsageError
from newsletter.issue.dates import format_period, range_id
from newsletter.issue.select import select
from newsletter.issue.spec import IssueSpec, resolve_issue
from newsletter.summaries.library import load_library

MAY = {
    "first.md": summary_text(slug="first", published="2026-05-03"),
    "middle.md": summary_text(slug="middle", published="2026-05-10"),
    "last.md": summary_text(slug="last", published="2026-05-20"),
    "before.md": summary_text(slug="before", published="2026-05-02"),
    "after.md": summary_text(slug="after", published="2026-05-21"),
}


def issue_file(body: str, start: str = "2026-05-01", end: str = "2026-05-31") -> dict[str, str]:
    return {"2026-05.toml": f"from = {start}\nto = {end}\n{body}"}


# --- resolve_issue --------------------------------------------------------------------------


def test_issue_file_is_read(make_ws) -> None:
    ws = make_ws(issues={"2026-05.toml": """
        subject = "  May news  "
        preheader = "Walking and more"
        from = 2026-05-03
        to = "2026-05-20"
        intro = "Hello."
        featured = ["a", "b", "a"]
        exclude = ["c"]
        theme_order = ["living"]
        max_per_section = 2
    """})
    spec, notes = resolve_issue(ws, "2026-05")
    assert notes == []
    assert spec == IssueSpec(
        id="2026-05", start=date(2026, 5, 3), end=date(2026, 5, 20), subject="May news",
        preheader="Walking and more", intro="Hello.", featured=("a", "b"), exclude=("c",),
        theme_order=("living",), max_per_section=2, path="issues/2026-05.toml")
    assert spec.period == "3–20 May 2026"


def test_month_id_without_file_uses_the_whole_month_with_a_notice(make_ws) -> None:
    ws = make_ws()
    spec, [note] = resolve_issue(ws, "2026-02")
    assert (spec.id, spec.start, spec.end) == ("2026-02", date(2026, 2, 1), date(2026, 2, 28))
    assert spec.subject is None and spec.path is None
    assert note.level == "warning"
    assert note.where == "issues/2026-02.toml"
    assert note.message == ("no issue file: using the whole month with the default subject and "
                            "preheader")
    assert note.fix == "create it with `newsletter new 2026-02`"


def test_other_id_without_file_is_an_error(make_ws) -> None:
    with pytest.raises(IssueFileError, match=r"^no issue file issues/spring-special.toml\. "):
        resolve_issue(make_ws(), "spring-special")


def test_month_13_is_not_a_month(make_ws) -> None:
    with pytest.raises(IssueFileError, match=r"no issue file issues/2026-13\.toml"):
        resolve_issue(make_ws(), "2026-13")


def test_bad_issue_id_is_a_usage_error(make_ws) -> None:
    with pytest.raises(UsageError, match=r"'\.\./x' is not an issue id"):
        resolve_issue(make_ws(), "../x")


def test_date_range_without_issue_file(make_ws) -> None:
    spec, notes = resolve_issue(make_ws(), None, date(2026, 5, 3), date(2026, 5, 20))
    assert notes == []
    assert spec == IssueSpec("2026-05-03_2026-05-20", date(2026, 5, 3), date(2026, 5, 20))


def test_date_range_of_a_whole_month_gets_the_month_id(make_ws) -> None:
    spec, _ = resolve_issue(make_ws(), None, date(2026, 5, 1), date(2026, 5, 31))
    assert spec.id == "2026-05"


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 5, 1), date(2026, 5, 31), "2026-05"),
    (date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
    (date(2026, 5, 3), date(2026, 5, 20), "2026-05-03_2026-05-20"),
    (date(2026, 5, 1), date(2026, 5, 30), "2026-05-01_2026-05-30"),
    (date(2026, 4, 1), date(2026, 5, 31), "2026-04-01_2026-05-31"),
])
def test_range_id(start: date, end: date, expected: str) -> None:
    assert range_id(start, end) == expected


def test_id_and_range_together_is_a_usage_error(make_ws) -> None:
    with pytest.raises(UsageError, match=r"^give either ISSUE_ID or --from/--to, not both$"):
        resolve_issue(make_ws(), "2026-05", date(2026, 5, 1), None)


@pytest.mark.parametrize(("start", "end"), [
    (None, None), (date(2026, 5, 1), None), (None, date(2026, 5, 31))])
def test_neither_id_nor_full_range_is_a_usage_error(make_ws, start, end) -> None:
    with pytest.raises(UsageError) as info:
        resolve_issue(make_ws(), None, start, end)
    assert info.value.message == "give an ISSUE_ID (for example 2026-05) or both --from and --to"
    assert info.value.exit_code == 2


def test_from_after_to_is_a_usage_error(make_ws) -> None:
    with pytest.raises(UsageError, match=r"^--from 2026-05-20 is after --to 2026-05-03$"):
        resolve_issue(make_ws(), None, date(2026, 5, 20), date(2026, 5, 3))


# --- issue file validation ------------------------------------------------------------------


def test_issue_file_reports_every_problem_at_once(make_ws) -> None:
    ws = make_ws(issues={"2026-05.toml": """
        subjet = "May"
        from = 2026-05-31
        to = 2026-05-01
        theme_order = ["treatment"]
        max_per_section = 0
        featured = ["a"]
        exclude = ["a"]
    """})
    with pytest.raises(IssueFileError) as info:
        resolve_issue(ws, "2026-05")
    error = info.value
    assert error.message == "issues/2026-05.toml has 5 problems"
    assert {p.where for p in error.problems} == {"issues/2026-05.toml"}
    assert [(p.field, p.message, p.fix) for p in error.problems] == [
        ("subjet", "unknown key", "did you mean 'subject'?"),
        ("to", "2026-05-01 is before from = 2026-05-31", "swap the two dates"),
        ("theme_order", "unknown theme id 'treatment'",
         "did you mean 'treatments'? use one of: treatments, progression, diagnosis, living, "
         "related, research"),
        ("exclude", "a is both featured and excluded", "keep it in one list"),
        ("max_per_section", "must be a whole number above 0, got 0", None),
    ]


def test_issue_file_needs_both_dates(make_ws) -> None:
    ws = make_ws(issues={"2026-05.toml": 'subject = "x"\n'})
    with pytest.raises(IssueFileError) as info:
        resolve_issue(ws, "2026-05")
    assert [(p.field, p.message) for p in info.value.problems] == [
        ("from", "is required"), ("to", "is required")]


@pytest.mark.parametrize(("line", "field", "message"), [
    ('from = "May 1st"', "from", "cannot read 'May 1st' as a date"),
    ("from = 2026-05-01T10:00:00", "from", "cannot read datetime.datetime(2026, 5, 1, 10, 0) as a date"),
    ("subject = 3", "subject", "must be text (in quotes)"),
    ('featured = "a"', "featured", 'must be a list of ids, e.g. ["remyelination-trial"]'),
    ("max_per_section = true", "max_per_section", "must be a whole number above 0, got True"),
    ("max_per_section = 2.5", "max_per_section", "must be a whole number above 0, got 2.5"),
])
def test_issue_file_value_problems(make_ws, line: str, field: str, message: str) -> None:
    text = line + "\n" + ("to = 2026-05-31\n" if field == "from" else "from = 2026-05-01\nto = 2026-05-31\n")
    ws = make_ws(issues={"2026-05.toml": text})
    with pytest.raises(IssueFileError) as info:
        resolve_issue(ws, "2026-05")
    [problem] = info.value.problems
    assert (problem.field, problem.message) == (field, message)


def test_issue_file_toml_error(make_ws) -> None:
    ws = make_ws(issues={"2026-05.toml": "from = 2026-05-01\nto = \n"})
    with pytest.raises(IssueFileError, match=r"^issues/2026-05\.toml is not valid TOML"):
        resolve_issue(ws, "2026-05")


# --- selection ------------------------------------------------------------------------------


def test_range_is_inclusive_and_newest_first(make_ws) -> None:
    ws = make_ws(summaries=MAY)
    spec, _ = resolve_issue(ws, None, date(2026, 5, 3), date(2026, 5, 20))
    selection = select(load_library(ws), spec)
    assert [s.id for s in selection.items] == ["last", "middle", "first"]
    assert selection.featured == [] and selection.excluded == []


def test_same_day_summaries_are_ordered_by_time(make_ws) -> None:
    ws = make_ws(summaries={
        "morning.md": summary_text(slug="m", published="2026-05-10T08:00:00+00:00"),
        "evening.md": summary_text(slug="e", published="2026-05-10T20:00:00+00:00"),
    })
    spec, _ = resolve_issue(ws, None, date(2026, 5, 10), date(2026, 5, 10))
    assert [s.id for s in select(load_library(ws), spec).items] == ["evening", "morning"]


def test_empty_range_says_what_the_archive_holds(make_ws) -> None:
    ws = make_ws(summaries=MAY)
    spec, _ = resolve_issue(ws, "2026-07")
    with pytest.raises(SelectionError) as info:
        select(load_library(ws), spec)
    assert info.value.message == (
        "no summaries were published between 2026-07-01 and 2026-07-31. The archive holds 5 "
        "summaries, the oldest from 2026-05-02 and the newest from 2026-05-21: choose a range "
        "inside those dates")


def test_empty_range_with_one_summary_is_singular(make_ws) -> None:
    ws = make_ws(summaries={"only.md": summary_text(published="2026-05-02")})
    spec, _ = resolve_issue(ws, "2026-07")
    with pytest.raises(SelectionError, match="The archive holds 1 summary, the oldest from 2026-05-02"):
        select(load_library(ws), spec)


def test_empty_archive(make_ws) -> None:
    ws = make_ws()
    spec, _ = resolve_issue(ws, "2026-05")
    with pytest.raises(SelectionError) as info:
        select(load_library(ws), spec)
    assert str(info.value) == ("the archive holds no summaries yet: add Markdown files to the "
                               "summaries folder")


def test_featured_summaries_are_selected(make_ws) -> None:
    ws = make_ws(summaries=MAY, issues=issue_file('featured = ["middle", "first"]'))
    spec, _ = resolve_issue(ws, "2026-05")
    selection = select(load_library(ws), spec)
    assert [s.id for s in selection.featured] == ["middle", "first"]
    assert "middle" in [s.id for s in selection.items]


def test_unknown_featured_and_excluded_ids_suggest_a_close_one(make_ws) -> None:
    ws = make_ws(summaries=MAY, issues=issue_file('featured = ["midle"]\nexclude = ["zzz"]'))
    spec, _ = resolve_issue(ws, "2026-05")
    with pytest.raises(SelectionError) as info:
        select(load_library(ws), spec)
    assert info.value.message == "issues/2026-05.toml names summaries it cannot use"
    assert [(p.where, p.field, p.message, p.fix) for p in info.value.problems] == [
        ("issues/2026-05.toml", "featured", "no summary has the id 'midle'",
         "did you mean 'middle'?"),
        ("issues/2026-05.toml", "exclude", "no summary has the id 'zzz'",
         "use the id of a summary (its file name)"),
    ]


def test_featured_summary_outside_the_range_is_an_error(make_ws) -> None:
    summaries = {**MAY, "april.md": summary_text(slug="april", published="2026-04-10")}
    ws = make_ws(summaries=summaries, issues=issue_file('featured = ["april"]'))
    spec, _ = resolve_issue(ws, "2026-05")
    with pytest.raises(SelectionError) as info:
        select(load_library(ws), spec)
    [problem] = info.value.problems
    assert (problem.where, problem.field) == ("issues/2026-05.toml", "featured")
    assert problem.message == "'april' was published 2026-04-10, outside 2026-05-01..2026-05-31"
    assert problem.fix == "add it to include = [...] as well, or widen from/to"


def test_an_included_summary_already_in_the_range_is_selected_once(make_ws) -> None:
    summaries = {**MAY, "april.md": summary_text(slug="april", published="2026-04-10")}
    ws = make_ws(summaries=summaries, issues=issue_file('include = ["middle", "april"]'))
    spec, _ = resolve_issue(ws, "2026-05")
    selection = select(load_library(ws), spec)
    assert [s.id for s in selection.items] == ["after", "last", "middle", "first", "before",
                                               "april"]


def test_a_spec_made_in_code_without_a_file_is_named_issue(make_ws) -> None:
    """The library's callers may make an IssueSpec without an issue file: its problems are
    placed at "issue"."""
    ws = make_ws(summaries=MAY)
    spec = IssueSpec("2026-05", date(2026, 5, 1), date(2026, 5, 31), featured=("zzz",))
    with pytest.raises(SelectionError) as info:
        select(load_library(ws), spec)
    assert info.value.message == "issue names summaries it cannot use"
    assert [p.where for p in info.value.problems] == ["issue"]


def test_an_unknown_included_id_is_named(make_ws) -> None:
    ws = make_ws(summaries=MAY, issues=issue_file('include = ["nowhere"]'))
    spec, _ = resolve_issue(ws, "2026-05")
    with pytest.raises(SelectionError) as info:
        select(load_library(ws), spec)
    assert [(p.where, p.field, p.message) for p in info.value.problems] == [
        ("issues/2026-05.toml", "include", "no summary has the id 'nowhere'")]


def test_excluded_summaries_are_left_out(make_ws) -> None:
    ws = make_ws(summaries=MAY, issues=issue_file('exclude = ["middle", "after"]'))
    spec, _ = resolve_issue(ws, "2026-05")
    selection = select(load_library(ws), spec)
    assert [s.id for s in selection.items] == ["last", "first", "before"]
    assert [s.id for s in selection.excluded] == ["after", "middle"]


def test_everything_excluded_is_a_clear_error(make_ws) -> None:
    summaries = {name: MAY[name] for name in ("first.md", "last.md")}
    ws = make_ws(summaries=summaries,
                 issues=issue_file('exclude = ["first", "last"]', "2026-05-03", "2026-05-20"))
    spec, _ = resolve_issue(ws, "2026-05")
    with pytest.raises(SelectionError) as info:
        select(load_library(ws), spec)
    assert info.value.message == ("all 2 summaries published between 2026-05-03 and 2026-05-20 "
                                  "are excluded by the issue file")


# --- format_period --------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "text"), [
    (date(2026, 5, 1), date(2026, 5, 31), "May 2026"),
    (date(2026, 2, 1), date(2026, 2, 28), "February 2026"),
    (date(2026, 5, 3), date(2026, 5, 20), "3–20 May 2026"),
    (date(2026, 5, 1), date(2026, 5, 30), "1–30 May 2026"),
    (date(2026, 4, 28), date(2026, 5, 3), "28 April – 3 May 2026"),
    (date(2025, 12, 28), date(2026, 1, 3), "28 December 2025 – 3 January 2026"),
    (date(2026, 5, 7), date(2026, 5, 7), "7 May 2026"),
])
def test_format_period(start: date, end: date, text: str) -> None:
    assert format_period(start, end) == text
