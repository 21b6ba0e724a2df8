"""A/B: whole `newsletter build` processes of the code at an earlier commit and of this checkout,
alternately, on two copies of the same synthetic archives (the machine's speed drifts from
minute to minute, so only runs made side by side compare).

    python benchmarks/bench_ab.py --before cc8d5e0 --cases warm,edit,cold,edit100k --runs 7

The earlier code is checked out with `git worktree` under benchmarks/.work/ and run with
PYTHONPATH pointing at it (same interpreter, same libraries). Each code keeps its own archive
copy: their index caches may have different formats. Prints one table, min / median / max of
the wall-clock and CPU seconds (CPU: the process and its workers).
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench  # the archives, `timed` and `edit_one` are the bench's own

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
SIZES = {"warm": 20_000, "edit": 20_000, "cold": 20_000, "edit100k": 100_000}
NAMES = {"warm": "nothing changed", "edit": "right after one summary was saved",
         "cold": "no cache", "edit100k": "right after an edit"}


def worktree(rev: str) -> Path:
    """The code at `rev`, checked out once under benchmarks/.work/."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], check=True,
                         capture_output=True, text=True).stdout.strip()
    where = WORK / f"ab-{sha}"
    if not (where / "newsletter").is_dir():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(where),
                        sha], check=True, capture_output=True)
    return where


def build_command(root: Path, out: Path) -> list[str]:
    # -P: no current folder first on sys.path (run from a checkout, `-m newsletter` would
    # import the checkout's code whatever PYTHONPATH says)
    return [sys.executable, "-P", "-m", "newsletter", "--root", str(root), "build", bench.ISSUE,
            "--out", str(out)]


def check_code(code: Path | None) -> None:
    """Each side must import its own package: refuse to measure otherwise."""
    env = {**os.environ, "PYTHONPATH": str(code or ROOT)}
    found = subprocess.run([sys.executable, "-P", "-c", "import newsletter; print(newsletter.__file__)"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    expected = (code or ROOT) / "newsletter" / "__init__.py"
    if Path(found).resolve() != expected.resolve():
        raise SystemExit(f"PYTHONPATH={code or ROOT} imports {found}, not {expected}")


def run(code: Path | None, root: Path, out: Path) -> tuple[float, float]:
    """(seconds, CPU seconds) of one build by `code` (None: this checkout)."""
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(code) if code else str(ROOT)
    try:
        seconds, cpu, _ = bench.timed(build_command(root, out))
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = saved
    return seconds, cpu


def measure(case: str, before: Path, tmp: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    size = SIZES[case]
    source = tmp / f"archive{size}"
    if not source.exists():
        bench.make_archive(source, size)
    roots = {"before": tmp / f"before{size}", "after": tmp / f"after{size}"}
    for root in roots.values():
        if not root.exists():
            shutil.copytree(source, root, symlinks=True)
    codes = {"before": before, "after": None}
    outs = {name: tmp / f"out-{name}{size}" / "email" for name in roots}
    for name in roots:  # warm the cache and the OS
        subprocess.run(build_command(roots[name], outs[name]), capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(codes[name] or ROOT)})
    rng = random.Random(size)
    found: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for i in range(runs):
        for name in (("before", "after") if i % 2 == 0 else ("after", "before")):
            if case == "cold":
                shutil.rmtree(roots[name] / bench.CACHE_DIR, ignore_errors=True)
            if case in ("edit", "edit100k"):
                bench.edit_one(roots[name], rng, 1000 + i)
            found[name].append(run(codes[name], roots[name], outs[name]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--cases", default="warm,edit,cold,edit100k")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    before = worktree(args.before)
    # both as an installed package runs: modules compiled once, their .pyc files used (with
    # PYTHONDONTWRITEBYTECODE set, a tree without them is compiled again on every run: a
    # first version of this script measured a fresh worktree's compiling against the
    # checkout's cached code)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for code in (before, None):
        compileall.compile_dir((code or ROOT) / "newsletter", quiet=1)
        check_code(code)
    print(bench.machine_line(args.runs) + f"; before: {args.before}, after: this checkout\n")
    print("| case | code | min | median | max | CPU median | unit |")
    print("|---|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for case in args.cases.split(","):
            found = measure(case, before, Path(folder), args.runs)
            for name, values in found.items():
                wall = [v[0] for v in values]
                cpu = [v[1] for v in values]
                label = f"`newsletter build`, {SIZES[case]:,}, {NAMES[case]}" \
                    if name == "before" else ""
                print(f"| {label} | {name} | {min(wall):.3f} | {statistics.median(wall):.3f} | "
                      f"{max(wall):.3f} | {statistics.median(cpu):.3f} | s |")


if __name__ == "__main__":
    main()
