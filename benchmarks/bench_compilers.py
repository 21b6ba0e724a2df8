"""The MJML compiler and CSS inliner candidates side by side: `make bench-compilers`.

    python benchmarks/bench_compilers.py [--runs 7]

Compilers: PyPI `mjml` (pure-Python port) and PyPI `mjml-python` (bindings to MRML, the Rust
port). Both install a module called `mjml`, so each gets its own venv under
benchmarks/.work/ (made once, from PyPI: premailer and css-inline in both). Two samples: the
sample issue's email.mjml and 60 realistic cards'. For each combination: import time, first
call in a fresh process, steady call, bytes, and rendering equality in Chromium against the
baseline (pure-Python port + premailer, what the project used before): elements whose computed
style differs and the largest box shift, at 375 and 600 px, with and without <style> blocks,
light and dark. A control (the compiled HTML not inlined) must differ, or the comparison proves
nothing. Prints a markdown table. The candidates' code: benchmarks/compilers/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks" / "compilers"
WORK = ROOT / "benchmarks" / ".work"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

VENVS = {"py": ["mjml==0.12.0"], "mrml": ["mjml-python==1.4.2"]}
INLINERS = ["premailer==3.10.0", "css-inline==0.24.0"]


def venv(name: str) -> Path:
    """benchmarks/.work/venv-<name>: the project's dependencies with this compiler."""
    folder = WORK / f"venv-{name}"
    python = folder / "bin" / "python"
    stamp = folder / ".ready"
    if stamp.exists():
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    deps = [d for d in deps if not d.startswith("mjml")]
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *deps, *VENVS[name], *INLINERS], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    stamp.write_text("")
    return python


def samples(folder: Path) -> list[Path]:
    """The sample issue's and 60 realistic cards' email.mjml, rendered by this checkout."""
    from helpers import realistic

    from newsletter.build import build
    from newsletter.workspace import open_workspace

    out = []
    for name, root in (("sample", ROOT), ("cards60",
                       realistic.write_workspace(folder / "cards60", 60))):
        mjml = build(open_workspace(root), "2026-05", write=False).email.mjml
        path = folder / f"{name}.mjml"
        path.write_text(mjml, encoding="utf-8")
        out.append(path)
    return out


def _ms(values: list[float]) -> str:
    return (f"{min(values) * 1000:.1f} / {statistics.median(values) * 1000:.1f} / "
            f"{max(values) * 1000:.1f}")


def table(reports: list[dict], render: dict, sample_names: list[str]) -> list[str]:
    rows = ["| combination | sample | import, ms | first call (imports done), ms | steady call, ms | bytes "
            "| elements with another computed style (of all cases) | largest box shift |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for report in reports:
        for key, run in report["runs"].items():
            sample, combo = key.split(":")
            imports = [t["cpu"] for t in report["imports"][combo]]
            cases = [v for k, v in render.items()
                     if k.startswith(f"{sample} ") and k.endswith(f" {combo}")]
            differs = sum(c["style_differs"] + c["unpaired"] for c in cases)
            shift = max((c["max_shift_px"] for c in cases), default=0.0)
            same = "baseline" if combo == "py+premailer" else f"{differs} ({len(cases)} cases)"
            rows.append(f"| {combo} | {sample} | {_ms(imports)} | "
                        f"{_ms([f['cpu'] for f in run['first']])} | "
                        f"{_ms([s['cpu'] for s in run['steady']])} | {run['bytes']:,} | {same} | "
                        f"{'-' if combo == 'py+premailer' else f'{shift:.2f} px'} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    pythons = {name: venv(name) for name in VENVS}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = samples(folder)
        out = folder / "html"
        reports = [json.loads(subprocess.run(
            [str(python), str(HERE / "timings.py"), str(out), str(args.runs), *map(str, files)],
            check=True, capture_output=True, text=True).stdout) for python in pythons.values()]
        names = [f.stem for f in files]
        render = json.loads(subprocess.run(
            [sys.executable, str(HERE / "render_equal.py"), str(out), *names], check=True,
            capture_output=True, text=True).stdout)
    (WORK / "last-run.json").write_text(json.dumps({"timings": reports, "render": render}))
    controls = [v for k, v in render.items() if k.endswith("not-inlined") and "no-style" in k]
    if not all(c["style_differs"] for c in controls):
        raise SystemExit("the control did not differ: the rendering comparison proves nothing")
    candidates = {k: v for k, v in render.items() if not k.endswith("not-inlined")}
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {args.runs} runs a "
          f"case, load average {os.getloadavg()[0]:.2f} at the end; times are process CPU "
          "time, min / median / max\n")
    print("\n".join(table(reports, candidates, names)))
    print(f"\ncontrol (compiled, not inlined, <style> removed): "
          f"{min(c['style_differs'] for c in controls)}+ elements differ, as they must")


if __name__ == "__main__":
    main()
