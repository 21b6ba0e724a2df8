"""The desk in Debian's chromium (Playwright): every control, and after each one the issue file on
disk and the email in the page say the same thing (the file is planned again from disk and
compared with the sections, cards, subject and preheader of the email the page shows)."""

from __future__ import annotations

import email
import hashlib
import socket
from collections.abc import Callable, Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from aiosmtpd.controller import Controller

from newsletter.build import prepare
from newsletter.preview.builder import desk_server
from newsletter.preview.server import PreviewServer
from newsletter.workspace import Workspace, open_workspace

pytestmark = pytest.mark.browser

ISSUE = "2026-05"
FEATURED = ["remyelination-drug-visual-signals", "stopping-therapy-after-sixty"]
PROGRESSION = ["upper-limb-function-progressive-ms", "brain-atrophy-ageing-progressive-ms",
               "slowly-expanding-lesions-progression"]
JUNE = "spinal-cord-mri-faster-diagnosis"  # published 2026-06-11: a candidate
PLAIN = "stem-cell-transplant-five-year-outcomes"

# The email the page shows: each h2 with the card titles (h3) under it, the subject (<title>)
# and the body's text (which holds the preheader and the intro).
EMAIL_JS = """() => {
  const d = document.getElementById('email').contentDocument;
  const sections = []; let current = null;
  for (const h of d.querySelectorAll('h2, h3')) {
    if (h.tagName === 'H2') { current = {label: h.textContent.trim(), titles: []}; sections.push(current); }
    else if (current) current.titles.push(h.textContent.trim());
  }
  return {sections: sections.filter(s => s.titles.length).map(s => [s.label, s.titles]),
          subject: d.title, text: d.body.textContent.replace(/\\s+/g, ' '), html: d.body.innerHTML};
}"""
# The page has shown the answer of its last action: no action in flight and the frame holds
# the build the panel shows.
SETTLED_JS = """() => {
  const b = document.body.dataset.build, f = document.getElementById('email');
  const d = f && f.contentDocument;
  return !!b && !document.body.hasAttribute('aria-busy') && !!d && d.readyState === 'complete'
    && d.location.search === '?v=' + b;
}"""


def version_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


class Recorder:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content,
                                                      policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield recorder, port
    controller.stop()


class DeskPage:
    def __init__(self, ws: Workspace, server: PreviewServer, page: Any) -> None:
        self.ws, self.server, self.page = ws, server, page

    def file(self, issue: str = ISSUE) -> Path:
        return self.ws.issues_path / f"{issue}.toml"

    def card(self, summary_id: str, where: str = "#section-list") -> Any:
        return self.page.locator(f'{where} [data-summary-id="{summary_id}"]')

    def button(self, summary_id: str, name: str, where: str = "#section-list") -> Any:
        return self.card(summary_id, where).get_by_role("button", name=name, exact=True)

    def act(self, do: Callable[[], Any], changes_file: bool = True) -> None:
        """Do something in the page and wait until the page shows its result."""
        before = self.page.evaluate("document.body.dataset.build")
        do()
        self.page.wait_for_function("b => document.body.dataset.build !== b", arg=before)
        self.page.wait_for_function(SETTLED_JS)
        if changes_file:
            assert self.page.evaluate("document.body.dataset.version") == version_of(self.file(
                self.page.evaluate("document.body.dataset.issue")))

    def shown(self) -> dict[str, Any]:
        self.page.wait_for_function(SETTLED_JS)
        return self.page.evaluate(EMAIL_JS)

    def agree(self, issue: str = ISSUE) -> dict[str, Any]:
        """The email in the page is the issue file on disk, planned again from scratch."""
        plan = prepare(open_workspace(self.ws.root), issue).plan
        expected = ([["Highlights", [e.summary.title for e in plan.highlights]]]
                    if plan.highlights else [])
        expected += [[s.theme.label, [e.summary.title for e in s.entries]] for s in plan.sections]
        shown = self.shown()
        assert shown["sections"] == expected
        assert shown["subject"] == plan.subject
        assert plan.preheader in shown["text"]
        assert self.page.locator("#status").inner_text().startswith(f"{issue}:")
        return shown

    def title(self, summary_id: str) -> str:
        return self.card(summary_id, "body").first.locator(".card-title").inner_text()


