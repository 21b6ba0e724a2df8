"""Rendering: escaping, sanitising, UTM, placeholders, head styles, size budget, plain text."""

from __future__ import annotations

import itertools
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import many_summaries, summary_text

from newsletter.build import build
from newsletter.errors import TemplateError
from newsletter.render import placeholders
from newsletter.render.context import add_utm
from newsletter.render.html import minify
from newsletter.render.text import markdown_to_text


def _build(ws, issue="2026-05"):
    return build(ws, issue, write=False)


def test_title_and_teaser_are_escaped(make_ws):
    ws = make_ws(summaries={"a.md": summary_text(
        title='"Tom & Jerry <script>alert(1)</script>"', teaser='"<b>bold</b> & more"')})
    result = _build(ws)
    assert "<script>alert(1)" not in result.html
    assert "Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;" in result.html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in result.html
    assert "Tom & Jerry <script>alert(1)</script>" in result.text  # plain text is not HTML


def test_intro_markdown_is_rendered_and_sanitised(make_ws):
    intro = ("Hello **all**. [Safe](https://example.org/a) and [bad](javascript:alert(1)) "
             "and [rel](/relative).\n\n<script>x()</script> <img src=x onerror=y>")
    ws = make_ws(summaries={"a.md": summary_text()}, issues={"2026-05.toml": f'''
        from = 2026-05-01
        to = 2026-05-31
        intro = """{intro}"""
        '''})
    html = _build(ws).html
    assert "<strong>all</strong>" in html
    assert 'href="https://example.org/a"' in html
    assert 'href="javascript' not in html  # markdown-it leaves it as text, not a link
    assert 'href="/relative"' not in html and "<a>rel</a>" not in html and " rel." in html
    assert "<script>" not in html and "<img src=\"x\"" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html  # raw HTML shows as text


def test_read_more_links_carry_utm_and_keep_query(make_ws):
    ws = make_ws(summaries={"a.md": summary_text(url="https://example.org/s/a?ref=feed#top")})
    result = _build(ws)
    links = re.findall(r'href="(https://example\.org/s/a[^"]*)"', result.html)
    assert links
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query == {"ref": ["feed"], "utm_source": ["newsletter"], "utm_medium": ["email"],
                     "utm_campaign": ["2026-05"]}
    assert urlsplit(links[0]).fragment == "top"
    assert "utm_campaign=2026-05" in result.text


def test_add_utm_replaces_existing_utm_values():
    url = add_utm("https://x.org/p?utm_source=old&b=2", {"utm_source": "new"})
    assert parse_qs(urlsplit(url).query) == {"b": ["2"], "utm_source": ["new"]}


def test_add_utm_keeps_a_parameter_without_a_value():
    """`?preview=&id=7`: a blank value is still a parameter the page may read."""
    assert add_utm("https://x.org/p?preview=&id=7#top", {"utm_source": "nl"}) == \
        "https://x.org/p?preview=&id=7&utm_source=nl#top"


def test_email_structure_basics(make_ws):
    ws = make_ws(config='language = "en-GB"\n', summaries={"a.md": summary_text()})
    html = _build(ws).html
    assert html.startswith("<!doctype html>")  # without it: quirks mode
    assert re.search(r'<html[^>]* lang="en-GB"', html)
    tables = re.findall(r"<table\b[^>]*>", html)
    assert tables and all('role="presentation"' in t for t in tables)
    assert "<title>" in html and "Test Digest" in html
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_head_keeps_mjml_reset_styles_instead_of_inlining_them(make_ws):
    html = _build(make_ws(summaries={"a.md": summary_text()})).html
    head, body = html.split("</head>", 1)
    assert "#outlook a" in head and "mso-table-lspace" in head
    assert "@media only screen and (min-width:480px)" in head
    assert "!important" in head  # the inliner must not strip it
    assert "data-css-inline" not in html and "nl:at-rules" not in html
    # the reset rule `table, td { border-collapse:collapse; mso-table-lspace... }` stays in the head
    assert "mso-table-lspace" not in body


def test_rendering_writes_nothing_to_stderr(make_ws, capfd):
    _build(make_ws(summaries={"a.md": summary_text()}))
    captured = capfd.readouterr()
    assert captured.err == ""


def test_sixty_cards_stay_under_gmail_limit(make_ws):
    ws = make_ws(summaries=many_summaries(60))
    result = _build(ws)
    assert result.plan.count == 60
    size = len(result.html.encode())
    assert size < 100_000, size
    # about 1 KB a card: the fixed part is measured by a one-card build
    one = _build(make_ws.__class__(make_ws.root.parent / "one")(summaries=many_summaries(1)))
    per_card = (size - len(one.html.encode())) / 59
    assert per_card < 1300, per_card


