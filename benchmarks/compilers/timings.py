"""Run inside one candidate venv: import, first-call and steady-state times of its two
combinations, and their final HTML (for the rendering comparison).

    VENV/bin/python timings.py OUT_DIR RUNS SAMPLE.mjml...   -> JSON on stdout

import: a fresh `python -c` importing the compiler and the inliner, timed inside the process
        (interpreter start-up excluded); first: a fresh process, the compiler and the inliner
        imported, one whole call (compile, inline, minify: what is left of a cache miss after
        the imports); steady: RUNS calls in one process after two warm-ups. Each
        time is taken twice: wall clock and process CPU time (steadier on a shared machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def timed_import(statement: str) -> dict[str, float]:
    code = ("import time; w, c = time.perf_counter(), time.process_time(); " + statement +
            "; print(time.perf_counter() - w, time.process_time() - c)")
    wall, cpu = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                               text=True).stdout.split()
    return {"wall": float(wall), "cpu": float(cpu)}


def calls(combo: str, sample: str, steady: int) -> dict:
    """In this process: the first call, then `steady` calls after two warm-ups."""
    import candidates

    source = Path(sample).read_text(encoding="utf-8")
    __import__({"premailer": "premailer", "cssinline": "css_inline"}[combo.split("+")[1]])

    def once() -> tuple[dict[str, float], str]:
        w, c = _clocks()
        html = candidates.pipeline(combo, source)
        w2, c2 = _clocks()
        return {"wall": w2 - w, "cpu": c2 - c}, html

    first, html = once()
    runs = []
    if steady:
        once()
        once()
        runs = [once()[0] for _ in range(steady)]
    return {"first": first, "steady": runs, "bytes": len(html.encode("utf-8")), "html": html}


def main() -> None:
    if sys.argv[1] == "--calls":
        print(json.dumps(calls(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return
    import candidates

    out_dir, runs, samples = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict = {"compiler": candidates.COMPILER, "imports": {}, "runs": {}}
    for combo in candidates.COMBOS:
        compiler, inliner = combo.split("+")
        statement = f"{candidates.IMPORTS[compiler]}; {candidates.IMPORTS[inliner]}"
        report["imports"][combo] = [timed_import(statement) for _ in range(runs)]
    for sample in samples:
        for combo in candidates.COMBOS:
            firsts = [json.loads(subprocess.run(
                [sys.executable, __file__, "--calls", combo, sample, "0"], check=True,
                capture_output=True, text=True).stdout)["first"] for _ in range(runs)]
            steady = json.loads(subprocess.run(
                [sys.executable, __file__, "--calls", combo, sample, str(runs)], check=True,
                capture_output=True, text=True).stdout)
            name = Path(sample).stem
            (out_dir / f"{name}.{combo}.html").write_text(steady["html"], encoding="utf-8")
            report["runs"][f"{name}:{combo}"] = {"first": firsts, "steady": steady["steady"],
                                                 "bytes": steady["bytes"]}
        if candidates.COMPILER == "py":  # the control: compiled, not inlined
            html = candidates.project.minify(candidates.COMPILE(Path(sample).read_text()))
            (out_dir / f"{Path(sample).stem}.not-inlined.html").write_text(html, encoding="utf-8")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
