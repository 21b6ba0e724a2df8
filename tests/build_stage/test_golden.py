"""Golden tests: the sample issue and an edge-case workspace, compared by structure.

After an intended template change run `make golden` and review `git diff tests/golden`.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from helpers import REPO
from helpers.golden import CASES, GOLDEN, expected_dir, render_case, structure


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    actual = render_case(case)
    for filename, content in actual.items():
        path = expected_dir(case) / filename
        assert path.is_file(), f"missing {path}: run `make golden`"
        expected = path.read_text(encoding="utf-8")
        if content != expected:
            diff = "".join(list(difflib.unified_diff(
                expected.splitlines(True), content.splitlines(True), "expected", "actual"))[:80])
            pytest.fail(f"{case}/{filename} differs (run `make golden` if intended):\n{diff}")


def test_structure_ignores_serialisation_but_not_content() -> None:
    a = '<html><body><p style="color: red;  margin:0">Hi  there</p></body></html>'
    b = '<html>\n <body>\n  <p style="color:red;margin:0">\n Hi there </p></body></html>'
    c = '<html><body><p style="color:blue;margin:0">Hi there</p></body></html>'
    assert structure(a) == structure(b)
    assert structure(a) != structure(c)


# --- `make golden` (scripts/regen_golden.py) ---------------------------------------------------


def regen_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regen_golden", REPO / "scripts/regen_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def git_repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env)
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_expected_folders_hold_exactly_what_make_golden_writes(case: str) -> None:
    written = set(render_case(case))
    assert written == {"email.html.structure", "email.txt", "manifest.json"}
    assert {p.name for p in expected_dir(case).iterdir()} == written


def test_make_golden_refuses_a_dirty_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    regen = regen_script()
    repo = git_repo(tmp_path / "repo", {"templates/card.j2": "{{ card.date }}\n"})
    (repo / "templates/card.j2").write_text("no date\n")

    def must_not_render(name: str) -> dict[str, str]:
        raise AssertionError("rendered on a dirty tree")

    monkeypatch.setattr(regen, "render_case", must_not_render)
    assert regen.main([], root=repo) == 1
    out = capsys.readouterr().out
    assert out.startswith("make golden: refusing to run on a work tree with uncommitted changes")
    assert " M templates/card.j2" in out


def test_make_golden_rewrites_and_prints_the_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    regen = regen_script()
    repo = git_repo(tmp_path / "repo", {"tests/golden/one/expected/email.txt": "14 May 2026\n"})
    monkeypatch.setattr(regen, "CASES", {"one": None})
    monkeypatch.setattr(regen, "expected_dir", lambda name: repo / "tests/golden" / name / "expected")
    monkeypatch.setattr(regen, "render_case", lambda name: {"email.txt": "no date\n",
                                                            "manifest.json": "{}\n"})
    assert regen.main([], root=repo) == 0
    out = capsys.readouterr().out
    assert "-14 May 2026\n+no date\n" in out  # git's diff of the rewritten file
    assert "+++ b/tests/golden/one/expected/manifest.json\n@@ -0,0 +1 @@\n+{}\n" in out  # a new one
    assert out.endswith("make golden: rewrote 2 file(s); review the diff above, then commit it on "
                        "its own saying why the email changed\n")
    assert (repo / "tests/golden/one/expected/email.txt").read_text() == "no date\n"
    assert regen.main([], root=repo) == 1  # now the tree is dirty: a second run refuses


def test_make_golden_check_writes_nothing_and_fails_on_a_difference(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    regen = regen_script()
    assert regen.main(["--check"]) == 0  # the committed files are what it would write
    assert capsys.readouterr().out == "the golden files are what `make golden` would write\n"
    real = regen.render_case
    monkeypatch.setattr(regen, "render_case", lambda name: {
        **real(name), "email.txt": real(name)["email.txt"] + "one more line\n"})
    before = {p: p.read_bytes() for p in GOLDEN.rglob("expected/*")}
    assert regen.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "+one more line\n" in out
    assert out.endswith("2 golden file(s) differ from what `make golden` would write\n")
    assert {p: p.read_bytes() for p in GOLDEN.rglob("expected/*")} == before
