"""Performance benchmark: building a 60-summary month from synthetic archives of growing size.

    python benchmarks/bench.py [--sizes 1000,20000] [--large 100000] [--runs 5] [--mjml PATH]
    (or: make bench)

It generates archives in a temporary folder (nothing in the repository is touched) and prints
one markdown table: every case with min / median / max over `--runs` runs and its target: whole
`newsletter build`s (nothing changed, right after one summary of the month was saved, no
cache) with their peak memory, the preview's save-to-new-HTML time, the archive scan per file,
the stage breakdown, the bytes of realistic cards, and, with the node `mjml` CLI (`make bench`
installs it from the npm registry into benchmarks/.node/), the ratio of a build right after an
edit to the reference compiler compiling the same email.mjml, run by run in turn.

Whole-process cases start a fresh `newsletter` process each run, as staff do. The compiler and
inliner candidates have their own table: `make bench-compilers` (benchmarks/bench_compilers.py).
"""

from __future__ import annotations

import argparse
import compileall
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


TIMED = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, capture_output=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def timed(command: list[str]) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS in MB) of one process (and its children), measured by a
    small parent (its own start-up is not counted). On a shared machine the CPU time is the
    steadier figure: it does not count the time spent waiting for a core."""
    done = subprocess.run([sys.executable, "-c", TIMED, *command], check=True,
                          capture_output=True, text=True)
    seconds, cpu, peak_kb = done.stdout.split()
    return float(seconds), float(cpu), int(peak_kb) / 1024


def edit_one(root: Path, rng: random.Random, run: int) -> None:
    """Save one summary of the month (a new title): the index re-reads one file and the
    compiled-HTML cache misses."""
    path = root / "summaries" / f"{MONTH[0]}" / f"{MONTH[1]:02d}" / "s9.md"
    path.write_text(summary_file(9, month_day(9), rng, f" (bench edit {run})"))


def whole_build(root: Path, out: Path, runs: int, mode: str,
                mjml_bin: Path | None = None) -> dict[str, list[float]]:
    """mode: "warm" (nothing changed), "edit" (one summary of the month saved before each run)
    or "cold" (no cache). With `mjml_bin` (edit mode), the node mjml CLI compiles the new
    email.mjml right after each build, so each ratio compares two runs made side by side."""
    command = [_newsletter(), "--root", str(root), "build", ISSUE, "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)  # warm the cache and the OS
    rng = random.Random(11)
    found: dict[str, list[float]] = {"seconds": [], "cpu": [], "peak_mb": [], "node": [],
                                     "node_cpu": [], "ratio": [], "ratio_cpu": []}
    for run in range(runs):
        if mode == "cold":
            shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
        if mode == "edit":
            edit_one(root, rng, run)
        seconds, cpu, peak = timed(command)
        found["seconds"].append(seconds)
        found["cpu"].append(cpu)
        found["peak_mb"].append(peak)
        if mjml_bin is not None:
            node, node_cpu, _ = timed([str(mjml_bin), str(out / "email.mjml"), "-o",
                                       str(out.parent / "node-mjml.html")])
            found["node"].append(node)
            found["node_cpu"].append(node_cpu)
            found["ratio"].append(seconds / node)
            found["ratio_cpu"].append(cpu / node_cpu)
    return found


SCAN = """
import resource, sys, time
from pathlib import Path
from newsletter.summaries.library import load_library
from newsletter.workspace import open_workspace

def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

ws = open_workspace(Path(sys.argv[1]))
load_library(ws)
for _ in range(int(sys.argv[2])):
    start, start_cpu = time.perf_counter(), cpu()
    archive = load_library(ws)
    print((time.perf_counter() - start) / archive.size * 1e6, (cpu() - start_cpu) / archive.size * 1e6)
