"""The size promises at their exact edges, with the numbers written out: Gmail clips from 102,400
bytes on, so `build` refuses an email.html of 102,400 bytes and writes one of 102,399; `check`
reports an error from 102,400 and a warning from 90,000 bytes.

The email is brought to an exact size by the length of the issue's intro (one plain word: each
character adds one byte to the HTML); the sizes asserted are literals, not the library's
constants.
"""

from __future__ import annotations

import json

import pytest
from helpers import WorkspaceFactory, summary_text

from newsletter.build import build
from newsletter.checks.runner import check_issue
from newsletter.errors import SizeLimitError
from newsletter.workspace import Workspace

PROBE = 1_000  # intro length of the measuring build


def with_intro(factory: WorkspaceFactory, length: int) -> Workspace:
    factory.write("issues/2026-05.toml",
                  f'from = 2026-05-01\nto = 2026-05-31\nintro = "{"a" * length}"\n')
    return factory.reopen()


def intro_for(factory: WorkspaceFactory, html_bytes: int) -> int:
    """The intro length that makes email.html exactly `html_bytes` long."""
    base = len(build(with_intro(factory, PROBE), "2026-05", write=False).html.encode("utf-8"))
    return PROBE + html_bytes - base


@pytest.fixture
def factory(make_ws: WorkspaceFactory) -> WorkspaceFactory:
    make_ws(summaries={"a.md": summary_text()})
    return make_ws


def test_build_writes_an_email_of_102_399_bytes(factory: WorkspaceFactory) -> None:
    ws = with_intro(factory, intro_for(factory, 102_399))
    result = build(ws, "2026-05")
    html = ws.output_path / "2026-05" / "email.html"
    assert len(html.read_bytes()) == 102_399
    assert json.loads((html.parent / "manifest.json").read_text())["bytes"]["html"] == 102_399
    assert result.written[0] == (html, 102_399)


def test_build_refuses_an_email_of_exactly_102_400_bytes(factory: WorkspaceFactory) -> None:
    ws = with_intro(factory, intro_for(factory, 102_400))
    with pytest.raises(SizeLimitError) as exc:
        build(ws, "2026-05")
    assert str(exc.value).startswith("email.html would be 102,400 bytes (1 cards); Gmail clips "
                                     "emails above 102,400 bytes (about 102 KB)")
    assert not (ws.output_path / "2026-05").exists()
    # one card cannot be cut: the fix names the other ways out
    assert exc.value.problems[0].fix == "exclude some summaries or shorten the intro and teasers"


def test_check_at_the_edges(make_ws: WorkspaceFactory) -> None:
    """size.html: nothing at 89,999 bytes, a warning at 90,000 and 102,399, an error at 102,400.
    (The slow SpamAssassin score is switched off: seconds per run, and this is about size.)"""
    factory = make_ws
    make_ws(config='[checks]\ndisable = [{id = "spam", reason = "a test of the size check"}]\n',
            summaries={"a.md": summary_text()})
    found = {}
    for size in (89_999, 90_000, 102_399, 102_400):
        report, result = check_issue(with_intro(factory, intro_for(factory, size)), "2026-05")
        assert len(result.html.encode("utf-8")) == size
        found[size] = [(f.level, f.message) for f in report.findings if f.check == "size.html"]
    assert found == {
        89_999: [],
        90_000: [("warning", "the HTML is 90,000 bytes, close to Gmail's clipping limit of "
                             "102,400 bytes")],
        102_399: [("warning", "the HTML is 102,399 bytes, close to Gmail's clipping limit of "
                              "102,400 bytes")],
        102_400: [("error", "the HTML is 102,400 bytes; Gmail clips emails from 102,400 bytes "
                            "on, hiding the rest and the footer")],
    }


def test_the_size_error_names_the_issue_file_even_without_one(make_ws: WorkspaceFactory) -> None:
    from newsletter.build import size_error

    ws = make_ws(summaries={"a.md": summary_text()})  # no issues/2026-05.toml
    result = build(ws, "2026-05", write=False)
    assert result.plan.issue.path is None
    error = size_error(result, 3)
    assert [(p.where, p.field) for p in error.problems] == [("issues/2026-05.toml",
                                                             "max_per_section")]
    assert error.problems[0].fix == (
        "set max_per_section = 3 (each section then keeps its 3 newest and links to the rest; the "
        "email stays under 90,000 bytes, so `check --strict` passes too), or exclude some "
        "summaries")


# A card of about 14.3 KB: leaving out one card takes an email of 102,500 bytes under the
# 90,000-byte warning, which the suggested limit must reach (so `check --strict` passes on it).
LONG_TEASER = "word " * 2_700


def themed(slug: str, theme: str, day: int) -> str:
    return summary_text(slug=slug, title=f"A study called {slug}", published=f"2026-05-{day:02d}",
                        themes=f"[{theme}]", teaser=LONG_TEASER.strip())


def suggestion(factory: WorkspaceFactory, limit: int | None, html_bytes: int,
               featured: str = "") -> str:
    """The fix the build gives when email.html (at max_per_section `limit`) is `html_bytes`."""
    extra = (f"max_per_section = {limit}\n" if limit else "") + featured

    def issue(length: int) -> None:
        factory.write("issues/2026-05.toml", f'from = 2026-05-01\nto = 2026-05-31\n{extra}'
                                             f'intro = "{"a" * length}"\n')

    issue(PROBE)
    base = len(build(factory.reopen(), "2026-05", write=False).html.encode("utf-8"))
    issue(PROBE + html_bytes - base)
    with pytest.raises(SizeLimitError) as exc:
        build(factory.reopen(), "2026-05", write=False)
    assert str(exc.value).startswith(f"email.html would be {html_bytes:,} bytes")
    return exc.value.problems[0].fix or ""


