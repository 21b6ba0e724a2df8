"""Performance benchmark: building a 60-summary month from synthetic archives of growing size.

    python benchmarks/bench.py [--sizes 1000,20000] [--runs 5] [--mjml PATH]    (or: make bench)

It generates archives in a temporary folder (nothing in the repository is touched) and prints
one markdown table: every case with min / median / max over `--runs` runs and its target, the
stage breakdown, bytes per card, peak memory and, when the node `mjml` CLI is available
(`make bench` installs it from the npm registry into benchmarks/.node/), the ratio of a whole
`newsletter build` to the reference compiler compiling the same email.mjml.

Whole-process cases start a fresh `newsletter` process each run, as staff do.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter import __version__  # noqa: E402
from newsletter.build import build  # noqa: E402
from newsletter.storage.cache import CACHE_DIR  # noqa: E402
from newsletter.workspace import open_workspace  # noqa: E402

MONTH = (2026, 5)
ISSUE = f"{MONTH[0]}-{MONTH[1]:02d}"
PER_MONTH = 60
THEMES = ["treatments", "progression", "diagnosis", "living", "related", "research"]
_VOCABULARY = """people with multiple sclerosis took part in a study of fatigue walking MRI lesions
relapses therapy dose biomarker blood test progression disability sleep diet exercise immune cells
genes the results were modest and need confirming in larger trials"""
WORDS = tuple(_VOCABULARY.split())
CONFIG = """name = "Bench Digest"
website_url = "https://example.org"
postal_address = "1 Bench Street"
unsubscribe_url = "https://example.org/unsubscribe"
archive_url = "https://example.org/archive"
"""
STAGES = ("scan", "parse", "select_group", "render_mjml", "compile_inline", "text")


# --- synthetic archives ---------------------------------------------------------------------


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def summary_file(i: int, day: date, rng: random.Random, title_suffix: str = "") -> str:
    themes = f"themes: [{THEMES[i % len(THEMES)]}]\n" if i % 2 else ""
    teaser = f"teaser: {_paragraph(rng, 30)}\n" if i % 3 else ""
    body = "\n\n".join(_paragraph(rng, 90) for _ in range(3))
    return (f"---\ntitle: Study {i} on {rng.choice(WORDS)} and {rng.choice(WORDS)} in people "
            f"with MS{title_suffix}\npublished: {day.isoformat()}\n"
            f"url: https://example.org/summaries/s{i}\n{themes}{teaser}"
            f"study_type: observational\nsource: Example Journal\n---\n{body}\n")


def month_day(i: int) -> date:
    return date(*MONTH, 1) + timedelta(days=i % 28)


def make_archive(root: Path, size: int) -> None:
    """`size` summaries over ten years up to the benchmark month, 60 of them inside it."""
    rng = random.Random(size)
    root.mkdir(parents=True, exist_ok=True)
    (root / "newsletter.toml").write_text(CONFIG)
    others = size - PER_MONTH
    for i in range(size):
        if i < PER_MONTH:
            day = month_day(i)
        else:
            day = date(*MONTH, 1) - timedelta(days=1 + (i - PER_MONTH) * 3650 // max(others, 1))
        path = root / "summaries" / f"{day:%Y}" / f"{day:%m}" / f"s{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(summary_file(i, day, rng))


# --- measurements ---------------------------------------------------------------------------


def _newsletter() -> str:
    return str(Path(sys.executable).parent / "newsletter")


def whole_build(root: Path, out: Path, runs: int, mode: str) -> list[float]:
    """mode: "warm" (nothing changed), "edit" (one summary of the month saved before each run:
    the index re-reads one file and the compiled-HTML cache misses) or "cold" (no cache)."""
    command = [_newsletter(), "--root", str(root), "build", ISSUE, "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)  # warm the cache and the OS
    rng = random.Random(11)
    times = []
    for run in range(runs):
        if mode == "cold":
            shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
        if mode == "edit":
            path = root / "summaries" / f"{MONTH[0]}" / f"{MONTH[1]:02d}" / "s9.md"
            path.write_text(summary_file(9, month_day(9), rng, f" (bench edit {run})"))
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def peak_memory_mb(root: Path, out: Path) -> float:
    """Peak RSS of one cold `newsletter build` process (the worst case: every file parsed)."""
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, _newsletter(), "--root", str(root),
                           "build", ISSUE, "--out", str(out)],
                          check=True, capture_output=True, text=True)
    return int(done.stdout.strip()) / 1024


def stage_medians(root: Path, runs: int) -> tuple[dict[str, float], int, int]:
    """Stage times of a warm build in one process (later runs: imports done, caches warm)."""
    ws = open_workspace(root)
    samples: dict[str, list[float]] = {name: [] for name in STAGES}
    result = None
    for _ in range(runs):
        result = build(ws, ISSUE, write=False)
        for name in STAGES:
            samples[name].append(result.timings.get(name, 0.0))
    assert result is not None
    return ({k: statistics.median(v) for k, v in samples.items()}, result.plan.count,
            len(result.html.encode()))


def preview_rebuilds(root: Path, runs: int) -> tuple[list[float], list[float]]:
    """Save one summary of the month, then wait for the preview's new HTML.

    Returns (file write -> new HTML published, builder time alone) for each save."""
    from newsletter.preview.builder import make_builder, watch_paths
    from newsletter.preview.server import PreviewServer

    ws = open_workspace(root)
    server = PreviewServer(make_builder(root, ISSUE, None, None), watch_paths(ws), port=0)
    server.start()
    time.sleep(0.5)  # let the watcher settle
    latencies, builds = [], []
    rng = random.Random(7)
    try:
        for run in range(runs):
            seen = server.state.version
            changed = threading.Event()

            def wait(version: int = seen, flag: threading.Event = changed) -> None:
                server.state.wait(version, timeout=10)
                flag.set()

            waiter = threading.Thread(target=wait)
            waiter.start()
            path = root / "summaries" / f"{MONTH[0]}" / f"{MONTH[1]:02d}" / "s7.md"
            started = time.perf_counter()
            path.write_text(summary_file(7, month_day(7), rng, f" (edit {run})"))
            changed.wait(10)
            latencies.append(time.perf_counter() - started)
            waiter.join()
            snapshot = server.state.snapshot
            assert snapshot.ok and f"(edit {run})" in snapshot.html, "the edit is not in the page"
            builds.append(snapshot.status["build_seconds"])
            time.sleep(0.3)
    finally:
        server.stop()
    return latencies, builds


COMPILE_PROBE = """
import sys, time
source = open(sys.argv[1], encoding="utf-8").read()
t0 = time.perf_counter(); from newsletter.render import compile_mjml, inline_css, minify
t1 = time.perf_counter(); compiled = compile_mjml(source)
t2 = time.perf_counter(); minify(inline_css(compiled))
t3 = time.perf_counter()
for _ in range(3):
    a = time.perf_counter(); again = compile_mjml(source)
    b = time.perf_counter(); minify(inline_css(again)); c = time.perf_counter()
