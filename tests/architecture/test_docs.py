"""The documentation lists exactly what the code registers (as sqlite-utils checks its docs)."""

from __future__ import annotations

import re

from helpers import REPO

from newsletter.checks.registry import ORDER
from newsletter.cli import main


def test_the_readme_command_table_lists_exactly_the_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    documented = re.findall(r"^\| `newsletter ([a-z-]+)", table, re.M)
    assert sorted(documented) == sorted(main.commands)
    assert len(documented) == len(set(documented))


def test_docs_check_lists_exactly_the_registered_checks_in_their_order() -> None:
    text = (REPO / "docs" / "check.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", text, re.M)
    assert documented == [rule.id for rule in ORDER]
