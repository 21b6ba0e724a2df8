"""The preview server: unit tests of its parts, and the whole page in a real browser."""

from __future__ import annotations

import http.client
import re
import socket

import pytest

from newsletter.preview.builder import make_builder, watch_paths
from newsletter.preview.server import PreviewError, PreviewServer, Snapshot, error_page, force_dark

DISCLAIMER_START = "These summaries are AI-generated"


def raw_get(url: str, path: str) -> tuple[int, str]:
    """A request with the path exactly as given (no client-side normalisation of '..')."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read().decode()


@pytest.fixture
def server(sample_ws):
    srv = PreviewServer(make_builder(sample_ws.root, "2026-05", None, None),
                        watch_paths(sample_ws), port=0)
    srv.start()
    yield srv
    srv.stop()


def test_force_dark_applies_the_dark_rules_unconditionally():
    doc = ("<html><head><style>@media (prefers-color-scheme: dark){.a{color:#fff !important}"
           "@supports (x:y){.b{color:red}}}</style></head><body></body></html>")
    out = force_dark(doc)
    assert out.endswith("<style>:root{color-scheme:dark}.a{color:#fff !important}"
                        "@supports (x:y){.b{color:red}}</style></head><body></body></html>")
    assert force_dark("<html><head></head></html>") == "<html><head></head></html>"


def test_error_page_escapes():
    assert "&lt;b&gt;" in error_page(["<b>bad</b>"])


def test_only_own_routes_are_served(server):
    assert server.url.startswith("http://127.0.0.1:")
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/summaries/",
                 "/newsletter.toml", "/email.html/../../newsletter.toml"):
        status, _ = raw_get(server.url, path)
        assert status == 404, path
    status, body = raw_get(server.url, "/email.html")
    assert status == 200 and "<mjml" not in body and "Highlights" in body
    status, body = raw_get(server.url, "/status.json")
    assert status == 200 and '"html_bytes"' in body and '"count": 16' in body


def test_busy_port_is_a_clear_error(sample_ws):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PreviewError, match=f"port {port} on 127.0.0.1 is already in use"):
            PreviewServer(lambda changed: Snapshot(ok=True), [], port=port)


def test_builder_reports_errors_instead_of_raising(sample_ws):
    (sample_ws.summaries_path / "2026" / "05" / "broken.md").write_text("---\ntitle: [x\n---\n")
    snapshot = make_builder(sample_ws.root, "2026-05", None, None)(None)
    assert not snapshot.ok
    assert any("broken.md" in e for e in snapshot.errors)


@pytest.fixture
def browser_page(browser_context, server):
    page = browser_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(server.url)
    return page


def _email_frame(page, document="/email.html"):
    """The email's frame once the wanted document (not the previous one) has loaded."""
    page.wait_for_function(
        "name => { const d = document.getElementById('email').contentDocument;"
        " return d && d.readyState === 'complete' && d.location.pathname === name; }",
        arg=document)
    return page.frame_locator("#email")


@pytest.mark.browser
def test_mobile_view_has_no_horizontal_overflow(browser_page):
    page = browser_page
    _email_frame(page).locator("h1").wait_for()
    page.click("button[data-view=mobile]")
    page.wait_for_function("() => document.getElementById('email').className === 'mobile'")
    frame = _email_frame(page)
    frame.locator("h1").wait_for()
    widths = frame.locator("html").evaluate(
        "el => [el.scrollWidth, el.clientWidth, document.defaultView.innerWidth]")
    assert widths[2] == 375
    assert widths[0] <= 375


@pytest.mark.browser
def test_plain_text_view_shows_the_disclaimer(browser_page):
    page = browser_page
    page.click("button[data-view=text]")
    page.locator("#text").filter(has_text=DISCLAIMER_START).wait_for(timeout=3000)
    assert "ABOUT THESE SUMMARIES" in page.locator("#text").inner_text()


@pytest.mark.browser
def test_dark_and_source_views(browser_page):
    page = browser_page
    page.click("button[data-view=dark]")
    frame = _email_frame(page, "/email-dark.html")
    frame.locator("h1").wait_for()
    background = frame.locator(".nl-s").first.evaluate(
        "el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(27, 30, 35)"
    page.click("button[data-view=source]")
    page.locator("#source-mjml").filter(has_text="<mjml").wait_for(timeout=3000)
    assert "<!doctype html>" in page.locator("#source-html").inner_text().lower()


@pytest.mark.browser
def test_status_line(browser_page):
    status = browser_page.locator("#status")
    status.filter(has_text="of Gmail's 102 KB limit").wait_for(timeout=3000)
    text = status.inner_text()
    assert re.search(r"2026-05: \d+\.\d KB of Gmail's 102 KB limit", text)
    assert "16 summaries: Highlights 2 · Treatments & therapies 1" in text


@pytest.mark.browser
def test_live_reload_of_an_edited_title_within_two_seconds(browser_page, sample_ws):
    page = browser_page
    _email_frame(page).locator("h1").wait_for()
    path = sample_ws.summaries_path / "2026" / "05" / "ms-risk-genes-b-cells.md"
    text = path.read_text()
    old_title = re.search(r"^title: (.*)$", text, re.M).group(1)
    path.write_text(text.replace(old_title, "A freshly edited title for the live reload test"))
    _email_frame(page).get_by_text("A freshly edited title for the live reload test").wait_for(
        timeout=2000)


@pytest.mark.browser
def test_broken_front_matter_shows_errors_then_recovers(browser_page, sample_ws):
    page = browser_page
    _email_frame(page).locator("h1").wait_for()
    path = sample_ws.summaries_path / "2026" / "05" / "ms-risk-genes-b-cells.md"
    good = path.read_text()
    path.write_text(good.replace("published: ", "published: [unclosed ", 1))
    errors = page.locator("#errors")
    errors.filter(has_text="ms-risk-genes-b-cells.md").wait_for(timeout=2000)
    assert "invalid YAML" in errors.inner_text()
    assert page.locator("#email").is_hidden()
    path.write_text(good)
    page.locator("#errors").wait_for(state="hidden", timeout=2000)
    _email_frame(page).locator("h1").wait_for(timeout=2000)
    assert page.locator("#email").is_visible()
