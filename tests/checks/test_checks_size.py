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
    exact = "<style>" + "p" * 16_383 + "</style><style>p</style>"  # 16,384 bytes: not over
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
