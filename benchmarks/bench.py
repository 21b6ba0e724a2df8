"""Build benchmark: a 60-summary month selected from synthetic archives of growing size.

Prints one markdown table: whole-process `newsletter build` wall time (a fresh process each run,
as staff run it), then the time of each stage measured in-process, and the HTML bytes per card.

    python benchmarks/bench.py [--sizes 1000,10000] [--runs 5]

Archives are generated in a temporary folder; nothing in the repository is touched.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter import __version__  # noqa: E402
from newsletter.build import build  # noqa: E402
from newsletter.workspace import open_workspace  # noqa: E402

MONTH = (2026, 5)
PER_MONTH_TARGET = 60
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


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _summary(i: int, day: date, rng: random.Random) -> str:
    themes = f"themes: [{THEMES[i % len(THEMES)]}]\n" if i % 2 else ""
    teaser = f"teaser: {_paragraph(rng, 30)}\n" if i % 3 else ""
    body = "\n\n".join(_paragraph(rng, 90) for _ in range(3))
    return (f"---\ntitle: Study {i} on {rng.choice(WORDS)} and {rng.choice(WORDS)} in people "
            f"with MS\npublished: {day.isoformat()}\nurl: https://example.org/summaries/s{i}\n"
            f"{themes}{teaser}study_type: observational\nsource: Example Journal\n---\n{body}\n")


def make_archive(root: Path, size: int) -> None:
    """`size` summaries ending in the benchmark month, 60 of them inside it."""
    rng = random.Random(size)
    root.mkdir(parents=True, exist_ok=True)
    (root / "newsletter.toml").write_text(CONFIG)
    month_start = date(*MONTH, 1)
    others = size - PER_MONTH_TARGET
    for i in range(size):
        if i < PER_MONTH_TARGET:
            day = month_start + timedelta(days=i % 28)
        else:
            day = month_start - timedelta(days=1 + (i - PER_MONTH_TARGET) * 3650 // max(others, 1))
        path = root / "summaries" / f"{day:%Y}" / f"{day:%m}" / f"s{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_summary(i, day, rng))


def whole_process(root: Path, out: Path, runs: int) -> list[float]:
    exe = Path(sys.executable).parent / "newsletter"
    command = [str(exe), "--root", str(root), "build", f"{MONTH[0]}-{MONTH[1]:02d}", "--out", str(out)]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def stages(root: Path, runs: int) -> tuple[dict[str, float], int, int]:
    ws = open_workspace(root)
    samples: dict[str, list[float]] = {}
    result = None
    for _ in range(runs):
        result = build(ws, f"{MONTH[0]}-{MONTH[1]:02d}", write=False)
        for name, seconds in result.timings.items():
            samples.setdefault(name, []).append(seconds)
    assert result is not None
    return ({k: statistics.median(v) for k, v in samples.items()}, result.plan.count,
            len(result.html.encode()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "ws"
            make_archive(root, size)
            wall = whole_process(root, Path(tmp) / "out", args.runs)
            stage, cards, html_bytes = stages(root, args.runs)
            rows.append((size, wall, stage, cards, html_bytes))
    print(f"newsletter {__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, {args.runs} runs each (median; min-max for the whole build)\n")
    names = ["load", "select_group", "render_mjml", "compile", "inline", "text"]
    print("| archive | cards | `newsletter build` (s) | " + " | ".join(names)
          + " | HTML KB | bytes/card |")
    print("|---:|---:|---|" + "---:|" * len(names) + "---:|---:|")
    for size, wall, stage, cards, html_bytes in rows:
        whole = f"{statistics.median(wall):.2f} ({min(wall):.2f}-{max(wall):.2f})"
        cells = " | ".join(f"{stage.get(n, 0):.3f}" for n in names)
        print(f"| {size:,} | {cards} | {whole} | {cells} | {html_bytes / 1024:.1f} | "
              f"{html_bytes // max(cards, 1):,} |")


if __name__ == "__main__":
    main()