@pytest.fixture
def open_desk(browser_context: Callable[..., Any], desk_ws: Workspace) -> Iterator[Callable[..., DeskPage]]:
    opened: list[tuple[PreviewServer, Any]] = []

    def start(issue: str = ISSUE, read_only: bool = False, live: bool = True,
              smtp_port: int | None = None) -> DeskPage:
        if smtp_port is not None:
            config = desk_ws.root / "newsletter.toml"
            doc = tomlkit.parse(config.read_text(encoding="utf-8"))
            doc["send_test"] = {"recipients": ["editor@example.org"],
                                "smtp": f"127.0.0.1:{smtp_port}"}
            config.write_text(tomlkit.dumps(doc), encoding="utf-8")
        server = desk_server(desk_ws.root, issue, None, None, 0, read_only)
        server.start()
        page = browser_context(viewport={"width": 1400, "height": 1000}).new_page()
        opened.append((server, page))
        if not live:  # no live reload: the page learns of a hand edit only from a 409
            page.route("**/events", lambda route: route.abort())
        page.goto(server.url)
        page.wait_for_function("() => document.body.dataset.build !== undefined")
        page.wait_for_function(SETTLED_JS)
        return DeskPage(desk_ws, server, page)

    yield start
    for server, page in opened:
        page.goto("about:blank")  # its live-reload stream closed before its server stops
        server.stop()


# --- the regions ----------------------------------------------------------------------------


