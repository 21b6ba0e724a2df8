"""plaintext: present, links every summary, wrapped at 78 characters outside URLs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers import WorkspaceFactory
from helpers.checks import cards_text, config, context, levels, run, summaries, text

from newsletter.build import prepare


def test_whitespace_only_text_is_missing() -> None:
    assert levels(run("plaintext.present", context(txt=" \n\n "))) == ["error"]


def test_line_length_limit_is_78_outside_urls() -> None:
    assert run("plaintext.line-length", context(txt=text("x" * 78))) == []
    url_line = "Read more: https://example.org/" + "a" * 100
    mail_line = "Write to us: mailto:" + "b" * 80 + "@example.org"
    assert run("plaintext.line-length", context(txt=text(f"{url_line}\n{mail_line}"))) == []
    findings = run("plaintext.line-length", context(txt=text("y" * 79 + "\n" + "z" * 90)))
    assert levels(findings) == ["warning"]
    assert findings[0].where == "email.txt:3" and "(2 lines" in findings[0].message


def test_summary_urls_without_utm_still_count_as_present(tmp_path: Path) -> None:
    ws = WorkspaceFactory(tmp_path / "ws")(summaries=summaries())
    plan = prepare(ws, None, date(2026, 5, 1), date(2026, 5, 31)).plan
    cfg = config()
    assert run("plaintext.urls", context(txt=text(cards_text(plan, utm=False)), cfg=cfg,
                                         plan=plan)) == []
    partial = text(cards_text(plan).replace("/s/walking", "/s/other"))
    findings = run("plaintext.urls", context(txt=partial, cfg=cfg, plan=plan))
    assert [f.where for f in findings] == ["email.txt card of summaries/2026/05/walking.md"]
