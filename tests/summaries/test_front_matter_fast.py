"""The fast front-matter reader must agree with PyYAML on everything it accepts."""

from __future__ import annotations

import random

import pytest
import yaml
from helpers import REPO

from newsletter.summaries.frontmatter import simple_front_matter, yaml_loader

REPO = REPO

CASES = [
    "title: A simple title", "title: Title: with colon", "title: 'quoted'", 'title: "dq"',
    "id: 2026", "flag: yes", "x: null", "x: ~", "themes: [living]", "themes: [living, research]",
    "themes: []", "themes: [a, ]", "t: a #comment", "t: a#b", "t: 3.5", "t: 1e3", "t: -5",
    "t: - item", "t: a [b] c", "t: ok:", "t: café – α", "t: TNF-α rises", "published: 2026-05-14",
    "published: 2026-05-14T09:30:00+02:00", "k:", "t: a\tb", "t: 0x1F", "t: .inf", "t: on",
    "t: No", "t: 12:30", "t: 1_000", "url: https://example.org/a?b=1&c=2", "t: 50% more",
    "t: %x", "t: a, b", "t: *alias", "t: !tag x", "t: @x", "t: `x`", "t: |", "t: >",
    "t: {a: 1}", "t: Yes we can", "t: True story", "t: .5", "t: 0o17", "t: 1:20:30", "t: =",
    "t: <<", "themes: [yes]", "themes: [1]", "t: a b  ", "t:  two spaces", "  t: indented",
    "t:x", "- a", "? key", "t: a\\nb", "t: 'unclosed", "t: x: y",
]


def agree(lines: list[str]) -> bool:
    """True when the fast reader accepted the lines (and then it must equal PyYAML)."""
    fast = simple_front_matter(lines)
    if fast is None:
        return False
    assert fast == yaml.load("\n".join(lines), Loader=yaml_loader()), lines
    return True


@pytest.mark.parametrize("line", CASES)
def test_each_case_agrees_or_falls_back(line):
    agree([line])


def test_random_lines_agree_or_fall_back():
    rng = random.Random(20261121)
    alphabet = [*"ab yZ09:-#[],{}'\"!&*|>%@`~?.=+_/\\\t", "true", "null", "1e3", "0x", ": "]
    accepted = 0
    for _ in range(5000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        accepted += agree([f"key: {value}"])
    assert accepted > 200  # the fast path really ran


def test_sample_summaries_use_the_fast_path_and_agree():
    used = 0
    for path in (REPO / "summaries").rglob("*.md"):
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines[0] != "---":
            continue
        end = lines.index("---", 1)
        used += agree(lines[1:end])
    assert used >= 38
