"""The results table of `make mutate`: per module, mutants, killed, survived, timeout.

Reads mutmut's results in mutants/ and docs/mutation-equivalent.txt (one surviving mutant a line:
its name, then why it is equivalent, i.e. why no test can tell it from the original). Prints a
Markdown table for docs/mutation.md and, below it, every survivor that is neither killed nor
explained. The score is (killed + timeout) / (mutants run - equivalent): a mutant no test
reaches counts as not killed; one that makes the tests hang (timeout) as caught.

    python scripts/mutation_table.py [PATTERN...]   # only mutants matching a pattern (the scope)
    python scripts/mutation_table.py --not-run [PATTERN...]   # their names with no result yet

`--not-run` is for going on with a stopped run (`make mutate-continue`): naming mutmut a pattern
runs every mutant it matches again, those with a result too, while naming it these mutants runs
only what is left (a changed function's mutants lose their results, so they are left too).
"""

from __future__ import annotations

import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "docs" / "mutation-equivalent.txt"
# A function reported on its own row too (the brief's "exporters' placeholder filling").
FUNCTION_ROWS = {"newsletter.exporting.services.base": "fill"}


def equivalent() -> dict[str, str]:
    if not EQUIVALENT.is_file():
        return {}
    out = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            out[name] = reason.strip()
    return out


def results(root: Path) -> dict[str, str]:
    """mutant name -> status (killed, survived, timeout, no tests, not checked, ...)."""
    out = {}
    for meta in sorted((root / "mutants").rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in data.get("exit_code_by_key", {}).items():
            out[name] = status_by_exit_code[code]
    return out


def module_of(name: str) -> str:
    return name.rsplit(".", 1)[0]


def row_keys(name: str) -> list[str]:
    module = module_of(name)
    keys = [module]
    function = FUNCTION_ROWS.get(module)
    if function and name.rsplit(".", 1)[1].startswith(f"x_{function}__mutmut_"):
        keys.append(f"{module} ({function})")
    return keys


def table(statuses: dict[str, str], explained: dict[str, str]) -> tuple[str, list[str]]:
    rows: dict[str, Counter[str]] = {}
    unexplained = []
    for name, status in statuses.items():
        if status == "skipped":  # left for a later run (mutmut's "skipped"): not run
            status = "not checked"
        if status == "survived" and name in explained:
            status = "equivalent"
        elif status in ("survived", "suspicious"):
            unexplained.append(name)
        for key in row_keys(name):
            rows.setdefault(key, Counter())[status] += 1
    lines = ["| module | mutants | not run | killed | survived | equivalent | timeout | no tests | "
             "caught of non-equivalent run |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    total: Counter[str] = Counter()
    for key in sorted(rows):
        counts = rows[key]
        if "(" not in key:
            total.update(counts)
        elif counts == rows[key.split(" (")[0]]:
            continue  # the scope holds only that function: the module's row says it all
        lines.append(_row(key.removeprefix("newsletter."), counts))
    lines.append(_row("**all**", total))
    return "\n".join(lines), unexplained


def _row(label: str, counts: Counter[str]) -> str:
    mutants = sum(counts.values())
    counted = mutants - counts["equivalent"] - counts["not checked"]  # no tests = not killed
    caught = counts["killed"] + counts["timeout"]  # a mutant that hangs the tests is noticed
    score = f"{100 * caught / counted:.1f} %" if counted else "-"
    survived = counts["survived"] + counts["suspicious"]
    return (f"| {label} | {mutants} | {counts['not checked']} | {counts['killed']} | {survived} | "
            f"{counts['equivalent']} | {counts['timeout']} | {counts['no tests']} | {score} |")


def main(args: list[str]) -> int:
    not_run = "--not-run" in args
    patterns = [a for a in args if a != "--not-run"]
    statuses = {name: status for name, status in results(ROOT).items()
                if not patterns or any(fnmatch.fnmatch(name, p) for p in patterns)}
    if not statuses:
        print("no results in mutants/: run `make mutate` first", file=sys.stderr)
        return 1
    if not_run:
        print("\n".join(sorted(n for n, s in statuses.items() if s in ("not checked", "skipped"))))
        return 0
    explained = equivalent()
    text, unexplained = table(statuses, explained)
    print(text)
    run = {n for n, s in statuses.items() if s not in ("not checked", "skipped")}
    stale = sorted(n for n in explained if n in run and statuses[n] != "survived")
    if stale:
        print(f"\n{len(stale)} mutant(s) listed as equivalent no longer survive: "
              + ", ".join(stale))
    if unexplained:
        print(f"\n{len(unexplained)} survivor(s) neither killed nor explained "
              "(`mutmut show NAME` shows one):")
        print("\n".join(f"  {name}" for name in unexplained))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