def test_placeholders_in_generic_build_follow_config(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})  # no archive_url, no preferences_url
    result = _build(ws)
    assert "https://example.org/unsubscribe" in result.html
    assert placeholders.TOKENS["web_version_url"] in result.html  # left for the exporter
    assert placeholders.TOKENS["preferences_url"] not in result.html  # optional, removed
    assert "Update your preferences" not in result.text
    assert "1 Test Street, Testville" in result.html and "1 Test Street, Testville" in result.text
    # the neutral rendering keeps every token
    for token in placeholders.TOKENS.values():
        assert token in result.email.html
        assert token in result.email.text


def test_fill_removes_optional_blocks_and_escapes_values():
    doc = ('<p><a href="%%NL_UNSUBSCRIBE_URL%%">U</a><!--nl:web_version_url--> '
           '<a href="%%NL_WEB_VERSION_URL%%">W</a><!--/nl:web_version_url--></p>'
           "<p>%%NL_POSTAL_ADDRESS%%</p>")
    out = placeholders.fill(doc, {"unsubscribe_url": "https://x.org/u?a=1&b=2",
                                  "web_version_url": None, "postal_address": "A & B\nC"},
                            is_html=True)
    assert out == '<p><a href="https://x.org/u?a=1&amp;b=2">U</a></p><p>A &amp; B<br>C</p>'
    text = placeholders.fill("Web: %%NL_WEB_VERSION_URL%%\nU: %%NL_UNSUBSCRIBE_URL%%\n",
                             {"web_version_url": None}, is_html=False)
    assert text == "U: %%NL_UNSUBSCRIBE_URL%%\n"
    assert placeholders.remaining(text) == ["%%NL_UNSUBSCRIBE_URL%%"]
    with pytest.raises(ValueError):
        placeholders.fill("", {"nope": "x"}, is_html=True)


def test_fill_keeps_unknown_blocks_and_resolves_given_ones():
    doc = ("<!--nl:web_version_url--><a href=\"%%NL_WEB_VERSION_URL%%\">W</a><!--/nl:web_version_url-->"
           "<!--nl:preferences_url--><a href=\"%%NL_PREFERENCES_URL%%\">P</a><!--/nl:preferences_url-->")
    out = placeholders.fill(doc, {"web_version_url": "https://x.org/w"}, is_html=True)
    assert out == ('<a href="https://x.org/w">W</a><!--nl:preferences_url--><a href='
                   '"%%NL_PREFERENCES_URL%%">P</a><!--/nl:preferences_url-->')
    assert placeholders.fill("A: %%NL_POSTAL_ADDRESS%%", {"postal_address": "1 <St>\n2"},
                             is_html=False) == "A: 1 <St>\n2"  # text is not escaped
    text = "Top\n\nWeb: %%NL_WEB_VERSION_URL%%\n\nPrefs: %%NL_PREFERENCES_URL%%\n\nEnd\n"
    assert placeholders.fill(text, {"web_version_url": None, "preferences_url": None},
                             is_html=False) == "Top\n\nEnd\n"  # no gap left where lines were
    with pytest.raises(ValueError) as exc:
        placeholders.fill("", {"nope": "x", "also": None}, is_html=False)
    assert str(exc.value) == "unknown placeholder names: ['also', 'nope']"


def test_replace_block_swaps_only_the_named_block():
    doc = ("<p><!--nl:unsubscribe_url--><a href=\"%%NL_UNSUBSCRIBE_URL%%\">U</a>"
           "<!--/nl:unsubscribe_url--> <!--nl:web_version_url-->W<!--/nl:web_version_url--></p>")
    assert placeholders.replace_block(doc, "unsubscribe_url", "<a href=\"https://x.org/s\">S</a>") \
        == ("<p><a href=\"https://x.org/s\">S</a> <!--nl:web_version_url-->W"
            "<!--/nl:web_version_url--></p>")
    assert placeholders.replace_block(doc, "preferences_url", "X") == doc
    assert placeholders.remaining("%%NL_B%% %%NL_A%% %%NL_B%% %%nl_c%%") == ["%%NL_A%%", "%%NL_B%%"]


def test_plain_text_carries_everything_and_wraps(sample_ws):
    result = _build(sample_ws)
    text = result.text
    for entry in result.plan.entries:
        assert entry.summary.title[:40] in text.replace("\n", " ")
        assert entry.summary.url in text
    for section in result.plan.sections:
        assert section.theme.label.upper() in text
    assert "HIGHLIGHTS" in text and "ABOUT THESE SUMMARIES" in text
    assert "not medical" in text.replace("\n", " ")
    long_lines = [line for line in text.splitlines() if len(line) > 78 and "http" not in line]
    assert long_lines == []


