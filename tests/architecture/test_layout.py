"""The package's shape, checked: no import cycles, no private imports, click only in the CLI,
small modules, a short top level, and the README's Architecture section matching the tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import REPO

PACKAGE = REPO / "newsletter"
MAX_LINES = 400
MAX_TOP_LEVEL = 16


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node outside `if TYPE_CHECKING:` blocks (those imports never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    return [n for n in ast.walk(tree) if id(n) not in skipped]


def imports_of(name: str) -> list[tuple[str, str]]:
    """(imported module, imported name or '') for every import that runs, lazy ones included."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, str]] = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            found += [(base, alias.name) for alias in node.names]
    return found


def dependencies(name: str) -> set[str]:
    deps = set()
    for module, imported in imports_of(name):
        target = f"{module}.{imported}" if f"{module}.{imported}" in MODULES else module
        if target in MODULES and target != name and not name.startswith(target + "."):
            deps.add(target)  # a package's __init__ importing its own submodules is no cycle
    return deps


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep):], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_package_has_no_import_cycle() -> None:
    graph = {name: dependencies(name) for name in MODULES}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:  # so that the test above can fail
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_a_private_name_of_another() -> None:
    private = [f"{name}: from {module} import {imported}"
               for name in MODULES for module, imported in imports_of(name)
               if imported.startswith("_") and not imported.startswith("__")
               and module.startswith("newsletter")]
    assert private == []


def test_only_the_cli_imports_click() -> None:
    users = sorted(name for name in MODULES for module, _ in imports_of(name)
                   if module.split(".")[0] == "click")
    assert users and all(u == "newsletter.cli" or u.startswith("newsletter.cli.") for u in users)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines; split it by job"


def top_level() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir()
                  if p.name not in ("__init__.py", "__main__.py", "__pycache__")
                  and not p.name.endswith(".pyc"))


def test_the_top_level_is_short() -> None:
    assert len(top_level()) <= MAX_TOP_LEVEL, top_level()


def test_the_readme_architecture_section_lists_the_tree() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\s{4}  ([a-z_]+(?:\.py|/))", section, re.M))
    actual = {name + ("/" if (PACKAGE / name).is_dir() else "") for name in top_level()}
    assert listed == actual


def test_every_package_folder_has_an_init_with_a_docstring() -> None:
    for folder in PACKAGE.rglob("*"):
        if folder.is_dir() and any(folder.glob("*.py")):
            init = folder / "__init__.py"
            assert init.is_file(), folder
            assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


def test_seed_tests_fail_instead_of_skipping_under_ci(tmp_path: Path, monkeypatch) -> None:
    """Without ../shared/seeds a seed test skips on a laptop but fails with CI=true (pytest's
    own skip and fail outcomes, raised by the helper every seed test calls)."""
    import helpers
    import pytest

    monkeypatch.setattr(helpers, "SEEDS", tmp_path / "none")
    for laptop in ("", "0", "false"):
        monkeypatch.setenv("CI", laptop)
        with pytest.raises(pytest.skip.Exception, match="the seed pages are not in"):
            helpers.seed_pages()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        helpers.seed_pages()
    for ci in ("true", "1", "TRUE"):
        monkeypatch.setenv("CI", ci)
        with pytest.raises(pytest.fail.Exception, match="CI must run the seed tests"):
            helpers.seed_pages()
