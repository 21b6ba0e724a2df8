"""What the hardening tests share: a fresh `newsletter init` workspace, running a command the way
a user does (exit code, stdout, stderr), editing the starter files, and listing a folder."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from newsletter.cli import main
from newsletter.config.starter import init_workspace

ISSUE = "2026-05"
ISSUE_FILE = "issues/2026-05.toml"
# Exit codes a command may end with: success, content/config problem, usage error.
ALLOWED_EXITS = (0, 1, 2)


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def clean(self) -> Outcome:
        """Assert the command ended as the tool promises: 0/1/2, no traceback, no "bug"."""
        assert self.exit_code in ALLOWED_EXITS, (self.exit_code, self.output)
        assert "Traceback" not in self.output, self.output
        assert "This is a bug" not in self.output, self.output
        return self


def fresh_workspace(folder: Path) -> Path:
    """A workspace exactly as `newsletter init` writes it."""
    init_workspace(folder)
    return folder


def run(root: Path | None, *args: str, stdin: bytes | None = None) -> Outcome:
    """`newsletter [--root ROOT] ARGS...` in-process, as a user would run it."""
    prefix = ["--root", str(root)] if root is not None else []
    result = CliRunner().invoke(main, [*prefix, *args], input=stdin, catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def run_process(root: Path, *args: str) -> Outcome:
    """`newsletter --root ROOT ARGS...` in a new process: what the user's next command sees
    (nothing a process keeps in memory, such as compiled templates or read caches, carries over).
    The process is forked from one that has imported the program and run nothing (a fork server),
    which saves the imports' 0.3 s a command; it gets this process's environment and folder."""
    import multiprocessing
    import tempfile

    global _FRESH
    if _FRESH is None:
        _FRESH = multiprocessing.get_context("forkserver")
        _FRESH.set_forkserver_preload(["newsletter.cli", "newsletter.build"])
    with tempfile.TemporaryDirectory(prefix="nl-run-") as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        process = _FRESH.Process(target=_run_command, args=(
            ["--root", str(root), *args], dict(os.environ), os.getcwd(), str(out), str(err)))
        process.start()
        process.join(120)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise AssertionError(f"newsletter {' '.join(args)} did not end within 120 s")
        return Outcome(process.exitcode, out.read_text(errors="replace"),
                       err.read_text(errors="replace"))


_FRESH = None


def _run_command(argv: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """In the new process: the command's stdout and stderr into files, its exit code the
    process's, as `python -m newsletter` would end."""
    import sys

    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(target, fd)
        os.close(target)
    code: int = 0
    try:
        main(argv, prog_name="newsletter")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def set_config(root: Path, **values: str) -> None:
    """Set top-level keys of newsletter.toml (TOML basic strings; escapes are written as given,
    so a value may carry `\\r` or `\\u0000` as TOML escapes)."""
    path = root / "newsletter.toml"
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        line = f'{key} = "{value}"'
        pattern = re.compile(rf"^#? ?{re.escape(key)} = .*$", re.M)
        if pattern.search(text):
            text = pattern.sub(lambda _m, line=line: line, text, count=1)
        else:
            text = line + "\n" + text
    path.write_text(text, encoding="utf-8")


def set_issue(root: Path, key: str, toml_value: str) -> None:
    """Set one key of the starter issue file to a TOML value written as given."""
    path = root / ISSUE_FILE
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(key)} = .*$", re.M)
    line = f"{key} = {toml_value}"
    text = pattern.sub(lambda _m: line, text, count=1) if pattern.search(text) else \
        line + "\n" + text
    path.write_text(text, encoding="utf-8")


def summary_file(title: str = "A walking study", published: str = "2026-05-12",
                 url: str = "https://example.org/s/extra", body: str = "Walking helped.",
                 **extra: str) -> str:
    lines = ["---", f"title: {title}", f"published: {published}", f"url: {url}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join([*lines, "---", body, ""])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (hidden ones included) by relative path, with its bytes."""
    out: dict[str, bytes] = {}
    if not folder.exists():
        return out
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out
