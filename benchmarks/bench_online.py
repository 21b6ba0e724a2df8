"""How long `newsletter check --online` takes on an email of 100 links, against a local server.

Run: make bench-online   (or .venv/bin/python benchmarks/bench_online.py; not part of make test)

A synthetic workspace whose summaries, website and unsubscribe page all link to a server on
127.0.0.1 (tests/helpers/linkserver.py), sized so that the email holds exactly 100 distinct
http(s) URLs. Each row is the whole process (`newsletter check 2026-05 ...`, Python's start and
the in-memory build included), RUNS times: min, median and max in seconds.

- offline: `check` without --online (the baseline the links add to);
- every link fetched: the remembered links deleted before each run, so all 100 URLs are fetched
  (HEAD), the server answering at once (the other caches warm, as after a `build`);
- 100 ms server: the same with every answer delayed 100 ms, as from a far server;
- links remembered: the successes of the previous run remembered for the day (nothing fetched).

The spam check is switched off in the workspace (it scores the same message every run and is
timed by its own tests); the checks run at most 8 fetches at a time (newsletter/checks/online.py).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers import WorkspaceFactory, summary_text  # noqa: E402
from helpers.linkserver import http_server  # noqa: E402

from newsletter.build import prepare, render_plan  # noqa: E402
from newsletter.checks.dom import parse  # noqa: E402
from newsletter.checks.online import CONCURRENCY, urls_of  # noqa: E402
from newsletter.storage.cache import CACHE_DIR  # noqa: E402
from newsletter.workspace import open_workspace  # noqa: E402

RUNS = 5
LINKS = 100
NEWSLETTER = str(Path(sys.executable).with_name("newsletter"))


def config(base: str) -> str:
    return (f'name = "Bench Digest"\nwebsite_url = "{base}/ok"\n'
            f'postal_address = "1 Bench Street, Benchville"\nunsubscribe_url = "{base}/ok?u=1"\n'
            'timezone = "UTC"\n'
            '[checks]\ndisable = [{id = "spam", reason = "timed by its own tests"}]\n')


def workspace(folder: Path, base: str, path: str, count: int) -> Path:
    themes = ("treatments", "progression", "diagnosis", "living", "related", "research")
    summaries = {
        f"2026/05/s{i:03d}.md": summary_text(
            title=f"Study number {i} of a benchmark month", slug=f"s{i:03d}",
            published=f"2026-05-{1 + i % 28:02d}", url=f"{base}/{path}n={i}",
            themes=f"[{themes[i % len(themes)]}]", study_type="observational")
        for i in range(count)}
    ws = WorkspaceFactory(folder)(summaries=summaries)
    (folder / "newsletter.toml").write_text(config(base))
    return ws.root


def url_count(root: Path) -> int:
    ws = open_workspace(root)
    return len(urls_of(parse(render_plan(ws, prepare(ws, "2026-05")).html)))


def sized(folder: Path, base: str, path: str) -> Path:
    """A workspace whose email holds exactly LINKS distinct http(s) URLs."""
    extra = url_count(workspace(folder / "probe", base, path, LINKS)) - LINKS  # not cards
    root = workspace(folder / "sized", base, path, LINKS - extra)
    assert url_count(root) == LINKS, url_count(root)
    return root


def timed(root: Path, *args: str, forget_links: bool = False) -> list[float]:
    """RUNS whole-process runs; `forget_links` deletes the remembered links before each (the
    other caches stay warm, as in daily use)."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_NO_CACHE"}
    times = []
    for _ in range(RUNS):
        if forget_links:
            shutil.rmtree(root / CACHE_DIR / "links", ignore_errors=True)
        started = time.perf_counter()
        done = subprocess.run([NEWSLETTER, "--root", str(root), "check", "2026-05", *args],
                              capture_output=True, text=True, env=env, check=False)
        times.append(time.perf_counter() - started)
        if "Traceback" in done.stderr:
            raise SystemExit(done.stderr)
    return times


def validate(root: Path) -> None:
    """One run that must find every link answering (so the rows time real successes)."""
    done = subprocess.run([NEWSLETTER, "--root", str(root), "check", "2026-05", "--online",
                           "--json"], capture_output=True, text=True, check=False,
                          env={**os.environ, "NEWSLETTER_NO_CACHE": "1"})
    report = json.loads(done.stdout)
    assert "links.online" in report["checks"], report["checks"]
    bad = [f["message"] for f in report["findings"] if f["rule"] == "links.online"]
    assert not bad, bad


def main() -> None:
    rows: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, http_server() as base:
        fast = sized(Path(tmp) / "fast", base, "ok?")
        slow = sized(Path(tmp) / "slow", base, "slow?s=0.1&")
        validate(fast)
        timed(fast)  # the compiled-HTML cache, as after a build
        timed(slow)
        rows["check (offline)"] = timed(fast)
        rows["check --online, every link fetched"] = timed(fast, "--online", forget_links=True)
        rows["check --online, 100 ms server"] = timed(slow, "--online", forget_links=True)
        rows["check --online, links remembered"] = timed(fast, "--online")
    print(f"newsletter check on an email of {LINKS} links, {CONCURRENCY} fetches at a time; "
          f"seconds over {RUNS} runs (whole process)")
    print(f"{'':<38}{'min':>8}{'median':>8}{'max':>8}")
    for name, times in rows.items():
        print(f"{name:<38}{min(times):>8.2f}{statistics.median(times):>8.2f}{max(times):>8.2f}")


if __name__ == "__main__":
    main()