"""


def scan_per_file(root: Path, runs: int) -> tuple[list[float], list[float]]:
    """Microseconds per file to look at the whole archive with a warm cache: one stat per file
    and the index's snapshot (what a build does before selecting), in a process of its own (no
    thread left by another case: a listing forks a second process only where no other thread
    runs); wall clock and CPU time (the process and the one it forks)."""
    done = subprocess.run([sys.executable, "-c", SCAN, str(root), str(runs)], check=True,
                          capture_output=True, text=True, cwd=ROOT)
    pairs = [tuple(map(float, line.split())) for line in done.stdout.splitlines()]
    return [wall for wall, _ in pairs], [cpu for _, cpu in pairs]


def realistic_bytes() -> dict[str, float]:
    """email.html of 60 and 100 realistic cards (tests/helpers/realistic.py: titles 56-110
    characters, teasers 215-280, a journal and its link each, UTM on), the bytes a card adds
    and the fixed part."""
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import realistic

    with tempfile.TemporaryDirectory() as tmp:
        sizes = {n: realistic.html_bytes(realistic.write_workspace(Path(tmp) / str(n), n))
                 for n in (60, 100)}
    marginal = (sizes[100] - sizes[60]) / 40
    return {"60": sizes[60], "100": sizes[100], "card": marginal,
            "fixed": sizes[100] - 100 * marginal}


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
t0 = time.perf_counter(); from newsletter.render.html import compile_mjml, inline_css, minify
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
    imports of the compiler and the inliner) and steady state."""
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


# --- the table ------------------------------------------------------------------------------


def _row(case: str, values: list[float], target: str, unit: str = "s", ok: bool | None = None,
         digits: int = 3) -> str:
    cells = [f"{v:,.{digits}f}" for v in (min(values), statistics.median(values), max(values))]
    mark = "" if ok is None else (" ✅" if ok else " ❌")
    return f"| {case} | {' | '.join(cells)} | {unit} | {target}{mark} |"


def _median_ok(values: list[float], limit: float) -> bool:
    return statistics.median(values) <= limit


