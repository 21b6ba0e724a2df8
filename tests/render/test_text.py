"""The plain-text part: the intro's Markdown through markdown-it's tree, and the cards."""

from __future__ import annotations

import pytest
from helpers import summary_text

from newsletter.build import build
from newsletter.render.text import markdown_to_text


@pytest.mark.parametrize(("source", "expected"), [
    # escapes and entities are the characters they stand for
    (r"Not \*emphasis\*, a \# and a \[bracket\]", "Not *emphasis*, a # and a [bracket]"),
    ("Fish &amp; chips &lt;3 &copy; &#169;", "Fish & chips <3 © ©"),
    # headings are their text, in a block of their own
    ("# A heading\nText under it.", "A heading\n\nText under it."),
    ("Setext heading\n---\n\nMore.", "Setext heading\n\nMore."),
    # backticks go, the code stays as written
    ("Run `newsletter build` now, or ``a `tick` inside``.",
     "Run newsletter build now, or a `tick` inside."),
    # autolinks: the address once; mailto without its scheme
    ("See <https://example.org/a> or <team@example.org>.",
     "See https://example.org/a or team@example.org."),
    # reference links are resolved
    ("Read [the report][r].\n\n[r]: https://example.org/report",
     "Read the report (https://example.org/report)."),
    # links the HTML drops (relative, other schemes) keep their text only
    ("A [relative](/page) and <ftp://example.org/f>.", "A relative and ftp://example.org/f."),
    ("[write to us](mailto:team@example.org)", "write to us (team@example.org)"),
    # emphasis is its text; images are left out, as in the HTML
    ("**Bold** and _em_ ![a chart](https://x.org/c.png)here", "Bold and em here"),
    # numbered lists keep their numbers (and their start)
    ("3. three\n4. four", "  3. three\n  4. four"),
    ("0. zero\n1. one", "  0. zero\n  1. one"),  # a list may start at 0 (as the HTML's <ol start="0">)
    ("- one\n- two", "  - one\n  - two"),
    # runs of spaces and tabs inside a line are one space, as in the HTML
    ("Two  spaces and\ta tab   here.", "Two spaces and a tab here."),
    # a hard break stays a line break, a soft one is a space
    ("first  \nsecond\nthird", "first\nsecond third"),
    ("> quoted\n> text", "> quoted text"),
    # a quote of two paragraphs keeps its blank line, quoted too
    ("> first\n>\n> second", "> first\n>\n> second"),
    # code is indented by four spaces, its own indentation kept; a rule is a short line
    ("    indented code\n    more", "    indented code\n    more"),
    ("```\ncode here\n  kept\n```", "    code here\n      kept"),
    ("```\nMAX = 10\nSET X  \n```", "    MAX = 10\n    SET X  "),  # as written, to the end
    ("```\nSET X\n```", "    SET X"),
    ("Above\n\n---\n\nBelow", "Above\n\n" + "-" * 20 + "\n\nBelow"),
])
def test_markdown_to_text(source, expected):
    assert markdown_to_text(source) == expected


def test_a_long_quote_wraps_within_the_width_with_its_marks():
    for word, longest in (("a", 39), ("ab", 40)):  # "> " and 38 columns: 19 a's, 13 ab's
        text = markdown_to_text("> " + f"{word} " * 100, width=40)
        lines = text.split("\n")
        assert all(line.startswith("> ") for line in lines), text
        assert max(len(line) for line in lines) == longest, text
        assert " ".join(line[2:] for line in lines) == " ".join([word] * 100)


def test_long_list_items_wrap_under_their_text():
    item = "word " * 30
    text = markdown_to_text(f"9. {item}\n10. short")
    lines = text.split("\n")
    assert lines[0].startswith("   9. word") and all(len(line) <= 78 for line in lines)
    assert lines[1].startswith("      word")  # under the text, past the widest marker
    assert lines[-1] == "  10. short"


def test_nested_and_loose_lists():
    assert markdown_to_text("1. a\n   - b\n2. c") == "  1. a\n       - b\n  2. c"
    assert markdown_to_text("- a\n\n- b\n\n  more") == "  - a\n\n  - b\n\n    more"


def test_intro_reaches_the_text_part(make_ws):
    intro = r"""## This month
Fish &amp; chips, `code`, \*stars\* and <https://example.org/x>.

1. first
2. second"""
    ws = make_ws(summaries={"a.md": summary_text()}, issues={"2026-05.toml": f"""
        from = 2026-05-01
        to = 2026-05-31
        intro = '''{intro}'''
        """})
    text = build(ws, "2026-05", write=False).text
    assert "This month\n\nFish & chips, code, *stars* and https://example.org/x.\n\n" \
           "  1. first\n  2. second" in text
    for leak in ("##", "&amp;", "`", "\\*", "<https"):
        assert leak not in text


def test_cards_in_text_keep_journal_links_and_highlight_themes(make_ws):
    ws = make_ws(summaries={
        "a.md": summary_text(slug="a", themes="[treatments]", source="Brain",
                             source_url="https://doi.org/10.1/a", study_type="review"),
        "b.md": summary_text(slug="b", title="Another walking study", themes="[living]",
                             source="Neurology"),
    }, issues={"2026-05.toml": '''
        from = 2026-05-01
        to = 2026-05-31
        featured = ["a"]
        '''})
    result = build(ws, "2026-05", write=False)
    highlights = result.text.split("HIGHLIGHTS")[1].split("LIVING WITH MS")[0]
    assert "10 May 2026 · Treatments & therapies · Review · Brain (https://doi.org/10.1/a)" \
        in highlights
    assert 'href="https://doi.org/10.1/a"' in result.html  # the same link as in the HTML
    living = result.text.split("LIVING WITH MS")[1]
    assert "10 May 2026 · Neurology\n" in living  # no link given: the name alone, no theme
