"""Rewrite tests/golden/*/expected from the current templates (`make golden`).

It refuses to run when the git work tree has uncommitted changes, so what it rewrites is the only
change afterwards, and it prints that change (`git diff -- tests/golden`): review it before
committing, in a commit of its own saying why. Commit the template change first.

    python scripts/regen_golden.py           # refuse on a dirty tree, else rewrite and show the diff
    python scripts/regen_golden.py --check   # write nothing; show what would change; exit 1 if any
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers.golden import CASES, expected_dir, render_case

ROOT = Path(__file__).resolve().parent.parent


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"make golden: `git {' '.join(args)}` failed in {root}: "
                         f"{done.stderr.strip()}\nmake golden needs a git work tree to show "
                         "what it changed")
    return done.stdout


def uncommitted(root: Path) -> list[str]:
    """`git status --porcelain` lines: every change, staged or not, and untracked files."""
    return [line for line in git(root, "status", "--porcelain").splitlines() if line.strip()]


def pending() -> dict[Path, tuple[str, str]]:
    """Every expected file whose content would change: path -> (current, regenerated)."""
    changes = {}
    for name in CASES:
        folder = expected_dir(name)
        for filename, content in render_case(name).items():
            path = folder / filename
            old = path.read_text(encoding="utf-8") if path.is_file() else ""
            if old != content:
                changes[path] = (old, content)
    return changes


def show(changes: dict[Path, tuple[str, str]], root: Path) -> str:
    out = []
    for path, (old, new) in changes.items():
        name = path.relative_to(root).as_posix()
        out += difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{name}",
                                    f"b/{name}")
    return "".join(out)


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; print what would change and exit 1 if anything would")
    options = parser.parse_args(argv)
    if options.check:
        changes = pending()
        if changes:
            print(show(changes, root), end="")
            print(f"{len(changes)} golden file(s) differ from what `make golden` would write")
            return 1
        print("the golden files are what `make golden` would write")
        return 0
    dirty = uncommitted(root)
    if dirty:
        print("make golden: refusing to run on a work tree with uncommitted changes; commit (the "
              "template change first) or stash them, so the regenerated files are the only "
              "change to review:\n" + "\n".join(f"  {line}" for line in dirty))
        return 1
    changes = pending()
    created = {path: change for path, change in changes.items() if not path.exists()}
    for path, (_old, new) in changes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, encoding="utf-8")
    if not changes:
        print("make golden: the golden files are unchanged")
        return 0
    print(git(root, "--no-pager", "diff", "--stat", "--", "tests/golden"), end="")
    print(git(root, "--no-pager", "diff", "--", "tests/golden"), end="")
    print(show(created, root), end="")  # new files: git diff does not show untracked ones
    print(f"make golden: rewrote {len(changes)} file(s); review the diff above, then commit it "
          "on its own saying why the email changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
