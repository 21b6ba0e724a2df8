"""Every check has a passing fixture and a failing fixture.

Each rule id maps to two builders of a CheckContext (pass, fail) and the level the failing one
must report. A test also makes sure no registered check is missing from the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import WorkspaceFactory
from helpers.checks import (
    ADDRESS,
    DISCLAIMER_HTML,
    FOOTER_HTML,
    UNSUBSCRIBE,
    cards_html,
    cards_text,
    config,
    context,
    levels,
    page,
    run,
    summaries,
    text,
)
from helpers.linkserver import http_server, silent_port

from newsletter.build import prepare
from newsletter.checks.model import CheckContext
from newsletter.checks.registry import RULES
from newsletter.config.schema import DEFAULT_DISCLAIMER
from newsletter.issue.plan import Plan

PlanFor = Callable[..., Plan]
Builder = Callable[[PlanFor], CheckContext]


@pytest.fixture
def plan_for(tmp_path: Path) -> PlanFor:
    """A plan of May 2026 from `summaries(**overrides)` in a fresh workspace."""
    made = []

    def make(**overrides: dict[str, str | None]) -> Plan:
        factory = WorkspaceFactory(tmp_path / f"ws{len(made)}")
        ws = factory(summaries=summaries(**overrides))
        made.append(ws)
        return prepare(ws, None, date(2026, 5, 1), date(2026, 5, 31)).plan

    return make


def with_plan(html_utm: bool = True, text_utm: bool = True, drop_text_urls: bool = False,
              **overrides: dict[str, str | None]) -> Builder:
    def build(plan_for: PlanFor) -> CheckContext:
        plan, cfg = plan_for(**overrides), config()
        txt = "" if drop_text_urls else cards_text(plan, utm=text_utm)
        return context(page(cards_html(plan, utm=html_utm)), text(txt), cfg, plan)
    return build


def plain(html: str | None = None, txt: str | None = None, **kwargs: object) -> Builder:
    return lambda _plan_for: context(html, txt, **kwargs)  # type: ignore[arg-type]


LINK_SERVER: list[str] = []  # the base URL of the module's links.online server, while it runs


@pytest.fixture(scope="module", autouse=True)
def link_server_for_cases() -> Iterator[None]:
    with http_server() as base:
        LINK_SERVER.append(base)
        yield
        LINK_SERVER.clear()


def closed_port() -> str:
    with silent_port() as url:
        return url  # closed on return: connections are refused


def online(content: str) -> Builder:
    def build(_plan_for: PlanFor) -> CheckContext:
        ctx = context(page(content.format(base=LINK_SERVER[0], closed=closed_port()), footer=""))
        ctx.online = True
        return ctx
    return build


GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
SUPPORTED = "<html><body><p style='color:#123456;background-color:#ffffff'>Fine</p></body></html>"
APPLE = '[checks]\nclients = ["apple-mail-ios", "apple-mail-macos"]\n'
OUTLOOK = '[checks]\nclients = ["outlook-windows"]\n'
HIDDEN_DISCLAIMER = f'<div style="max-height:0;overflow:hidden">{DISCLAIMER_HTML}</div>'
IMG = '<img src="https://example.org/a.png" alt="A chart" width="552">'
LONG = "word " * 15  # 74 characters once stripped

CASES: dict[str, tuple[Builder, Builder, str]] = {
    "size.html": (plain(), plain(page("x" * 102_400)), "error"),
    "size.style": (plain(page(head="<style>p{margin:0}</style>")),
                   plain(page(head="<style>" + "p{margin:0}" * 1_500 + "</style>")), "error"),
    "size.at-rule": (plain(page(head="<style>@media (max-width:480px){.a{width:100%}}</style>")),
                     plain(page(head="<style>@supports (display:grid){@media (max-width:480px)"
                                     "{.a{width:100%}}}</style>")), "warning"),
    "disclaimer.html": (plain(), plain(page(disclaimer=HIDDEN_DISCLAIMER)), "error"),
    "disclaimer.text": (plain(), plain(txt=text(disclaimer="")), "error"),
    "compliance.unsubscribe": (plain(), plain(page(footer=f"<p>{ADDRESS}</p>")), "error"),
    "compliance.postal-address": (
        plain(), plain(page(footer=f'<p><a href="{UNSUBSCRIBE}">Unsubscribe</a></p>')), "error"),
    "compliance.preheader": (plain(), plain(page(preheader="")), "warning"),
    "compliance.subject": (plain(), plain(page(title="")), "error"),
    "compliance.placeholders": (
        plain(service="mailchimp"),
        plain(page('<p><a href="%%NL_WEB_VERSION_URL%%">View in browser</a></p>'),
              service="mailchimp"), "error"),
    "links.href": (plain(page('<p><a href="https://example.org/a">A</a></p>')),
                   plain(page('<p><a href="javascript:alert(1)">A</a></p>')), "error"),
    "links.utm": (with_plan(), with_plan(html_utm=False), "warning"),
    "links.online": (online("<a href='{base}/ok'>A</a>"), online("<a href='{base}/missing'>A</a>"
                                                                 "<a href='{closed}/b'>B</a>"),
                     "error"),
    "images.alt": (plain(page(IMG)), plain(page(IMG.replace(' alt="A chart"', ""))), "error"),
    "images.src": (plain(page(IMG)), plain(page(IMG.replace("https://", ""))), "error"),
    "images.width": (plain(page(IMG)), plain(page(IMG.replace(' width="552"', ""))), "warning"),
    "accessibility.lang": (plain(), plain(page(lang="")), "error"),
    "accessibility.tables": (plain(), plain(page("<table><tr><td>Cell</td></tr></table>")),
                             "warning"),
    "accessibility.headings": (plain(page("<h1>A</h1><h2>B</h2><h3>C</h3><h2>D</h2>")),
                               plain(page("<h1>A</h1><h3>C</h3>")), "warning"),
    "accessibility.contrast": (plain(page('<p style="color:#4a5563">Muted</p>')),
                               plain(page('<p style="color:#999999">Too light</p>')), "error"),
    "accessibility.font-size": (plain(page('<p style="font-size:14px">Small print</p>')),
                                plain(page('<p style="font-size:12px">Small print</p>')),
                                "error"),
    "content.hype": (with_plan(walking={"title": "Less breakthrough pain after walking"}),
                     with_plan(walking={"title": "A breakthrough for fatigue"}), "warning"),
    "content.study-type": (with_plan(), with_plan(walking={"study_type": None}), "warning"),
    "content.single-item": (with_plan(), with_plan(sleep={"themes": "[research]"}), "info"),
    "plaintext.present": (plain(), plain(txt=""), "error"),
    "plaintext.urls": (with_plan(), with_plan(drop_text_urls=True), "error"),
    "plaintext.line-length": (plain(txt=text(LONG.strip())), plain(txt=text(LONG * 2)),
                              "warning"),
    "compat.clients": (plain(SUPPORTED, cfg=config(APPLE)),
                       plain(page('<div style="display:flex">x</div>'), cfg=config(OUTLOOK)),
                       "info"),
    "spam.score": (plain(), plain(page(f"<p>{GTUBE}</p>"), text(GTUBE)), "error"),
}
# Rules that always report one finding, at the level of what they measure: their passing
# fixture gives one info finding (the spam score of a clean message).
ALWAYS_REPORTS = {"spam.score"}
NEEDS_SPAMASSASSIN = {"spam.score"}


def test_every_registered_check_has_both_fixtures() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_passing_fixture_has_no_finding(rule_id: str, plan_for: PlanFor,
                                       request: pytest.FixtureRequest) -> None:
    if rule_id in NEEDS_SPAMASSASSIN:
        request.getfixturevalue("spamassassin")
    passing, _failing, _level = CASES[rule_id]
    found = run(rule_id, passing(plan_for))
    assert levels(found) == (["info"] if rule_id in ALWAYS_REPORTS else []), found


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_failing_fixture_is_reported(rule_id: str, plan_for: PlanFor,
                                     request: pytest.FixtureRequest) -> None:
    if rule_id in NEEDS_SPAMASSASSIN:
        request.getfixturevalue("spamassassin")
    _passing, failing, level = CASES[rule_id]
    findings = run(rule_id, failing(plan_for))
    assert findings, f"{rule_id} found nothing in its failing fixture"
    assert level in levels(findings)
    for finding in findings:
        assert finding.check == rule_id
        assert finding.where and finding.message and finding.fix


def test_the_text_helper_keeps_the_disclaimer() -> None:
    assert DEFAULT_DISCLAIMER.split()[0] in text()
    assert FOOTER_HTML in page()
