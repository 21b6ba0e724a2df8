"""How long `newsletter check` adds to a build: each check group timed on real builds.

Run: .venv/bin/python benchmarks/bench_check.py   (prints a table; not part of make test)
Issues: the sample issue (16 cards), and synthetic months of 60 and 90 cards (about the most that
stays under Gmail's limit). Each figure is the best of 5 runs, in milliseconds. The rules timed
are those of `build`'s counts: spam.score (a SpamAssassin run, about 3 s) and links.online (the
network; benchmarks/bench_online.py) are left out.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers import WorkspaceFactory, many_summaries  # noqa: E402

from newsletter.build import BuildResult, prepare, render_plan  # noqa: E402
from newsletter.checks.model import CheckContext  # noqa: E402
from newsletter.checks.registry import rules as all_rules  # noqa: E402
from newsletter.workspace import Workspace, open_workspace  # noqa: E402

RUNS = 5


def rules() -> list:
    return [rule for rule in all_rules() if rule.build]


def groups() -> list[str]:
    return list(dict.fromkeys(rule.group for rule in rules()))


def best(func) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def measure(ws: Workspace, issue: str) -> dict[str, float]:
    def render() -> BuildResult:  # what `check` does: build in memory, no size stop
        return render_plan(ws, prepare(ws, issue))

    result = render()
    out = {"build": best(render)}

    def context() -> CheckContext:
        return CheckContext(result.html, result.text, ws.config, result.plan)

    out["parse"] = best(lambda: context().document)
    for group in groups():
        group_rules = [r for r in rules() if r.group == group]

        def run(group_rules=group_rules) -> None:
            ctx = context()
            ctx.document  # noqa: B018  (parsing is timed on its own)
            for rule in group_rules:
                rule.run(ctx)

        out[group] = best(run) - out["parse"]
    out["all checks"] = best(lambda: [r.run(ctx) for ctx in [context()] for r in rules()])
    out["cards"] = result.plan.count
    out["html KB"] = len(result.html.encode("utf-8")) / 1024
    return out


def main() -> None:
    rows = {"sample (2026-05)": measure(open_workspace(ROOT), "2026-05")}
    with tempfile.TemporaryDirectory() as tmp:
        for count in (60, 90):
            ws = WorkspaceFactory(Path(tmp) / f"ws{count}")(summaries=many_summaries(count))
            rows[f"synthetic {count}"] = measure(ws, "2026-05")
    keys = ["cards", "html KB", "build", "parse", *groups(), "all checks"]
    print(f"{'ms (best of 5)':<18}" + "".join(f"{k:>14}" for k in keys))
    for name, row in rows.items():
        print(f"{name:<18}" + "".join(f"{row[k]:>14.1f}" for k in keys))


if __name__ == "__main__":
    main()
