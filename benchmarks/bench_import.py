"""Benchmark of `newsletter import`: a 10,000-record JSONL file into a fresh temporary workspace.

Prints a markdown table of records per second (median of 3 runs; by the wall clock and by CPU
time, which a busy shared machine disturbs less) for:
  - a first import (every record new: read, map, validate, compare, write 10,000 files);
  - the same file again (every record unchanged: the archive of 10,000 files is read back);
  - a dry run of the first import (everything but the writing);
  - the whole `newsletter import` process (start-up included), into a fresh workspace.

Run: .venv/bin/python benchmarks/bench_import.py [--records N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from newsletter.importing.run import ImportOptions, import_sources
from newsletter.workspace import open_workspace

CONFIG = 'name = "Benchmark Digest"\nwebsite_url = "https://example.org"\ntimezone = "UTC"\n'
THEMES = ["treatments", "progression", "diagnosis", "living", "related", "research"]
TAGS = ["Treatments & therapies", "Living with MS", "Conference news", "Diagnosis & monitoring"]
PARAGRAPH = ("Researchers followed a group of people with multiple sclerosis and measured how "
             "their symptoms, scans and blood markers changed over time. The change they found "
             "was modest and needs confirming in larger and longer studies. ")


def make_jsonl(path: Path, count: int) -> None:
    """`count` records like a website export: aliases, HTML bodies, tags and canonical keys."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            month = 1 + i % 12
            record: dict[str, object] = {
                "headline" if i % 2 else "title": f"Study {i} looked at a question that people "
                                                   f"with MS often ask ({i % 97})",
                "published": f"2025-{month:02d}-{1 + i % 28:02d}",
                "url": f"https://example.org/summaries/study-{i}",
                "teaser": f"Sample record {i}: a modest finding that needs confirming.",
            }
            if i % 3 == 0:
                record["content"] = "<p>" + PARAGRAPH + "</p><p><strong>Why it matters:</strong> " \
                                    + PARAGRAPH + "</p>"
            else:
                record["body"] = "\n\n".join([PARAGRAPH] * 3)
            if i % 4 == 0:
                record["tags"] = [TAGS[i % len(TAGS)]]
            elif i % 4 == 1:
                record["themes"] = [THEMES[i % len(THEMES)]]
            handle.write(json.dumps(record) + "\n")


def new_workspace(parent: Path) -> Path:
    root = Path(tempfile.mkdtemp(prefix="ws-", dir=parent))
    (root / "newsletter.toml").write_text(CONFIG, encoding="utf-8")
    (root / "summaries").mkdir()
    return root


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (less noisy than the wall clock on a
    shared machine)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run: Callable[[], int], runs: int,
          setup: Callable[[], None] | None = None) -> list[tuple[float, float]]:
    """(wall seconds, CPU seconds) of each run."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        wall, cpu = time.perf_counter(), cpu_seconds()
        count = run()
        times.append((time.perf_counter() - wall, cpu_seconds() - cpu))
        assert count > 0
    return times


def library_import(root: Path, source: Path, **options: bool) -> int:
    ws = open_workspace(root)
    result = import_sources(ws, [str(source)], ImportOptions(**options), cwd=root)
    assert result.invalid == 0, result.invalid_problems()[:3]
    return len(result.items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = args.records
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        base = Path(tmp)
        source = base / "export.jsonl"
        make_jsonl(source, n)
        size_mb = source.stat().st_size / 1e6

        roots: list[Path] = []
        rows.append(("first import (all new)", timed(
            lambda: library_import(roots[-1], source), args.runs,
            setup=lambda: roots.append(new_workspace(base)))))
        files = sum(1 for _ in (roots[-1] / "summaries").rglob("*.md"))
        assert files == n, files
        rows.append(("re-import (all unchanged)", timed(
            lambda: library_import(roots[-1], source), args.runs)))
        rows.append(("dry run (all new)", timed(
            lambda: library_import(roots[-1], source, dry_run=True), args.runs,
            setup=lambda: roots.append(new_workspace(base)))))
        cli = Path(sys.executable).with_name("newsletter")

        def whole_process() -> int:
            done = subprocess.run([str(cli), "--root", str(roots[-1]), "import", str(source)],
                                  capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stderr[-2000:]
            return n

        rows.append(("`newsletter import` process (all new)", timed(
            whole_process, args.runs, setup=lambda: roots.append(new_workspace(base)))))
        for root in roots:
            shutil.rmtree(root, ignore_errors=True)

    load = os.getloadavg()[0]
    print(f"`newsletter import` of a {n:,}-record JSONL file ({size_mb:.1f} MB), median of "
          f"{args.runs} runs; Python {platform.python_version()}, {os.cpu_count()} CPUs, load "
          f"average {load:.1f} at the end\n")
    print("| case | records | wall s | records/s (wall) | CPU s | records/s (CPU) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, times in rows:
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        print(f"| {name} | {n:,} | {wall:.2f} | {n / wall:,.0f} | {cpu:.2f} | {n / cpu:,.0f} |")


if __name__ == "__main__":
    main()
