"""Rendering equality in Chromium: each candidate's final HTML against the baseline's (the pure-
Python port + premailer), element by element: every computed-style property and the bounding
box, at 375 and 600 px, with the <style> blocks and without them (Gmail drops them for some
accounts), in light and dark mode.

    python render_equal.py OUT_DIR SAMPLE... -> JSON on stdout: per candidate and case, the
    number of elements, the elements whose computed style differs, the largest box shift (px)

Elements are paired by aligning the sequences of tag names (difflib), so a candidate with an
extra or a missing element still has the rest compared (and the unpaired ones counted).
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASELINE = "py+premailer"
CANDIDATES = ("py+cssinline", "mrml+premailer", "mrml+cssinline")
CONTROL = "not-inlined"  # the baseline's compiled HTML before inlining: must differ without <style>
WIDTHS = (375, 600)
VARIANTS = {"styles": (False, "light"), "no-style": (True, "light"), "dark": (False, "dark")}
# Every computed property of every element, joined into one string per element in the page (the
# comparison needs equality only; sending ~350 properties per element out of the page is slow).
COLLECT = """(strip) => {
  if (strip) document.querySelectorAll('style').forEach(s => s.remove());
  return {compat: document.compatMode, height: document.documentElement.scrollHeight,
    elements: [...document.querySelectorAll('body, body *')].map(el => {
      const cs = getComputedStyle(el), parts = [];
      for (let i = 0; i < cs.length; i++) parts.push(cs[i] + ':' + cs.getPropertyValue(cs[i]));
      const r = el.getBoundingClientRect();
      return {tag: el.tagName.toLowerCase(), style: parts.join(';'),
              box: [r.x, r.y, r.width, r.height]};
    })};
}"""


def snapshot(page, path: Path, width: int, strip: bool, scheme: str) -> dict:
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    page.goto(path.resolve().as_uri())
    return page.evaluate(COLLECT, strip)


def compare(base: dict, other: dict) -> dict:
    a, b = base["elements"], other["elements"]
    matcher = difflib.SequenceMatcher(a=[e["tag"] for e in a], b=[e["tag"] for e in b],
                                      autojunk=False)
    pairs, unpaired = [], 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs += zip(a[i1:i2], b[j1:j2], strict=True)
        else:
            unpaired += (i2 - i1) + (j2 - j1)
    styled = sum(1 for x, y in pairs if x["style"] != y["style"])
    shift = max((abs(p - q) for x, y in pairs for p, q in zip(x["box"], y["box"], strict=True)),
                default=0.0)
    return {"elements": [len(a), len(b)], "unpaired": unpaired, "style_differs": styled,
            "max_shift_px": round(shift, 2), "height": [base["height"], other["height"]],
            "standards_mode": base["compat"] == other["compat"] == "CSS1Compat"}


def main() -> None:
    out_dir, samples = Path(sys.argv[1]), sys.argv[2:]
    report: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.route("**/*", lambda route: route.abort()
                   if not route.request.url.startswith("file:") else route.continue_())
        for sample in samples:
            for variant, (strip, scheme) in VARIANTS.items():
                for width in WIDTHS:
                    base = snapshot(page, out_dir / f"{sample}.{BASELINE}.html", width, strip,
                                    scheme)
                    for candidate in (*CANDIDATES, CONTROL):
                        other = snapshot(page, out_dir / f"{sample}.{candidate}.html", width,
                                         strip, scheme)
                        report[f"{sample} {variant} {width}px {candidate}"] = compare(base, other)
        browser.close()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
