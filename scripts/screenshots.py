"""Screenshots of the sample issue in headless Chromium (Debian's, driven by Playwright).

Builds issue 2026-05 of this repository's workspace into a temporary folder and writes
docs/sample-desktop.png, docs/sample-mobile.png and docs/sample-dark.png. Run with `make screenshots`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter.build import build  # noqa: E402
from newsletter.workspace import open_workspace  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWS = {"desktop": ({"width": 800, "height": 1200}, "light"),
         "mobile": ({"width": 375, "height": 812}, "light"),
         "dark": ({"width": 800, "height": 1200}, "dark")}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = build(open_workspace(ROOT), "2026-05", out_dir=Path(tmp) / "out")
        page_file = result.out_dir / "email.html"  # type: ignore[operator]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, (viewport, scheme) in VIEWS.items():
                page = browser.new_page(viewport=viewport, device_scale_factor=1,
                                        color_scheme=scheme)
                page.route("**/*", lambda route: route.abort()
                           if not route.request.url.startswith("file:") else route.continue_())
                page.goto(page_file.as_uri())
                target = ROOT / "docs" / f"sample-{name}.png"
                target.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(target), full_page=True)
                print(f"wrote {target.relative_to(ROOT)}")
            browser.close()


if __name__ == "__main__":
    main()