def test_the_build_suggests_one_per_section_when_only_that_fits(make_ws) -> None:
    make_ws(summaries={"a.md": themed("a", "living", 1), "b.md": themed("b", "living", 2),
                       "c.md": themed("c", "research", 3), "d.md": themed("d", "research", 4)})
    assert suggestion(make_ws, None, 102_500) == (
        "set max_per_section = 1 (each section then keeps its 1 newest and links to the rest; "
        "the email stays under 90,000 bytes, so `check --strict` passes too), or exclude some "
        "summaries")


def test_the_suggestion_counts_the_cards_a_limit_already_left_out(make_ws) -> None:
    """Sections of 4 (3 shown, 1 more) and 1: 3 per section is clipped, 2 lands under the
    warning, so 2."""
    files = {f"{s}.md": themed(s, "living", day) for s, day in (("a", 1), ("b", 2), ("c", 3),
                                                                   ("d", 4))}
    make_ws(summaries={**files, "e.md": themed("e", "research", 5)})
    assert suggestion(make_ws, 3, 102_500) == (
        "set max_per_section = 2 (each section then keeps its 2 newest and links to the rest; "
        "the email stays under 90,000 bytes, so `check --strict` passes too), or exclude some "
        "summaries")


def test_the_suggestion_is_the_largest_limit_that_fits(make_ws) -> None:
    """Sections of 3 and 1: all 4 cards are clipped, 2 per section lands under the warning, so 2
    (not 1)."""
    files = {f"{s}.md": themed(s, "living", day) for s, day in (("a", 1), ("b", 2), ("c", 3))}
    make_ws(summaries={**files, "d.md": themed("d", "research", 4)})
    assert suggestion(make_ws, None, 102_500) == (
        "set max_per_section = 2 (each section then keeps its 2 newest and links to the rest; "
        "the email stays under 90,000 bytes, so `check --strict` passes too), or exclude some "
        "summaries")


def test_an_issue_of_highlights_only_gets_the_other_fix(make_ws) -> None:
    make_ws(summaries={"a.md": themed("a", "living", 1), "b.md": themed("b", "research", 2)})
    assert suggestion(make_ws, None, 102_500, 'featured = ["a", "b"]\n') == (
        "exclude some summaries or shorten the intro and teasers")


def fix_for(limit: int) -> str:
    return (f"set max_per_section = {limit} (each section then keeps its {limit} newest and links "
            "to the rest; the email stays under 90,000 bytes, so `check --strict` passes too), "
            "or exclude some summaries")


def test_a_first_guess_too_high_is_walked_down_to_one(make_ws) -> None:
    """Sections of 3 and 1 at 110,000 bytes: one card less (2 per section) is still over the
    warning, two less (1 per section) is under it. The first guess, from the average card with
    the fixed part counted in, is 2: the build must walk down to 1, not give up."""
    files = {f"{s}.md": themed(s, "living", day) for s, day in (("a", 1), ("b", 2), ("c", 3))}
    make_ws(summaries={**files, "d.md": themed("d", "research", 4)})
    assert suggestion(make_ws, None, 110_000) == fix_for(1)


def small(slug: str, theme: str, day: int, teaser: str = "A short teaser.") -> str:
    return summary_text(slug=slug, title=f"A study called {slug}", published=f"2026-05-{day:02d}",
                        themes=f"[{theme}]", teaser=teaser)


def test_a_first_guess_too_low_is_walked_up_to_the_largest(make_ws) -> None:
    """One 40 KB card, the oldest of a section of 22, among 41 small ones: leaving it out (21
    per section) is enough, though the average card says six cards must go (first guess: 18).
    The build walks up one limit at a time to 21, the largest under the warning (22 is all)."""
    files = {f"a{i:02d}.md": small(f"a{i:02d}", "living", 2 + i % 27) for i in range(21)}
    files["huge.md"] = small("huge", "living", 1, teaser="word " * 8_000)
    files |= {f"b{i:02d}.md": small(f"b{i:02d}", "research", 2 + i % 27) for i in range(20)}
    make_ws(summaries=files)
    assert suggestion(make_ws, None, 102_500) == fix_for(21)


@pytest.mark.parametrize(("sizes", "cut", "guess"), [
    ([5, 3, 1], 0, 5),  # nothing to cut: the largest section's size
    ([5, 3, 1], 1, 4),  # 5 -> 4
    ([5, 3, 1], 3, 2),  # 5 -> 2 and 3 -> 2 cut 4; 3 cut only 2
    ([5, 3, 1], 6, 1),  # 5, 3 -> 1 cut exactly 6
    ([5, 3, 1], 100, 1),  # more than there is: one card a section
    ([], 0, 1),  # no section
])
def test_the_first_guess_of_max_per_section(sizes: list[int], cut: int, guess: int) -> None:
    """The guess fitting_limit starts from (then corrected by rendering): the largest limit that
    cuts at least `cut` cards. A worse guess gives the same answer after more renders."""
    from newsletter.build import _suggest_limit

    assert _suggest_limit(sizes, cut) == guess
