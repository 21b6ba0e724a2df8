"""size: Gmail's clipping limit, its 16 KB style limit and nested @-rules."""

from __future__ import annotations

import pytest
from helpers.checks import context, levels, page, run

from newsletter.checks.rules.size import nested_at_rules


def sized(total: int) -> str:
    """A page of exactly `total` bytes (padding in a paragraph)."""
    base = page("<p></p>")
    padding = total - len(base.encode("utf-8"))
    return page(f"<p>{'x' * padding}</p>")


@pytest.mark.parametrize(("size", "expected"), [
    (89_999, []),
    (90_000, ["warning"]),
    (102_399, ["warning"]),
    (102_400, ["error"]),
])
def test_html_size_thresholds(size: int, expected: list[str]) -> None:
    html = sized(size)
    assert len(html.encode("utf-8")) == size
    assert levels(run("size.html", context(html))) == expected


def test_html_size_counts_bytes_not_characters() -> None:
    html = sized(89_000).replace("x" * 600, "é" * 600, 1)  # 600 more bytes, same length
    assert run("size.html", context(html)) == []
    html = sized(89_900).replace("x" * 600, "é" * 600, 1)
    assert levels(run("size.html", context(html))) == ["warning"]


def test_style_limit_is_on_the_total_of_all_blocks() -> None:
    half = "a{b:c}" * 1_365  # 8,190 bytes
    exact = ("<style>" + "p" * 16_383 + "</style><style>p</style><style></style>")  # 16,384 bytes
    assert run("size.style", context(page(head=exact))) == []
    over = f"<style>{half}</style><style>{half}</style><style>p{{margin:0}}</style>"
    findings = run("size.style", context(page(head=over)))
    assert levels(findings) == ["error"]
    assert "16,384" in findings[0].message


def test_nested_at_rules_are_found_and_top_level_ones_are_not() -> None:
    assert nested_at_rules("@media (max-width:480px){.a{width:100%}}@font-face{font-family:x}") \
        == []
    assert nested_at_rules("@media screen{@font-face{font-family:x}}") == ["@font-face"]
    assert nested_at_rules("@supports (display:grid){@media print{a{b:c}}}") == ["@media"]
    # braces in comments and strings do not count
    assert nested_at_rules('/* @media { @media x { */ a{content:"{@media x{"}') == []


def test_each_style_block_with_a_nested_rule_is_named() -> None:
    head = ("<style>@media x{a{b:c}}</style>"
            "<style>@media screen{@media (min-width:1px){a{b:c}}}</style>")
    findings = run("size.at-rule", context(page(head=head)))
    assert [f.where for f in findings] == ["email.html <style> #2"]


def test_styles_inside_outlook_conditional_comments_are_not_counted() -> None:
    hidden = "<!--[if mso]><style>" + "p{margin:0}" * 2_000 + "</style><![endif]-->"
    assert run("size.style", context(page(head=hidden))) == []


def test_nested_at_rule_edge_cases() -> None:
    # a statement @-rule (no block) inside a block counts; at the top level it does not
    assert nested_at_rules("@import url(a.css);@media x{@import url(b.css);a{b:c}}") == ["@import"]
    assert nested_at_rules("@charset 'utf-8';a{b:c}") == []
    # a plain rule inside @media is fine, an @-rule inside a plain rule's block is reported
    assert nested_at_rules("@media x{a{b:c}d{e:f}}") == []
    assert nested_at_rules("a{@media x{b{c:d}}}") == []
    assert nested_at_rules("@media x{a{b:c}}@media y{d{e:f}}@supports (a:b){@media z{}}") == [
        "@media"]
    # unbalanced closing braces are ignored; single-quoted strings hide their braces too
    assert nested_at_rules("}}@media x{a{b:c}}") == []
    assert nested_at_rules("@media x{a{content:'}'}@media y{}}") == ["@media"]
    assert nested_at_rules('a{content:"\\"{"}@media x{@font-face{f:g}}') == ["@font-face"]
    # a statement last in its block; a comment before a nested rule
    assert nested_at_rules("@media x{@import url(b.css);}") == ["@import"]
    assert nested_at_rules("@supports (a:b){/* note */@media x{a{b:c}}}") == ["@media"]


def test_the_size_findings_word_for_word() -> None:
    fix = ("set max_per_section in the issue file (each section then links to the rest; "
           "`newsletter build` says which value fits), or exclude some summaries")
    style = "<style>" + "p{margin:0}" * 1_500 + "</style>"
    assert [(f.level, f.where, f.message, f.fix) for f in run("size.style", context(page(
        head=style)))] == [
        ("error", "email.html <style>", "the <style> blocks hold 16,500 bytes; Gmail drops styles "
         "over 16,384 bytes (16 KB), and with them the mobile layout",
         "move rules into the templates' inlined styles (partials/styles.css.j2) or remove "
         "unused ones")]
    nested = "<style>@supports (a:b){@media x{a{b:c}}@media y{c{d:e}}}</style>"
    assert [(f.level, f.where, f.message, f.fix) for f in run("size.at-rule", context(page(
        head=nested)))] == [
        ("warning", "email.html <style> #1", "@media nested inside another @-rule; Gmail drops "
         "this whole <style> block", "write each @media/@supports block at the top level of the "
         "style sheet, combining their conditions")]
    assert [f.fix for f in run("size.html", context(sized(102_400)))] == [fix]