def archive_rows(root: Path, out: Path, size: int, runs: int, mjml: Path | None,
                 main_size: bool) -> list[str]:
    """The whole-process builds of one archive: nothing changed, right after an edit, no cache."""
    rows = []
    warm = whole_build(root, out, runs, "warm")
    rows.append(_row(f"`newsletter build`, 60 of {size:,}, nothing changed", warm["seconds"],
                     "≤ 0.3" if main_size else "", ok=_median_ok(warm["seconds"], 0.3)
                     if main_size else None))
    if main_size:
        rows.append(_row("    the same runs, CPU time", warm["cpu"], ""))
    edited = whole_build(root, out, runs, "edit", mjml if main_size else None)
    rows.append(_row(f"`newsletter build`, 60 of {size:,}, right after one summary of the month "
                     "was saved", edited["seconds"], ""))
    if main_size and edited["node"]:
        rows.append(_row("    the same runs, CPU time", edited["cpu"], ""))
        rows.append(_row("node `mjml` CLI on the same email.mjml, right after each of those builds",
                         edited["node"], ""))
        rows.append(_row("    the same runs, CPU time", edited["node_cpu"], ""))
        rows.append(_row("ratio: that build / node `mjml` CLI, run by run", edited["ratio"], "≤ 0.7",
                         unit="×", ok=_median_ok(edited["ratio"], 0.7)))
        rows.append(_row("    the same ratio in CPU time", edited["ratio_cpu"], "≤ 0.7", unit="×",
                         ok=_median_ok(edited["ratio_cpu"], 0.7)))
    elif main_size:
        rows.append(f"| node `mjml` CLI | - | - | - | | not found at {mjml} (`make node-mjml`) |")
    cold = whole_build(root, out, max(2, runs // 2), "cold")
    rows.append(_row(f"`newsletter build`, 60 of {size:,}, no cache", cold["seconds"],
                     "≤ 2" if main_size else "", ok=_median_ok(cold["seconds"], 2)
                     if main_size else None))
    if main_size:
        rows.append(_row("    the same runs, CPU time (two worker processes read the files)",
                         cold["cpu"], ""))
    if main_size:
        rows.append(_row(f"peak memory of those builds (no cache), 60 of {size:,}",
                         cold["peak_mb"], "", unit="MB", digits=0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--large", type=int, default=100_000,
                        help="the archive of the after-an-edit memory case (0: left out)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mjml", type=Path, default=ROOT / "benchmarks" / ".node" / "node_modules"
                        / ".bin" / "mjml", help="the node mjml CLI (default: make bench's)")
    args = parser.parse_args()
    # as an installed package runs: its modules compiled once (PYTHONDONTWRITEBYTECODE, set in
    # some shells and CI, would make every process compile them from source again)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(ROOT / "newsletter", quiet=1)
    sizes = [int(s) for s in args.sizes.split(",")]
    largest = max(sizes)
    mjml = args.mjml if args.mjml.exists() else None
    rows = ["| case | min | median | max | unit | target |", "|---|---:|---:|---:|---|---|"]
    helps, imports = light_commands(args.runs)
    rows.append(_row("`newsletter --help`, whole process", helps, "fast (lazy imports)"))
    rows.append(_row("`import newsletter.cli` (python -X importtime)", imports, ""))
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root, out = Path(tmp) / f"ws{size}", Path(tmp) / f"out{size}" / "email"
            make_archive(root, size)
            rows += archive_rows(root, out, size, args.runs, mjml, size == largest)
            if size != largest:
                continue
            latencies, builds = preview_rebuilds(root, args.runs)
            rows.append(_row(f"preview: save -> new HTML, 60 of {size:,}", latencies, "≤ 0.1",
                             ok=_median_ok(latencies, 0.1)))
            rows.append(_row("preview: the rebuild alone", builds, ""))
            scan, scan_cpu = scan_per_file(root, args.runs)
            rows.append(_row(f"archive scan, warm cache, per file ({size:,} files; one stat "
                             "each)", scan, "≤ 5", unit="µs", ok=_median_ok(scan, 5), digits=2))
            rows.append(_row("    the same runs, CPU time", scan_cpu, "", unit="µs", digits=2))
            stages, _cards, _html_bytes = stage_medians(root, args.runs)
            for name in STAGES:
                rows.append(_row(f"stage (in process, warm): {name}", [stages[name]], ""))
            for name, values in compile_and_inline(out / "email.mjml", args.runs).items():
                rows.append(_row(f"stage (on a compiled-HTML cache miss): {name}", values, ""))
        if args.large:
            root, out = Path(tmp) / "large", Path(tmp) / "out-large" / "email"
            make_archive(root, args.large)
            edited = whole_build(root, out, args.runs, "edit")
            rows.append(_row(f"`newsletter build`, 60 of {args.large:,}, right after an edit",
                             edited["seconds"], "≤ 1.0", ok=_median_ok(edited["seconds"], 1.0)))
            rows.append(_row("    the same runs, CPU time", edited["cpu"], ""))
            rows.append(_row(f"peak memory of those builds, 60 of {args.large:,}",
                             edited["peak_mb"], "≤ 400", unit="MB",
                             ok=max(edited["peak_mb"]) <= 400, digits=0))
    sizes_of = realistic_bytes()
    rows.append(_row("realistic cards: bytes a card adds", [sizes_of["card"]], "≤ 800", unit="B",
                     ok=sizes_of["card"] <= 800, digits=0))
    rows.append(_row("realistic cards: the fixed part", [sizes_of["fixed"]], "≤ 15,000",
                     unit="B", ok=sizes_of["fixed"] <= 15_000, digits=0))
    rows.append(_row("email.html, 100 realistic cards", [sizes_of["100"]], "< 100,000", unit="B",
                     ok=sizes_of["100"] < 100_000, digits=0))
    rows.append(_row("email.html, 60 realistic cards", [sizes_of["60"]], "< 66,560 (65 KiB)",
                     unit="B", ok=sizes_of["60"] < 66_560, digits=0))
    print(machine_line(args.runs) + "\n")
    print("\n".join(rows))



def machine_line(runs: int) -> str:
    """What a table was measured on, printed above it (the load says how much to trust it)."""
    return (f"newsletter {__version__}; Python {platform.python_version()}; {platform.machine()}, "
            f"{os.cpu_count()} cores; {runs} runs a case; "
            f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
