"""disclaimer: present in both parts and visible in the HTML."""

from __future__ import annotations

import dataclasses

import pytest
from helpers.checks import DISCLAIMER_HTML, config, context, levels, page, run, text

from newsletter.config.schema import DEFAULT_DISCLAIMER


@pytest.mark.parametrize("wrapper", [
    '<div style="display:none">{}</div>',
    '<div style="DISPLAY: None !important">{}</div>',
    '<div style="visibility:hidden">{}</div>',
    '<div style="max-height:0px;overflow:hidden">{}</div>',
    '<div style="opacity:0">{}</div>',
    '<div hidden>{}</div>',
    '<table role="presentation" style="display:none"><tr><td><div>{}</div></td></tr></table>',
])
def test_a_hidden_disclaimer_is_an_error(wrapper: str) -> None:
    html = page(disclaimer=wrapper.format(DISCLAIMER_HTML))
    findings = run("disclaimer.html", context(html))
    assert levels(findings) == ["error"]
    assert "hidden" in findings[0].message


def test_max_height_without_overflow_hidden_still_shows() -> None:
    html = page(disclaimer=f'<div style="max-height:0">{DISCLAIMER_HTML}</div>')
    assert run("disclaimer.html", context(html)) == []


def test_missing_disclaimer_is_an_error_in_each_part() -> None:
    assert "missing" in run("disclaimer.html", context(page(disclaimer="")))[0].message
    assert levels(run("disclaimer.text", context(txt=text(disclaimer="")))) == ["error"]


def test_a_visible_copy_is_enough_when_another_is_hidden() -> None:
    html = page(disclaimer=f'<div style="display:none">{DISCLAIMER_HTML}</div>{DISCLAIMER_HTML}')
    assert run("disclaimer.html", context(html)) == []


def test_the_configured_wording_is_the_one_looked_for() -> None:
    cfg = config('[disclaimer]\ntext = "Summaries, not advice: ask your MS team."\n')
    ours = page(disclaimer="<p>Summaries, not advice:\n ask your MS team.</p>")
    assert run("disclaimer.html", context(ours, text("Summaries, not advice: ask your MS team.",
                                                     disclaimer=""), cfg)) == []
    assert levels(run("disclaimer.html", context(page(), cfg=cfg))) == ["error"]
    assert levels(run("disclaimer.text", context(cfg=cfg))) == ["error"]


def test_a_disclaimer_wrapped_over_lines_in_text_is_found() -> None:
    wrapped = text()
    assert DEFAULT_DISCLAIMER not in wrapped  # it is wrapped at 78 characters
    assert run("disclaimer.text", context(txt=wrapped)) == []


@pytest.mark.parametrize(("wrapper", "reason"), [
    ('<div style="display:none">{}</div>', '<div style="display:none">'),
    ('<section hidden>{}</section>', "<section hidden>"),
    ('<table role="presentation" style="opacity:0"><tr><td><div>{}</div></td></tr></table>',
     '<table style="opacity:0">'),
])
def test_the_message_names_the_hiding_element(wrapper: str, reason: str) -> None:
    findings = run("disclaimer.html", context(page(disclaimer=wrapper.format(DISCLAIMER_HTML))))
    assert [(f.where, f.message, f.fix) for f in findings] == [(
        "email.html", f"the disclaimer is in the HTML but hidden from readers (inside {reason})",
        "remove display:none / visibility:hidden / max-height:0 / hidden from the disclaimer "
        "block and the elements around it in the templates")]


def test_a_disclaimer_spread_over_inline_elements_is_found() -> None:
    words = DEFAULT_DISCLAIMER.split(" ")
    spread = f"<p>{' '.join(words[:3])} <b>{' '.join(words[3:6])}</b> {' '.join(words[6:])}</p>"
    assert run("disclaimer.html", context(page(disclaimer=spread))) == []
    hidden = f'<div style="display:none">{spread}</div>'
    findings = run("disclaimer.html", context(page(disclaimer=hidden)))
    assert [f.message for f in findings] == [
        'the disclaimer is in the HTML but hidden from readers (inside <div style="display:none">)']


def test_the_missing_messages_and_fix() -> None:
    keep = ("keep {% include \"partials/disclaimer.mjml.j2\" %} in email.mjml.j2 (and the "
            "disclaimer block in email.txt.j2); change the wording in newsletter.toml "
            "[disclaimer] text, not by removing it")
    html = run("disclaimer.html", context(page(disclaimer="")))
    assert [(f.level, f.where, f.message, f.fix) for f in html] == [
        ("error", "email.html", "the disclaimer ([disclaimer] text) is missing", keep)]
    txt = run("disclaimer.text", context(txt=text(disclaimer="")))
    assert [(f.level, f.where, f.message, f.fix) for f in txt] == [
        ("error", "email.txt", "the disclaimer ([disclaimer] text) is missing from the plain text",
         keep)]


def test_an_empty_disclaimer_checks_nothing() -> None:
    """newsletter.toml refuses an empty text; a Config made in code may still have one."""
    base = config()
    cfg = dataclasses.replace(base, disclaimer=dataclasses.replace(base.disclaimer, text=""))
    assert run("disclaimer.html", context(page(disclaimer=""), cfg=cfg)) == []
    assert run("disclaimer.text", context(txt=text(disclaimer=""), cfg=cfg)) == []
def test_builds_remember_a_passed_disclaimer_but_never_a_dropped_one(make_ws, monkeypatch):
    from helpers import summary_text

    from newsletter.build import build
    from newsletter.checks.rules import disclaimer
    from newsletter.errors import TemplateError

    ws = make_ws(summaries={"a.md": summary_text()})
    build(ws, "2026-05", write=False)
    runs = []
    original = disclaimer.in_html
    monkeypatch.setattr(disclaimer, "in_html", lambda ctx: runs.append(1) or original(ctx))
    build(ws, "2026-05", write=False)
    assert runs == []  # the same email passed before: the rules are not run again
    (ws.root / "templates" / "partials").mkdir(parents=True)
    (ws.root / "templates" / "partials" / "disclaimer.mjml.j2").write_text("")
    with pytest.raises(TemplateError, match="disclaimer is missing"):
        build(ws, "2026-05", write=False)
    assert runs == [1]


def test_a_one_word_disclaimer_is_found() -> None:
    cfg = config('[disclaimer]\ntext = "Unreviewed."\n')
    assert run("disclaimer.html", context(page(disclaimer="<p>Unreviewed.</p>"),
                                          text("Unreviewed.", disclaimer=""), cfg)) == []
    assert levels(run("disclaimer.html", context(page(disclaimer=""), cfg=cfg))) == ["error"]


def test_its_first_word_shown_elsewhere_does_not_make_a_hidden_disclaimer_visible() -> None:
    first = DEFAULT_DISCLAIMER.split()[0]
    html = page(disclaimer=f'<p>{first} and more, in view.</p>'
                           f'<div style="display:none">{DISCLAIMER_HTML}</div>')
    findings = run("disclaimer.html", context(html))
    assert [f.message for f in findings] == [
        'the disclaimer is in the HTML but hidden from readers (inside <div style="display:none">)']


def test_a_visible_copy_around_a_hidden_one_is_enough() -> None:
    html = page(disclaimer=f'<div style="font-size:14px">{DEFAULT_DISCLAIMER} '
                           f'<span style="display:none">{DEFAULT_DISCLAIMER}</span></div>')
    assert run("disclaimer.html", context(html)) == []
