"""The desk's edit latency: a click in the page to the updated email in the page.

    python benchmarks/bench_desk.py [--size 20000] [--runs 7]    (or: make bench-desk)

Generates a synthetic archive (benchmarks/bench.py's generator: `--size` summaries, 60 of them in
the month) in a temporary folder, starts the desk on it, opens it in Debian's chromium
(Playwright) and clicks Feature / Unfeature on one card, timing each click until the frame shows
the new build with the card in (or out of) Highlights. Then the same edit without a browser (one
POST /api/edit) and its parts in one process: the edit of the file, the rebuild, and the state
(checks and candidates), each also as CPU time, which a busy machine changes less than wall
time. Prints one markdown table (min / median / max).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import ISSUE, _row, machine_line, make_archive  # noqa: E402

from newsletter.issue.edit import file_version  # noqa: E402
from newsletter.issue.new import new_issue  # noqa: E402
from newsletter.preview.builder import desk_server  # noqa: E402
from newsletter.preview.desk import Desk  # noqa: E402
from newsletter.workspace import open_workspace  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CARD = "s7"
# The frame shows a build newer than `build` in which the card is (or is not) in Highlights.
EMAIL_JS = """([build, title, featured]) => {
  const f = document.getElementById('email'), d = f && f.contentDocument;
  if (!d || d.readyState !== 'complete' || !(Number(d.location.search.slice(3)) > build)) return false;
  let section = null;
  for (const h of d.querySelectorAll('h2, h3')) {
    if (h.tagName === 'H2') section = h.textContent.trim();
    else if (h.textContent.trim() === title) return (section === 'Highlights') === featured;
  }
  return false;
}"""
# The panel too shows the answer of the edit (the new state, with the checks).
SETTLED_JS = """b => {
  const f = document.getElementById('email'), d = f && f.contentDocument;
  return document.body.dataset.build !== b && !document.body.hasAttribute('aria-busy')
    && !!d && d.readyState === 'complete' && d.location.search === '?v=' + document.body.dataset.build;
}"""
IN_HIGHLIGHTS_JS = """title => {
  const d = document.getElementById('email').contentDocument;
  let section = null;
  for (const h of d.querySelectorAll('h2, h3')) {
    if (h.tagName === 'H2') section = h.textContent.trim();
    else if (h.textContent.trim() === title) return section === 'Highlights';
  }
  return null;
}"""


def in_the_page(root: Path, runs: int) -> tuple[list[float], list[float]]:
    """Click Feature / Unfeature: the time until the email in the frame shows the change, and
    until the panel shows the new state."""
    from playwright.sync_api import sync_playwright

    server = desk_server(root, ISSUE, None, None, 0)
    server.start()
    email_times, panel_times = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server.url)
            card = page.locator(f'#section-list [data-summary-id="{CARD}"]')
            card.wait_for()
            title = card.locator(".card-title").inner_text()
            for run in range(runs + 1):  # the first run warms the page and the server up
                featured = run % 2 == 0
                before = page.evaluate("document.body.dataset.build")
                started = time.perf_counter()
                card.get_by_role("button", name="Feature" if featured else "Unfeature",
                                 exact=True).click()
                page.wait_for_function(EMAIL_JS, arg=[int(before), title, featured],
                                       polling="raf")
                email_seen = time.perf_counter() - started
                page.wait_for_function(SETTLED_JS, arg=before, polling="raf")
                panel_seen = time.perf_counter() - started
                assert page.evaluate(IN_HIGHLIGHTS_JS, title) is featured, "not in the email"
                if run:
                    email_times.append(email_seen)
                    panel_times.append(panel_seen)
            browser.close()
    finally:
        server.stop()
    return email_times, panel_times


def over_http(root: Path, runs: int) -> list[float]:
    import httpx

    server = desk_server(root, ISSUE, None, None, 0)
    server.start()
    times = []
    try:
        with httpx.Client(base_url=server.url, timeout=30,
                          headers={"X-Newsletter-Token": server.token}) as client:
            path = root / "issues" / f"{ISSUE}.toml"
            for run in range(runs + 1):
                op = {"op": "feature" if run % 2 == 0 else "unfeature", "id": CARD}
                started = time.perf_counter()
                answer = client.post("/api/edit", json={"version": file_version(path),
                                                        "ops": [op]})
                elapsed = time.perf_counter() - started
                assert answer.status_code == 200, answer.text
                if run:
                    times.append(elapsed)
    finally:
        server.stop()
    return times


def stages(root: Path, runs: int) -> dict[str, list[float]]:
    desk = Desk(root, ISSUE, warm=False)
    desk.build()
    desk.state()
    path = root / "issues" / f"{ISSUE}.toml"
    out: dict[str, list[float]] = {"edit": [], "build": [], "state": [], "edit cpu": [],
                                   "build cpu": [], "state cpu": []}

    def timed(name: str, step: Callable[[], object]) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        step()
        out[name].append(time.perf_counter() - started)
        out[f"{name} cpu"].append(time.process_time() - cpu)

    for run in range(runs):
        op = {"op": "feature" if run % 2 == 0 else "unfeature", "id": CARD}
        timed("edit", lambda op=op: desk.edit({"version": file_version(path), "ops": [op]}))
        timed("build", lambda: desk.build(set()))
        timed("state", desk.state)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rows = ["| case | min | median | max | unit | target |", "|---|---:|---:|---:|---|---|"]
    # ignore_cleanup_errors: a desk's background check may still write its cache at the end
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        root = Path(tmp) / "ws"
        make_archive(root, args.size)
        new_issue(open_workspace(root), ISSUE)
        label = f"60 cards of {args.size:,}"
        if Path(CHROMIUM).exists():
            email, panel = in_the_page(root, args.runs)
            rows.append(_row(f"desk: click Feature -> updated email in the page, {label}", email,
                             "≤ 0.5", ok=statistics.median(email) <= 0.5))
            rows.append(_row("desk: click Feature -> the panel's new state (checks included)",
                             panel, ""))
        else:
            rows.append(f"| desk in the page | - | - | - | | {CHROMIUM} not found |")
        rows.append(_row(f"desk: POST /api/edit -> new state (no browser), {label}",
                         over_http(root, args.runs), ""))
        for name, values in stages(root, args.runs).items():
            kind, _, cpu = name.partition(" ")
            what = {"edit": "edit the file (validate, tomlkit, atomic write)",
                    "build": "rebuild (plan, render; compiled-HTML cache miss)",
                    "state": "state (checks, candidates)"}[kind]
            rows.append(_row(f"stage: {what}{', CPU time' if cpu else ''}", values, ""))
    print(machine_line(args.runs) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