print(t2 - t1, t3 - t2, b - a, c - b)
"""


def compile_and_inline(source: Path, runs: int) -> dict[str, list[float]]:
    """The two stages the compiled-HTML cache skips: first call in a fresh process (with the
    imports of mjml-python and premailer) and steady state."""
    out: dict[str, list[float]] = {"compile, first": [], "inline + minify, first": [],
                                   "compile, steady": [], "inline + minify, steady": []}
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", COMPILE_PROBE, str(source)], check=True,
                              capture_output=True, text=True, cwd=ROOT)
        first_c, first_i, steady_c, steady_i = (float(v) for v in done.stdout.split())
        for name, value in zip(out, (first_c, first_i, steady_c, steady_i), strict=True):
            out[name].append(value)
    return out


def light_commands(runs: int) -> tuple[list[float], list[float]]:
    """`newsletter --help` as a whole process, and `import newsletter.cli` by -X importtime."""
    helps, imports = [], []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([_newsletter(), "--help"], check=True, capture_output=True)
        helps.append(time.perf_counter() - start)
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import newsletter.cli"],
                              check=True, capture_output=True, text=True)
        line = next(ln for ln in done.stderr.splitlines() if ln.endswith("| newsletter.cli"))
        imports.append(int(line.split("|")[1]) / 1e6)
    return helps, imports


def node_mjml(mjml_bin: Path, source: Path, runs: int) -> list[float]:
    out = source.with_name("node-mjml.html")
    command = [str(mjml_bin), str(source), "-o", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


# --- the table ------------------------------------------------------------------------------


def _row(case: str, values: list[float], target: str, unit: str = "s", ok: bool | None = None) -> str:
    cells = [f"{min(values):.3f}", f"{statistics.median(values):.3f}", f"{max(values):.3f}"]
    mark = "" if ok is None else (" ✅" if ok else " ❌")
    return f"| {case} | {' | '.join(cells)} | {unit} | {target}{mark} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mjml", type=Path, default=ROOT / "benchmarks" / ".node" / "node_modules"
                        / ".bin" / "mjml", help="the node mjml CLI (default: make bench's)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    largest = max(sizes)
    rows = [
        "| case | min | median | max | unit | target |",
        "|---|---:|---:|---:|---|---|",
    ]
    helps, imports = light_commands(args.runs)
    rows.append(_row("`newsletter --help`, whole process", helps, "fast (lazy imports)"))
    rows.append(_row("`import newsletter.cli` (python -X importtime)", imports, ""))
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root = Path(tmp) / f"ws{size}"
            make_archive(root, size)
            out = Path(tmp) / f"out{size}"
            warm = whole_build(root, out, args.runs, "warm")
            target = 0.6 if size == largest else None
            rows.append(_row(f"`newsletter build`, 60 of {size:,}, cache warm", warm,
                             "≤ 0.6" if target else "", ok=statistics.median(warm) <= 0.6
                             if target else None))
            edited = whole_build(root, out, args.runs, "edit")
            rows.append(_row(f"`newsletter build`, 60 of {size:,}, cache warm, one summary "
                             "edited (compiled-HTML cache miss)", edited,
                             "≤ 0.6" if target else "", ok=statistics.median(edited) <= 0.6
                             if target else None))
            cold = whole_build(root, out, args.runs, "cold")
            rows.append(_row(f"`newsletter build`, 60 of {size:,}, no cache", cold,
                             "≤ 3" if target else "", ok=statistics.median(cold) <= 3
                             if target else None))
            if size != largest:
                continue
            latencies, builds = preview_rebuilds(root, args.runs)
            rows.append(_row(f"preview: save -> new HTML, 60 of {size:,}", latencies, "≤ 0.3",
                             ok=statistics.median(latencies) <= 0.3))
            rows.append(_row("preview: the rebuild alone", builds, ""))
            memory = peak_memory_mb(root, out)
            rows.append(_row(f"peak memory, cold build of {size:,}", [memory], "≤ 300",
                             unit="MB", ok=memory <= 300))
            stages, cards, html_bytes = stage_medians(root, args.runs)
            for name in STAGES:
                rows.append(_row(f"stage (in process, warm): {name}", [stages[name]], ""))
            for name, values in compile_and_inline(out / "email.mjml", args.runs).items():
                rows.append(_row(f"stage (on a compiled-HTML cache miss): {name}", values, ""))
            rows.append(_row("HTML bytes per card", [html_bytes / cards], "≈ 1,000", unit="B"))
            rows.append(_row("email.html", [html_bytes / 1024], "< 100", unit="KB",
                             ok=html_bytes < 100 * 1024))
            if args.mjml.exists():
                reference = node_mjml(args.mjml, out / "email.mjml", args.runs)
                rows.append(_row("node `mjml` CLI, the same email.mjml", reference, ""))
                for label, times in (("warm", warm), ("one summary edited", edited)):
                    ratio = statistics.median(times) / statistics.median(reference)
                    rows.append(_row(f"ratio: `newsletter build` ({label}) / node `mjml`",
                                     [ratio], "≤ 1.0", unit="×", ok=ratio <= 1.0))
            else:
                rows.append(f"| node `mjml` CLI | - | - | - | | not found at {args.mjml} |")
    print(f"newsletter {__version__}; Python {platform.python_version()}; {platform.machine()}, "
          f"{os.cpu_count()} cores; {args.runs} runs a case; "
          f"load average {os.getloadavg()[0]:.2f} at the end\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
