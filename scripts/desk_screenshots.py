"""Screenshots of the editorial desk (`newsletter preview`) in headless Chromium (Debian's,
driven by Playwright), for the README.

Copies this repository's sample workspace into a temporary folder (the desk writes to its issue
file), starts the desk on issue 2026-05 and writes docs/desk.png (the whole desk),
docs/desk-sections.png (the Sections region), docs/desk-checks.png (Checks, Send test and Export,
after an export) and docs/desk-read-only.png (what a reviewer sees). Run with `make screenshots`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter.preview.builder import desk_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SETTLED_JS = """() => {
  const b = document.body.dataset.build, d = document.getElementById('email').contentDocument;
  return !!b && !document.body.hasAttribute('aria-busy') && !!d && d.readyState === 'complete'
    && d.location.search === '?v=' + b;
}"""


def workspace(tmp: Path) -> Path:
    root = tmp / "sample"
    root.mkdir()
    shutil.copy(ROOT / "newsletter.toml", root / "newsletter.toml")
    for folder in ("summaries", "issues"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def shoot(page: Any, target: Path, top: Any = None, bottom: Any = None) -> None:
    """The viewport, or the panel from the top of one element to the bottom of another."""
    if top is None:
        page.screenshot(path=str(target))
    else:
        first, last = top.bounding_box(), (bottom or top).bounding_box()
        height = min(last["y"] + last["height"] - first["y"] + 40, 1150,
                     page.viewport_size["height"] - first["y"])
        page.screenshot(path=str(target), clip={"x": first["x"] - 8, "y": first["y"],
                                                "width": first["width"] + 16, "height": height})
    print(f"wrote {target.relative_to(ROOT)}")


def main() -> None:
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = workspace(Path(tmp))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for read_only in (False, True):
                server = desk_server(root, "2026-05", None, None, 0, read_only)
                server.start()
                try:
                    page = browser.new_page(viewport={"width": 1440, "height": 900},
                                            device_scale_factor=1)
                    page.goto(server.url)
                    page.locator("#section-list [data-summary-id]").first.wait_for()
                    page.wait_for_function(SETTLED_JS)
                    if read_only:
                        shoot(page, docs / "desk-read-only.png")
                        continue
                    shoot(page, docs / "desk.png")
                    page.set_viewport_size({"width": 1440, "height": 7000})  # no inner scrolling
                    page.wait_for_function(SETTLED_JS)
                    shoot(page, docs / "desk-sections.png",
                          page.get_by_role("region", name="Sections"))
                    page.set_viewport_size({"width": 1440, "height": 1300})
                    page.get_by_label("Service").select_option("mailchimp")
                    page.get_by_role("button", name="Export", exact=True).click()
                    page.locator("#export-result").filter(has_text="Wrote").wait_for()
                    # the SpamAssassin score joins the checks in the background: wait for it
                    page.locator("#finding-list li[data-rule='spam.score']").wait_for(
                        timeout=60_000)
                    page.evaluate("document.getElementById('h-checks').scrollIntoView()")
                    shoot(page, docs / "desk-checks.png", page.get_by_role("region", name="Checks"),
                          page.locator("#export-region"))
                finally:
                    server.stop()
            browser.close()


if __name__ == "__main__":
    main()