def test_markdown_to_text_lists_and_links():
    source = "Intro with [a link](https://x.org) and **bold**.\n\n- one\n- two items here"
    assert markdown_to_text(source) == ("Intro with a link (https://x.org) and bold.\n\n"
                                        "  - one\n  - two items here")


def test_markdown_to_text_more_cases():
    assert markdown_to_text("") == "" and markdown_to_text("  \n \n") == ""
    assert markdown_to_text("Use _this_ and *that*, __strong__, not snake_case_words.") == (
        "Use this and that, strong, not snake_case_words.")
    # three lists for CommonMark (`.` and `)` delimiters and a bullet each start a new one);
    # numbered items keep their numbers
    assert markdown_to_text("1. first\n2) second\n* third\n  continued here") == (
        "  1. first\n\n  2. second\n\n  - third continued here")
    assert markdown_to_text("One\nparagraph\n\n \nTwo") == "One paragraph\n\nTwo"
    long_item = "- " + "word " * 30
    assert markdown_to_text(long_item).split("\n") == [
        "  - " + "word " * 14 + "word", "    " + "word " * 14 + "word"]
    url = "https://example.org/" + "a" * 90
    assert markdown_to_text(f"Read {url} now " + "x " * 40).split("\n")[:2] == ["Read", url]


def test_wrap_and_tidy_text():
    from newsletter.render.text import tidy_text, wrap

    assert wrap("a-b " * 30, width=20).split("\n")[0] == "a-b a-b a-b a-b a-b"  # no hyphen breaks
    assert wrap("x " * 5, width=6, indent="> ") == "> x x\n> x x\n> x"
    assert tidy_text("\n\nA  \t\nB\n\n\n\nC\n\n") == "A\nB\n\nC\n"


def test_minify_keeps_conditional_comments_and_markers():
    doc = ("<html>\n <head>\n  <!-- a comment -->\n  <style>\n a { color : red ; }\n </style>\n"
           " </head>\n <body>\n  <!--[if mso]>\n  <table>\n  <tr><td>\n  <![endif]-->\n"
           "  <p>Hello   <b>big</b>   world</p>\n  <!--nl:x--><a href='#'>x</a><!--/nl:x-->\n"
           " </body>\n</html>")
    out = minify(doc)
    assert "a comment" not in out
    assert "<!--[if mso]><table><tr><td><![endif]-->" in out
    assert "<p>Hello <b>big</b> world</p>" in out
    assert "<!--nl:x-->" in out and "<style>a{color : red}</style>" in out.replace("\n", "")
    assert "</body></html>" in out


def test_minify_keeps_no_break_spaces():
    # HTML collapses only space, tab and line breaks; U+00A0 is text (10\u00a0mg, padding)
    out = minify("<p>  10\u00a0mg \n and\u00a0\u00a0more\u00a0</p>")
    assert out == "<p>10\u00a0mg and\u00a0\u00a0more\u00a0</p>"


@pytest.mark.parametrize(("document", "expected"), [
    # a kept conditional comment is collapsed inside, not only between its tags
    ("<!--[if   mso |\n IE]>\n <table>\n<![endif]-->", "<!--[if mso | IE]><table><![endif]-->"),
    # text at the very start loses its leading white space; after an inline tag it keeps one
    ("  hello <b>x</b>  y", "hello <b>x</b> y"),
    # and text at the very end its trailing white space (nothing follows it)
    ("<b>x</b> tail \n ", "<b>x</b> tail"),
    ("<p>x</p> \n <b>y</b>  z \t", "<p>x</p><b>y</b> z"),
    # a no-break space after a block tag is text, not white space to drop
    ("<p>\u00a0x\u00a0</p>", "<p>\u00a0x\u00a0</p>"),
    # the end of a downlevel-revealed conditional is block-level like its start
    ("<![if !mso]>\n <p>x</p>\n<![endif]>\n  after", "<![if !mso]><p>x</p><![endif]>after"),
    # white space inside tags: one space between attributes, none before > or />
    ('<a\n  href="https://e.org"  >x</a><br  />', '<a href="https://e.org">x</a><br/>'),
    ('<style\n  type="text/css" >a { b : c ; }</style>', '<style type="text/css">a{b : c}</style>'),
])
def test_minify_at_the_edges(document, expected):
    assert minify(document) == expected


