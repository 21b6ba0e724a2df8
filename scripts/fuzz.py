"""`make fuzz`: the hostile-input property test with many examples, then the fault injection
at every write step, and one table of counts.

The property test (tests/properties/test_hostile_inputs.py) runs in N processes with different
seeds, NEWSLETTER_FUZZ_EXAMPLES examples each; in this mode a broken promise is counted and
logged (fuzz.log in the report folder) instead of stopping the run. Exit status 1 when any count
of a broken promise is above zero or a run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROMISES = ("crashes", "injections", "headers", "formats", "caches")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=10_000, help="in all processes together")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="newsletter-fuzz-"))
    log = folder / "fuzz.log"
    share = -(-args.examples // args.processes)
    started = time.perf_counter()
    runs = []
    for n in range(args.processes):
        env = os.environ | {"NEWSLETTER_FUZZ_EXAMPLES": str(share),
                            "NEWSLETTER_FUZZ_STATS": str(folder / f"stats-{n}.json"),
                            "NEWSLETTER_FUZZ_LOG": str(log)}
        runs.append(subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/properties/test_hostile_inputs.py", "-k", "hostile_workspaces",
             f"--hypothesis-seed={args.seed + n}"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    failed = 0
    for proc in runs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            failed += 1
            print(f"property test process {proc.pid} ended with status {proc.returncode}:")
            print(out[-3000:])
    property_seconds = time.perf_counter() - started
    totals: Counter[str] = Counter()
    for n in range(args.processes):
        stats = folder / f"stats-{n}.json"
        if stats.exists():
            totals.update(json.loads(stats.read_text()))
    started = time.perf_counter()
    sweep = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/storage/test_fault_injection.py"], cwd=REPO, text=True, capture_output=True,
        env=os.environ | {"NEWSLETTER_FULL_FAULT_SWEEP": "1"})
    sweep_seconds = time.perf_counter() - started
    print(f"\nProperty test: {totals['examples']:,} generated workspaces in {args.processes} "
          f"processes (seed {args.seed}), {property_seconds:,.0f} s")
    print(f"  {'built':<12}{totals['built']:>8,}   (build exit 0: reached rendering)")
    print(f"  {'exported':<12}{totals['exported']:>8,}")
    print(f"  {'archived':<12}{totals['archived']:>8,}")
    for kind in PROMISES:
        print(f"  {kind:<12}{totals[kind]:>8,}")
    print(f"Fault injection at every write step (build, export, import, archive): "
          f"{'passed' if sweep.returncode == 0 else 'FAILED'}, {sweep_seconds:,.0f} s")
    if sweep.returncode != 0:
        print(sweep.stdout[-3000:])
    if log.exists():
        print(f"Every broken promise, with its case: {log}")
    broken = sum(totals[kind] for kind in PROMISES)
    return 1 if broken or failed or sweep.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
