"""accessibility: lang, layout tables, heading order, contrast and font size from inline styles."""

from __future__ import annotations

import pytest
from helpers.checks import config, context, levels, page, run

from newsletter.checks.dom import contrast, parse_colour


def test_lang_must_match_the_workspace_language() -> None:
    assert run("accessibility.lang", context(page(lang='lang="en-GB"'))) == []
    findings = run("accessibility.lang", context(page(lang='lang="de"')))
    assert levels(findings) == ["warning"] and "'de'" in findings[0].message
    assert run("accessibility.lang", context(page(lang='lang="de"'), cfg=config(
        'language = "de"\n'))) == []


def test_data_tables_need_no_presentation_role() -> None:
    data = "<table><caption>Doses</caption><tr><th>Dose</th></tr><tr><td>1</td></tr></table>"
    assert run("accessibility.tables", context(page(data))) == []
    assert run("accessibility.tables", context(page('<table role="none"><tr><td>x</td></tr>'
                                                    "</table>"))) == []


def test_layout_tables_are_counted_in_one_finding() -> None:
    tables = "<table><tr><td>a</td></tr></table>" * 3
    findings = run("accessibility.tables", context(page(tables)))
    assert len(findings) == 1 and findings[0].message.startswith("3 layout tables")


def test_heading_order() -> None:
    assert run("accessibility.headings", context(page("<h2>A</h2><h3>B</h3><h2>C</h2>"))) == []
    hidden = '<h1>A</h1><h3 style="display:none">B</h3><h2>C</h2>'
    assert run("accessibility.headings", context(page(hidden))) == []
    findings = run("accessibility.headings", context(page("<h1>A</h1><h2>B</h2><h4>C</h4>")))
    assert [f.where for f in findings] == ['email.html <h4> "C"']
    assert "level 3 is skipped" in findings[0].message


@pytest.mark.parametrize(("value", "rgba"), [
    ("#fff", (255, 255, 255, 1.0)), ("#1F4E79", (31, 78, 121, 1.0)),
    ("rgb(0, 0, 0)", (0, 0, 0, 1.0)), ("rgba(0,0,0,0.5)", (0, 0, 0, 0.5)),
    ("White", (255, 255, 255, 1.0)), ("transparent", (0, 0, 0, 0.0)),
    ("#f6f7f9 url(x.png) no-repeat", (246, 247, 249, 1.0)), ("inherit", None), ("", None),
])
def test_parse_colour(value: str, rgba: tuple | None) -> None:
    assert parse_colour(value) == rgba


def test_contrast_ratio_matches_wcag() -> None:
    black, white = parse_colour("#000"), parse_colour("#fff")
    assert contrast(black, white) == pytest.approx(21.0)
    assert contrast(parse_colour("#777777"), white) == pytest.approx(4.48, abs=0.01)


def p(style: str, content: str = "Some text") -> str:
    return f'<p style="{style}">{content}</p>'


@pytest.mark.parametrize(("html", "failing"), [
    (p("color:#777777"), True),  # 4.48:1 on white
    (p("color:#767676"), False),  # 4.54:1 on white
    (f'<div style="background:#1f4e79">{p("color:#ffffff")}</div>', False),
    (f'<div style="background:#1f4e79">{p("color:#4a5563")}</div>', True),
    (f'<table role="presentation" bgcolor="#000000"><tr><td>{p("color:#333")}</td></tr></table>',
     True),
    (f'<div style="background-color:#000">{p("background:transparent;color:#fff")}</div>', False),
    (p("color:rgba(29,36,48,0.3)"), True),  # translucent text blends into the background
    ('<p>Inherits <span style="color:#aaa">light</span></p>', True),
    (f'<div style="display:none">{p("color:#fff")}</div>', False),  # hidden: not read
    ('<td style="font-size:0px;color:#fff"><p style="color:#000">x</p></td>', False),
])
def test_contrast_from_inline_styles(html: str, failing: bool) -> None:
    findings = run("accessibility.contrast", context(page(html)))
    assert levels(findings) == (["error"] if failing else [])


def test_contrast_findings_group_identical_colours() -> None:
    findings = run("accessibility.contrast", context(page(p("color:#999") * 3)))
    assert len(findings) == 1 and "(3 elements)" in findings[0].message
    assert "#999999 on #ffffff" in findings[0].message


@pytest.mark.parametrize(("html", "small"), [
    (p("font-size:14px"), False),
    (p("font-size:13px"), True),
    (p("font-size:10pt"), True),  # 13.3px
    (p("font-size:11pt"), False),  # 14.7px
    (f'<div style="font-size:16px">{p("font-size:0.75em")}</div>', True),
    (f'<div style="font-size:20px">{p("font-size:75%")}</div>', False),
    (p("font-size:small"), True),
    ('<p><font size="1">fine print</font></p>', True),
    ('<p>Body <small>small print</small></p>', True),
    ('<td style="font-size:0px"><div style="font-size:16px">x</div></td>', False),
    ('<td style="font-size:0px">&#8202;</td>', False),  # MJML spacer: no text of its own
    (f'<div style="display:none;font-size:1px">{p("font-size:1px")}</div>', False),
])
def test_font_sizes(html: str, small: bool) -> None:
    assert levels(run("accessibility.font-size", context(page(html)))) == (
        ["error"] if small else [])