def test_unknown_mjml_tag_in_workspace_template_names_it(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    (ws.root / "templates" / "partials").mkdir(parents=True)
    (ws.root / "templates" / "partials" / "intro.mjml.j2").write_text(
        "<mj-section><mj-column><mj-txet>Hi</mj-txet></mj-column></mj-section>")
    with pytest.raises(TemplateError) as exc:
        _build(ws)
    assert "mj-txet" in str(exc.value) and "email.mjml.j2" in str(exc.value)


def test_workspace_template_overrides_one_file(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    (ws.root / "templates" / "partials").mkdir(parents=True)
    (ws.root / "templates" / "partials" / "intro.mjml.j2").write_text(
        "<mj-section><mj-column><mj-text>Custom intro from the workspace</mj-text>"
        "</mj-column></mj-section>")
    html = _build(ws).html
    assert "Custom intro from the workspace" in html
    assert "About these summaries" in html  # the other partials still come from the package


def test_disclaimer_cannot_be_removed_by_a_template(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    (ws.root / "templates" / "partials").mkdir(parents=True)
    (ws.root / "templates" / "partials" / "disclaimer.mjml.j2").write_text("")
    with pytest.raises(TemplateError) as exc:
        _build(ws)
    assert "disclaimer is missing from the HTML" in str(exc.value)


def test_disclaimer_wording_comes_from_config(make_ws):
    ws = make_ws(config='[disclaimer]\ntext = "Our own words: not medical advice."\n',
                 summaries={"a.md": summary_text()})
    result = _build(ws)
    assert "Our own words: not medical advice." in result.html
    assert "Our own words: not medical advice." in result.text


def test_undefined_name_in_template_is_a_clear_error(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    (ws.root / "templates" / "partials").mkdir(parents=True)
    (ws.root / "templates" / "partials" / "intro.mjml.j2").write_text("{{ no_such_name }}")
    with pytest.raises(TemplateError) as exc:
        _build(ws)
    assert "no_such_name" in str(exc.value)


def test_teaser_from_a_paragraph_with_line_breaks(make_ws):
    body = "First line of the\nparagraph with **bold**\nand a [link](https://x.org).\n\nSecond."
    ws = make_ws(summaries={"a.md": summary_text(body=body)})
    result = _build(ws)
    assert result.plan.entries[0].summary.teaser == (
        "First line of the paragraph with bold and a link.")


def test_the_inliner_rewrites_no_widths(make_ws):
    from newsletter.render.html import compile_mjml, inline_css

    result = _build(make_ws(summaries={"a.md": summary_text()}))
    compiled = compile_mjml(result.email.mjml)
    inlined = inline_css(compiled)
    attributes = re.compile(r'\s(width|height|align|bgcolor|valign)="([^"]*)"')
    assert sorted(attributes.findall(inlined)) == sorted(attributes.findall(compiled))


def test_every_block_marker_in_the_templates_names_a_placeholder():
    from newsletter.render.html import PACKAGE_TEMPLATES

    for path in PACKAGE_TEMPLATES.rglob("*.j2"):
        for opening, name in re.findall(r"<!--(/?)nl:(\w+)-->", path.read_text()):
            assert name in placeholders.TOKENS, f"{path.name}: <!--{opening}nl:{name}-->"


def test_generic_build_without_archive_url_can_drop_the_web_version_line(make_ws):
    result = _build(make_ws(summaries={"a.md": summary_text()}))
    html = placeholders.fill(result.email.html, {"web_version_url": None}, is_html=True)
    assert "View this email in your browser" not in html
    assert "%%NL_WEB_VERSION_URL%%" not in html


def test_a_dropped_text_line_leaves_no_double_gap():
    text = "Title\n\nView: %%NL_WEB_VERSION_URL%%\n\nBody\n"
    assert placeholders.fill(text, {"web_version_url": None}, is_html=False) == "Title\n\nBody\n"


def test_a_numbered_list_keeps_its_first_number_in_the_html():
    """The text part numbers from a list's start, so the HTML must too (<ol start>); the
    sanitiser keeps that one attribute of <ol> and nothing else."""
    from newsletter.render.markdown import render, sanitise

    assert render("3. three\n4. four") == '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'
    assert render("0. zero") == '<ol start="0">\n<li>zero</li>\n</ol>'
    assert sanitise('<ol start="2" type="a" onclick="x()" style="color:red"><li>b</li></ol>') == \
        '<ol start="2"><li>b</li></ol>'


def test_only_the_postal_address_keeps_its_line_breaks_in_html() -> None:
    from newsletter.render.placeholders import fill

    document = "%%NL_POSTAL_ADDRESS%%|%%NL_UNSUBSCRIBE_URL%%"
    values = {"postal_address": "1 Main St\nTown", "unsubscribe_url": "https://e.org/u?a=1\n&b"}
    assert fill(document, values, is_html=True) == \
        "1 Main St<br>Town|https://e.org/u?a=1\n&amp;b"
    assert fill(document, values, is_html=False) == "1 Main St\nTown|https://e.org/u?a=1\n&b"
