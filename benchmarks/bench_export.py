"""How long `newsletter export` takes, split into the build and each exporter (not part of make test).

Run: .venv/bin/python benchmarks/bench_export.py (make bench-export) [--repeat N]
Uses the repository's sample workspace (copied to a temporary folder); prints the median of N runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsletter.build import build  # noqa: E402
from newsletter.exporting.run import export  # noqa: E402
from newsletter.exporting.services import REGISTRY, get  # noqa: E402
from newsletter.workspace import open_workspace  # noqa: E402


def median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        root.mkdir()
        shutil.copy(REPO / "newsletter.toml", root)
        for folder in ("summaries", "issues"):
            shutil.copytree(REPO / folder, root / folder)
        ws = open_workspace(root)
        result = build(ws, "2026-05", write=False)
        rows = [("build (in memory)", median_ms(lambda: build(ws, "2026-05", write=False), repeat))]
        for name in REGISTRY:
            exporter = get(name)
            rows.append((f"exporter {name}", median_ms(lambda e=exporter: e.export(result, ws.config),
                                                        repeat)))
        out = Path(tmp) / "out"
        rows.append(("export --service all (library, build + write)",
                     median_ms(lambda: export(ws, "2026-05", None, None, "all", out_dir=out), repeat)))
        cli = [sys.executable, "-c", "import newsletter.cli"]
        rows.append(("python -c 'import newsletter.cli' (process)",
                     median_ms(lambda: subprocess.run(cli, check=True), repeat)))
    print(f"median of {repeat} runs, sample workspace issue 2026-05 ({result.plan.count} summaries)")
    for label, ms in rows:
        print(f"  {label:<48} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
