"""Rewrite tests/golden/*/expected from the current templates (run after an intended change).

Review the diff (`git diff tests/golden`) before committing it: it is the change subscribers see.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers.golden import CASES, expected_dir, render_case


def main() -> None:
    for name in CASES:
        folder = expected_dir(name)
        folder.mkdir(parents=True, exist_ok=True)
        for filename, content in render_case(name).items():
            (folder / filename).write_text(content, encoding="utf-8")
            print(f"wrote {folder / filename}")


if __name__ == "__main__":
    main()