def test_the_regions_and_the_cards(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    page = desk.page
    for name in ("Inbox preview", "Sections", "Candidates", "Checks"):
        assert page.get_by_role("region", name=name).is_visible()
    desk.agree()
    sections = page.get_by_role("region", name="Sections")
    card = desk.card(PROGRESSION[1])
    assert "2026-05-19" in card.inner_text() and "Observational study" in card.inner_text()
    assert "Why here: score" in card.inner_text()
    for name in ("Feature", "Exclude", "Move up", "Move down"):
        assert desk.button(PROGRESSION[1], name).is_visible()
    assert card.get_by_label("Theme").input_value() == "progression"
    assert desk.button(FEATURED[0], "Unfeature").is_visible()
    assert sections.locator("[data-summary-id]").count() == 16
    inbox = page.get_by_role("region", name="Inbox preview")
    assert "MS Research Digest: new research from Ma…" in inbox.inner_text()  # phone: 41
    assert "Subject: 46 characters" in inbox.inner_text()
    assert "Preheader: 95 characters" in inbox.inner_text()
    checks = page.get_by_role("region", name="Checks")
    assert "content.study-type" in checks.inner_text()
    assert "Fix: add study_type" in checks.inner_text()
    gauge = int(float(page.locator("#size-gauge").get_attribute("value") or 0))
    assert gauge == page.evaluate("fetch('/status.json').then(r => r.json())")["html_bytes"]
    candidates = page.get_by_role("region", name="Candidates")
    assert desk.button(JUNE, "Include", "#candidate-list").is_visible()
    assert "11 days after the range" in candidates.inner_text()


def test_the_spam_score_joins_the_checks_when_it_is_in(spamassassin: str,
                                                       open_desk: Callable[..., DeskPage]) -> None:
    """SpamAssassin takes seconds: the other findings show at once, the score follows without a
    reload, and the counts then match `newsletter check`."""
    page = open_desk().page
    checks = page.get_by_role("region", name="Checks")
    checks.locator("li[data-rule='spam.score']").wait_for(timeout=60_000)
    assert "SpamAssassin scores the email" in checks.inner_text()
    assert page.locator("#check-counts").get_attribute("aria-busy") == "false"
    assert "still scoring" not in page.locator("#check-counts").inner_text()


def test_a_finding_points_at_its_card_in_the_email(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    page = desk.page
    title = desk.title("nmosd-b-cell-therapy-infections")
    page.get_by_role("region", name="Checks").get_by_role(
        "button", name=f"Show “{title}” in the email").click()
    pointed = page.frame_locator("#email").locator("[data-desk-pointed]")
    pointed.wait_for()
    assert title in pointed.inner_text()


# --- every control ----------------------------------------------------------------------------


def test_feature_and_unfeature(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    title = desk.title(PLAIN)
    desk.act(lambda: desk.button(PLAIN, "Feature").click())
    assert f'featured = ["{FEATURED[0]}", "{FEATURED[1]}", "{PLAIN}"]' in desk.file().read_text()
    shown = desk.agree()
    assert shown["sections"][0] == ["Highlights", [desk.title(FEATURED[0]),
                                                   desk.title(FEATURED[1]), title]]
    desk.act(lambda: desk.button(FEATURED[0], "Unfeature").click())
    assert f'featured = ["{FEATURED[1]}", "{PLAIN}"]' in desk.file().read_text()
    desk.agree()


def test_exclude_and_restore(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    title = desk.title(PLAIN)
    desk.act(lambda: desk.button(PLAIN, "Exclude").click())
    assert f'exclude = ["{PLAIN}"]' in desk.file().read_text()
    assert title not in desk.agree()["text"]
    assert "excluded from this issue" in desk.card(PLAIN, "#candidate-list").inner_text()
    desk.act(lambda: desk.button(PLAIN, "Restore", "#candidate-list").click())
    assert "exclude" not in desk.file().read_text().split("featured")[1]
    assert title in desk.agree()["text"]


def test_include_a_candidate(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    title = desk.title(JUNE)
    desk.act(lambda: desk.button(JUNE, "Include", "#candidate-list").click())
    assert f'include = ["{JUNE}"]' in desk.file().read_text()
    shown = desk.agree()
    assert next(label for label, titles in shown["sections"] if title in titles) \
        == "Diagnosis & monitoring"
    assert desk.card(JUNE).is_visible()


def test_move_to_another_theme(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    title = desk.title(PLAIN)
    desk.act(lambda: desk.card(PLAIN).get_by_label("Theme").select_option("progression"))
    text = desk.file().read_text()
    assert f'[move]\n{PLAIN} = "progression"' in text or f'"{PLAIN}" = "progression"' in text
    shown = desk.agree()
    assert title in dict((label, titles) for label, titles in shown["sections"])["Progression"]
    assert "moved here by this issue's [move]" in desk.card(PLAIN).inner_text()


def test_reorder_cards_and_sections_by_keyboard(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    page = desk.page
    desk.button(PROGRESSION[0], "Move down").focus()
    desk.act(lambda: page.keyboard.press("Enter"))
    order = [PROGRESSION[1], PROGRESSION[0], PROGRESSION[2]]
    assert f'progression = ["{order[0]}", "{order[1]}", "{order[2]}"]' in desk.file().read_text()
    shown = dict((label, titles) for label, titles in desk.agree()["sections"])
    assert shown["Progression"] == [desk.title(i) for i in order]
    # the focus stays on the moved card's button, so Enter again moves it on
    assert page.evaluate("document.activeElement.dataset.key") == f"{PROGRESSION[0]}:down"
    desk.act(lambda: page.keyboard.press("Enter"))
    assert f'progression = ["{order[0]}", "{order[2]}", "{order[1]}"]' in desk.file().read_text()
    desk.agree()
    page.get_by_role("button", name="Move section up: Living with MS").focus()
    desk.act(lambda: page.keyboard.press("Enter"))
    assert 'theme_order = ["treatments", "progression", "living", "diagnosis", "related", ' \
           '"research"]' in desk.file().read_text()
    labels = [label for label, _ in desk.agree()["sections"]]
    assert labels.index("Living with MS") < labels.index("Diagnosis & monitoring")


def test_highlights_order_and_max_cards_per_section(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    page = desk.page
    desk.act(lambda: desk.button(FEATURED[0], "Move down").click())
    assert f'featured = ["{FEATURED[1]}", "{FEATURED[0]}"]' in desk.file().read_text()
    assert desk.agree()["sections"][0] == ["Highlights", [desk.title(FEATURED[1]),
                                                          desk.title(FEATURED[0])]]
    limit = page.get_by_label("Max cards per section")
    limit.fill("2")
    desk.act(lambda: limit.press("Enter"))
    assert "max_per_section = 2" in desk.file().read_text()
    shown = desk.agree()
    assert all(len(titles) <= 2 for label, titles in shown["sections"] if label != "Highlights")
    assert "1 more in Progression" in shown["text"]
    assert "1 more not shown" in desk.page.locator('.group[data-section="progression"]').inner_text()


def test_reorder_by_drag_and_drop(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    desk.page.set_viewport_size({"width": 1400, "height": 2400})  # both cards in view: no scroll
    desk.act(lambda: desk.card(PROGRESSION[2]).drag_to(
        desk.card(PROGRESSION[0]), target_position={"x": 30, "y": 5}))
    order = [PROGRESSION[2], PROGRESSION[0], PROGRESSION[1]]
    assert f'progression = ["{order[0]}", "{order[1]}", "{order[2]}"]' in desk.file().read_text()
    desk.agree()
    # a card dropped into another section moves there (for this issue only)
    desk.act(lambda: desk.card(PLAIN).drag_to(desk.card(PROGRESSION[1]),
                                              target_position={"x": 30, "y": 5}))
    text = desk.file().read_text()
    assert f'{PLAIN} = "progression"' in text or f'"{PLAIN}" = "progression"' in text
    shown = dict((label, titles) for label, titles in desk.agree()["sections"])
    assert shown["Progression"][:3] == [desk.title(i) for i in (order[0], order[1], PLAIN)]
    # a section dropped above another comes before it
    page = desk.page
    desk.act(lambda: page.locator('.group[data-section="diagnosis"] h3').drag_to(
        page.locator('.group[data-section="progression"] h3'), target_position={"x": 10, "y": 2}))
    labels = [label for label, _ in desk.agree()["sections"]]
    assert labels[:3] == ["Highlights", "Diagnosis & monitoring", "Progression"]
    assert "theme_order = [" in desk.file().read_text()


def test_subject_preheader_and_intro(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    page = desk.page
    subject = page.get_by_label("Subject", exact=True)
    subject.fill("Nerve repair, stopping therapy and home blood tests")
    desk.act(lambda: subject.press("Enter"))
    assert 'subject = "Nerve repair, stopping therapy and home blood tests"' in \
        desk.file().read_text()
    desk.agree()
    assert "Subject: 51 characters" in page.get_by_role("region", name="Inbox preview").inner_text()
    preheader = page.get_by_label("Preheader", exact=True)
    desk.act(lambda: (preheader.fill(""), preheader.press("Enter")))
    assert "preheader =" not in desk.file().read_text()  # computed again at build time
    assert preheader.input_value() == "" and "computed" in (preheader.get_attribute("class") or "")
    assert preheader.get_attribute("placeholder").startswith("16 research summaries on")
    desk.agree()
    intro = page.get_by_label("Intro", exact=True)
    intro.fill("Hello **readers**: three studies on [walking](https://example.org/walk).")
    page.locator("#intro-rendered strong").filter(has_text="readers").wait_for()  # live, unsaved
    assert "Hello" not in desk.file().read_text()
    desk.act(lambda: intro.blur())
    assert 'intro = "Hello **readers**: three studies on [walking](https://example.org/walk)."' \
        in desk.file().read_text()
    shown = desk.agree()
    assert "<strong>readers</strong>" in shown["html"]


def test_undo_and_redo(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    page = desk.page
    original = desk.file().read_bytes()
    desk.act(lambda: desk.button(PLAIN, "Exclude").click())
    excluded = desk.file().read_bytes()
    desk.act(lambda: page.get_by_role("button", name="Undo", exact=True).click())
    assert desk.file().read_bytes() == original
    desk.agree()
    desk.act(lambda: page.get_by_role("button", name="Redo", exact=True).click())
    assert desk.file().read_bytes() == excluded
    desk.agree()
    assert page.get_by_role("button", name="Redo", exact=True).is_disabled()


def test_switch_issue_and_new_issue(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    page = desk.page
    desk.act(lambda: page.get_by_label("Issue", exact=True).select_option("2026-04"),
             changes_file=False)
    assert page.evaluate("document.body.dataset.issue") == "2026-04"
    desk.agree("2026-04")
    page.get_by_label("New issue for").fill("2026-06")
    desk.act(lambda: page.get_by_role("button", name="New issue").click())
    assert desk.file("2026-06").is_file()
    assert page.get_by_label("Issue", exact=True).input_value() == "2026-06"
    desk.agree("2026-06")
    assert "June 2026" in desk.shown()["text"]


def test_export(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    page = desk.page
    page.get_by_label("Service").select_option("eml")
    page.get_by_role("button", name="Export", exact=True).click()
    result = page.locator("#export-result")
    result.filter(has_text="Wrote").wait_for()
    path = desk.ws.root / result.locator("code").first.inner_text()
    assert path.is_file() and path.name.endswith(".eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == desk.agree()["subject"]


def test_send_test(open_desk: Callable[..., DeskPage], smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    desk = open_desk(smtp_port=port)
    page = desk.page
    assert f"127.0.0.1:{port}" in page.get_by_role("region", name="Send test").inner_text()
    page.get_by_role("button", name="Send test", exact=True).click()
    page.locator("#send-result").filter(has_text="Sent").wait_for()
    (message,) = recorder.messages
    assert message["Subject"] == "[TEST] " + desk.agree()["subject"]
    assert message["To"] == "editor@example.org"


def test_read_only_shows_everything_but_the_controls(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk(read_only=True)
    page = desk.page
    for name in ("Inbox preview", "Sections", "Candidates", "Checks"):
        assert page.get_by_role("region", name=name).is_visible()
    assert page.locator("#section-list [data-summary-id]").count() == 16
    for name in ("Feature", "Unfeature", "Exclude", "Restore", "Include", "Move up", "Move down",
                 "Undo", "Redo", "New issue", "Send test", "Export"):
        assert page.get_by_role("button", name=name, exact=True).count() == 0, name
    for label in ("Subject", "Preheader", "Intro", "Theme"):
        assert page.get_by_label(label, exact=True).count() == 0, label
    assert "Welcome to the May issue" in page.locator("#intro-view").inner_text()
    before = desk.file().read_bytes()
    status = page.evaluate("""() => fetch('/api/edit', {method: 'POST', headers: {
        'Content-Type': 'application/json',
        'X-Newsletter-Token': document.querySelector('meta[name=newsletter-token]').content},
        body: JSON.stringify({version: document.body.dataset.version,
                              ops: [{op: 'exclude', id: '""" + PLAIN + """'}]})}).then(r => r.status)""")
    assert status == 403 and desk.file().read_bytes() == before
    desk.agree()


# --- a hand edit is never lost ----------------------------------------------------------------


def test_a_hand_edit_is_never_lost(open_desk: Callable[..., DeskPage]) -> None:
    """The page does not know of the hand edit (no live reload): its next change is a 409,
    nothing is written, and it shows the file as it now is."""
    desk = open_desk(live=False)
    page = desk.page
    hand = desk.file().read_text() + f'\n# typed by hand\nexclude = ["{PLAIN}"]\n'
    desk.file().write_text(hand)
    desk.act(lambda: desk.button(PROGRESSION[0], "Feature").click(), changes_file=False)
    assert desk.file().read_text() == hand
    assert "Not saved" in page.locator("#notice").inner_text()
    assert page.evaluate("document.body.dataset.version") == version_of(desk.file())
    assert desk.card(PLAIN, "#candidate-list").is_visible()
    assert desk.title(PLAIN) not in desk.agree()["text"]


def test_a_hand_edit_reloads_the_open_page(open_desk: Callable[..., DeskPage]) -> None:
    desk = open_desk()
    desk.act(lambda: desk.file().write_text(
        desk.file().read_text().replace("MS Research Digest: new research from May 2026",
                                        "Typed by hand")), changes_file=True)
    assert desk.agree()["subject"] == "Typed by hand"
    assert desk.page.get_by_label("Subject", exact=True).input_value() == "Typed by hand"
