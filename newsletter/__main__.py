"""The `newsletter` program: `python -m newsletter`, and the installed script (pyproject.toml:
newsletter = "newsletter.__main__:run"). The commands are newsletter/cli; this sets up the process.
"""

from __future__ import annotations

import gc

# A command runs for a second or two and keeps most of what it makes (modules, the summaries'
# index): with Python's first threshold (700 new objects) a build after an edit spent 20-30 ms
# in 73 passes of the garbage collector over them. At 100,000 that build makes none (mypy raises
# it the same way); a command that makes more still collects its cyclic garbage, in fewer,
# longer passes. The desk, which runs for hours, puts Python's thresholds back (`gc_thresholds`).
COMMAND_GC_FIRST_THRESHOLD = 100_000


def run() -> None:
    python_thresholds = gc.get_threshold()
    gc.set_threshold(COMMAND_GC_FIRST_THRESHOLD, *python_thresholds[1:])
    from newsletter.cli import main

    try:
        main(obj={"gc_thresholds": python_thresholds})
    finally:
        # The process ends here. The interpreter's exit runs the collector over every object
        # left, several times (after a build of 20,000 summaries, 30 ms or more): frozen
        # (gc.freeze), they are freed as the exit clears them, without those passes.
        gc.freeze()


if __name__ == "__main__":
    run()
