"""Cache keys follow the code: a change in any module or template that renders, or in any check
rule module (rules/ included), makes a new key, so no stale entry is ever used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import REPO

from newsletter.checks import counts
from newsletter.render import compiled

RENDER_FILES = sorted(p.relative_to(REPO / "newsletter" / "render").as_posix()
                      for p in (REPO / "newsletter" / "render").rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts)
CHECK_FILES = sorted(p.relative_to(REPO / "newsletter" / "checks").as_posix()
                     for p in (REPO / "newsletter" / "checks").rglob("*.py")
                     if "__pycache__" not in p.parts)


def copy_of(package: str, tmp_path: Path) -> Path:
    target = tmp_path / package
    shutil.copytree(REPO / "newsletter" / package, target,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target


def render_stamp(monkeypatch: pytest.MonkeyPatch, folder: Path) -> str:
    monkeypatch.setattr(compiled, "RENDER_PACKAGE", folder)
    compiled.toolchain_stamp.cache_clear()
    return compiled.toolchain_stamp()


def checks_stamp(monkeypatch: pytest.MonkeyPatch, folder: Path) -> str:
    monkeypatch.setattr(counts, "CHECKS_PACKAGE", folder)
    counts.rules_stamp.cache_clear()
    return counts.rules_stamp()


def test_the_lists_cover_templates_and_rule_modules() -> None:
    assert "templates/email.mjml.j2" in RENDER_FILES and "html.py" in RENDER_FILES
    assert any(f.startswith("templates/partials/") for f in RENDER_FILES)
    assert "rules/links.py" in CHECK_FILES and "registry.py" in CHECK_FILES


@pytest.mark.parametrize("name", RENDER_FILES)
def test_any_render_file_changes_the_compiled_html_key(name, tmp_path, monkeypatch) -> None:
    folder = copy_of("render", tmp_path)
    before = render_stamp(monkeypatch, folder)
    with (folder / name).open("ab") as handle:
        handle.write(b"\n")
    assert render_stamp(monkeypatch, folder) != before
    compiled.toolchain_stamp.cache_clear()


@pytest.mark.parametrize("name", CHECK_FILES)
def test_any_check_module_changes_the_counts_key(name, tmp_path, monkeypatch) -> None:
    folder = copy_of("checks", tmp_path)
    before = checks_stamp(monkeypatch, folder)
    with (folder / name).open("ab") as handle:
        handle.write(b"\n")
    assert checks_stamp(monkeypatch, folder) != before
    counts.rules_stamp.cache_clear()


def test_a_new_rule_module_changes_the_counts_key(tmp_path, monkeypatch) -> None:
    folder = copy_of("checks", tmp_path)
    before = checks_stamp(monkeypatch, folder)
    (folder / "rules" / "extra.py").write_text('"""A new group."""\n')
    assert checks_stamp(monkeypatch, folder) != before
    counts.rules_stamp.cache_clear()
