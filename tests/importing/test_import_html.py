"""HTML to Markdown for feeds and HTML bodies: sanitised first, then written as CommonMark."""

from __future__ import annotations

import pytest

from newsletter.importing.htmltext import looks_like_html, to_markdown, to_plain
from newsletter.render.markdown import plain, render


@pytest.mark.parametrize(("html", "markdown"), [
    ("<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("<p>A <strong>bold</strong> and <b>b</b>, <em>em</em> and <i>i</i>.</p>",
     "A **bold** and **b**, *em* and *i*."),
    ("<p>Spaces<strong> inside </strong>markers</p>", "Spaces **inside** markers"),
    ('<p>See <a href="https://example.org/x?a=1&amp;b=2">the paper</a>.</p>',
     "See [the paper](https://example.org/x?a=1&b=2)."),
    ('<a href="mailto:team@example.org">mail us</a>', "[mail us](mailto:team@example.org)"),
    ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
    ("<ol><li>first</li><li>second<ul><li>inner</li></ul></li></ol>",
     "1. first\n2. second\n\n   - inner"),
    ("<blockquote><p>Quoted</p><p>Twice</p></blockquote>", "> Quoted\n>\n> Twice"),
    ("Line one<br>line two", "Line one\\\nline two"),
    ("<h2>Results</h2><p>Text</p>", "**Results**\n\nText"),
    ("<div>Loose text <span>in a span</span></div>", "Loose text in a span"),
    ("<p>Use <code>x * y</code></p>", "Use `x * y`"),
])
def test_conversion(html, markdown):
    assert to_markdown(html) == markdown


@pytest.mark.parametrize(("html", "markdown"), [
    ("<p>Before<script>alert('x')</script> after</p>", "Before after"),
    ("<style>p {color: red}</style><p>Styled</p>", "Styled"),
    ('<p><a href="javascript:alert(1)">click</a> here</p>', "click here"),
    ('<p><a href="/relative/link">relative</a></p>', "relative"),
    ('<p><a href="data:text/html,x">data</a></p>', "data"),
    ('<p onclick="x()"><img src="x" onerror="alert(1)">Text</p>', "Text"),
    ("<iframe src='https://evil.example'></iframe><p>After</p>", "After"),
])
def test_unsafe_html_is_removed_and_its_text_kept(html, markdown):
    assert to_markdown(html) == markdown


@pytest.mark.parametrize("text", [
    "Stars *like this* and __this__ stay text",
    "Brackets [x](https://example.org) stay text",
    "1. not a list",
    "# not a heading",
    "A <tag> and &amp; stay as written",
    "back\\slash and `ticks`",
    "snake_case_words are fine",
])
def test_text_is_escaped_so_it_renders_back_to_itself(text):
    html = "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"
    markdown = to_markdown(html)
    assert plain(render(markdown)) == text


def test_plain_text_of_html():
    assert to_plain("<p>A <b>bold</b><br>claim</p><script>x</script>") == "A bold claim"


def test_looks_like_html():
    assert looks_like_html("<p>Hi</p>")
    assert looks_like_html("Text with <a href='https://x.org'>a link</a>")
    assert not looks_like_html("Plain text with a < sign and x > y")
