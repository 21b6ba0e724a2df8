"""The built email in a real browser: Debian's chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import pytest
from helpers import copy_sample

from newsletter.build import build

pytestmark = pytest.mark.browser

# Visible text in the email: (element, its text) for each text node with a box, outside
# display:none (the hidden preheader). Both browser checks below start from it.
VISIBLE_TEXTS_JS = """
const visibleTexts = () => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
    const rect = el.getBoundingClientRect();
    if (!text || rect.width === 0 || rect.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden' || el.closest('[style*="display:none"]')) continue;
    out.push([el, text.slice(0, 40)]);
  }
  return out;
};
"""

SMALL_TEXT_JS = "() => {" + VISIBLE_TEXTS_JS + """
  return visibleTexts().filter(([el]) => parseFloat(getComputedStyle(el).fontSize) < 14)
                       .map(([, text]) => text);
}"""


@pytest.fixture
def page_factory(browser_context):
    def open_page(path, width, scheme="light"):
        context = browser_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        page.route("**/*", lambda route: route.abort()
                   if not route.request.url.startswith("file:") else route.continue_())
        page.goto(path.as_uri())
        return page

    return open_page


@pytest.fixture(scope="module")
def sample_email(tmp_path_factory):
    """The sample issue, built once for the module (the tests only read it)."""
    ws = copy_sample(tmp_path_factory.mktemp("browser") / "sample")
    return build(ws, "2026-05").out_dir / "email.html"


def test_no_horizontal_scrolling_at_375px(page_factory, sample_email):
    page = page_factory(sample_email, 375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    widest = page.evaluate(
        "Math.max(...[...document.body.querySelectorAll('*')].map(e => e.getBoundingClientRect().right))")
    assert widest <= 375.5


def test_desktop_content_is_600px_wide(page_factory, sample_email):
    page = page_factory(sample_email, 1000)
    width = page.evaluate(
        "document.querySelector('div[style*=\"max-width:600px\"]').getBoundingClientRect().width")
    assert width == 600


@pytest.mark.parametrize("width", [375, 800])
def test_visible_text_is_at_least_14px(page_factory, sample_email, width):
    page = page_factory(sample_email, width)
    assert page.evaluate(SMALL_TEXT_JS) == []


CONTRAST_JS = "() => {" + VISIBLE_TEXTS_JS + """
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const [el, text] of visibleTexts()) {
    const fg = lum(rgb(getComputedStyle(el).color).slice(0, 3)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) bad.push(`${ratio.toFixed(2)}: ${text}`);
  }
  return bad;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_4_5(page_factory, sample_email, scheme):
    page = page_factory(sample_email, 800, scheme)
    if scheme == "dark":  # the dark rules really apply
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(18, 20, 23)"
    assert page.evaluate(CONTRAST_JS) == []
