"""The fast front-matter reader must agree with PyYAML on everything it accepts."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest
import yaml
from helpers import REPO

from newsletter.summaries.frontmatter import (
    _plain_unsafe,
    implicit_resolvers,
    simple_front_matter,
    yaml_loader,
)

REPO = REPO

FALLBACK = None  # the fast reader declines the line, so PyYAML reads it

# Each line and what the fast reader must make of it, written out: the value it reads (which must
# also be PyYAML's), or FALLBACK for a line whose meaning could differ from plain text.
CASES: list[tuple[str, dict[str, object] | None]] = [
    ('title: A simple title', {'title': 'A simple title'}),
    ('title: Title: with colon', FALLBACK),
    ("title: 'quoted'", FALLBACK),
    ('title: "dq"', FALLBACK),
    ('id: 2026', FALLBACK),
    ('flag: yes', FALLBACK),
    ('x: null', FALLBACK),
    ('x: ~', FALLBACK),
    ('themes: [living]', {'themes': ['living']}),
    ('themes: [living, research]', {'themes': ['living', 'research']}),
    ('themes: []', {'themes': []}),
    # a no-break space is text to YAML, not a space to strip:
    ('themes: [living\xa0, \xa0research]', {'themes': ['living\xa0', '\xa0research']}),
    ('themes: [a, ]', FALLBACK),
    ('t: a #comment', FALLBACK),
    ('t: a#b', {'t': 'a#b'}),
    ('t: 3.5', FALLBACK),
    ('t: 1e3', {'t': '1e3'}),
    ('t: -5', FALLBACK),
    ('t: - item', FALLBACK),
    ('t: a [b] c', FALLBACK),
    ('t: ok:', FALLBACK),
    ('t: café – α', {'t': 'café – α'}),
    ('t: TNF-α rises', {'t': 'TNF-α rises'}),
    ('published: 2026-05-14', {'published': '2026-05-14'}),
    ('published: 2026-05-14T09:30:00+02:00', {'published': '2026-05-14T09:30:00+02:00'}),
    ('k:', FALLBACK),
    ('t: a\tb', FALLBACK),
    ('t: 0x1F', FALLBACK),
    ('t: .inf', FALLBACK),
    ('t: on', FALLBACK),
    ('t: No', FALLBACK),
    ('t: 12:30', FALLBACK),
    ('t: 1_000', FALLBACK),
    ('url: https://example.org/a?b=1&c=2', {'url': 'https://example.org/a?b=1&c=2'}),
    ('t: 50% more', {'t': '50% more'}),
    ('t: %x', FALLBACK),
    ('t: a, b', {'t': 'a, b'}),
    ('t: *alias', FALLBACK),
    ('t: !tag x', FALLBACK),
    ('t: @x', FALLBACK),
    ('t: `x`', FALLBACK),
    ('t: |', FALLBACK),
    ('t: >', FALLBACK),
    ('t: {a: 1}', FALLBACK),
    ('t: Yes we can', {'t': 'Yes we can'}),
    ('t: True story', {'t': 'True story'}),
    ('t: .5', FALLBACK),
    ('t: 0o17', {'t': '0o17'}),
    ('t: 1:20:30', FALLBACK),
    ('t: =', FALLBACK),
    ('t: <<', FALLBACK),
    ('themes: [yes]', FALLBACK),
    ('themes: [1]', FALLBACK),
    ('t: a b  ', {'t': 'a b'}),
    ('t:  two spaces', {'t': 'two spaces'}),
    ('  t: indented', FALLBACK),
    ('t:x', FALLBACK),
    ('- a', FALLBACK),
    ('? key', FALLBACK),
    ('t: a\\nb', {'t': 'a\\nb'}),
    ("t: 'unclosed", FALLBACK),
    ('t: x: y', FALLBACK),
]


def agree(lines: list[str]) -> bool:
    """True when the fast reader accepted the lines (and then it must equal PyYAML)."""
    fast = simple_front_matter(lines)
    if fast is None:
        return False
    assert fast == yaml.load("\n".join(lines), Loader=yaml_loader()), lines
    return True


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_each_case_is_read_as_written_or_falls_back(line, expected):
    assert simple_front_matter([line]) == expected
    if expected is not FALLBACK:
        assert expected == yaml.load(line, Loader=yaml_loader())


def test_the_cases_cover_both_paths():
    accepted = [line for line, expected in CASES if expected is not FALLBACK]
    assert len(accepted) == 20 and len(CASES) - len(accepted) == 42


def test_random_lines_agree_or_fall_back():
    rng = random.Random(20261121)
    alphabet = [*"ab yZ09:-#[],{}'\"!&*|>%@`~?.=+_/\\\t", "true", "null", "1e3", "0x", ": "]
    accepted = 0
    for _ in range(5000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        accepted += agree([f"key: {value}"])
    assert accepted > 200  # the fast path really ran


# The rule of a plain value YAML could read otherwise, as one regex (the reader tests substrings
# instead, which is faster): it must decline exactly these.
UNSAFE = re.compile(r"""^[-?:,\[\]{}#&*!|>'"%@`~ ]|[\[\]{}]|: | #|:$|\t""")


def test_the_unsafe_value_rule_is_the_regex_rule():
    rng = random.Random(20261130)
    alphabet = [*"ab Z0:-#[],{}'\"!&*|>%@`~?.=\t\xa0", ": ", " #"]
    for _ in range(20_000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        assert _plain_unsafe(value) == bool(UNSAFE.search(value)), repr(value)


def test_sample_summaries_use_the_fast_path_and_agree():
    used = 0
    for path in (REPO / "summaries").rglob("*.md"):
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines[0] != "---":
            continue
        end = lines.index("---", 1)
        used += agree(lines[1:end])
    assert used >= 38


def test_the_written_out_resolvers_are_pyyamls_own():
    """The fast reader's copy of PyYAML's implicit resolvers (numbers, booleans, null...) must
    be the installed PyYAML's: a new PyYAML that resolves other plain values fails here."""
    def table(resolvers):
        return {first: [(tag, rx.pattern, rx.flags) for tag, rx in found]
                for first, found in resolvers.items() if found}

    assert table(implicit_resolvers()) == table(yaml_loader().yaml_implicit_resolvers)


def test_a_file_the_fast_reader_takes_does_not_load_pyyaml(tmp_path):
    (tmp_path / "s.md").write_text("---\ntitle: Fatigue and sleep\npublished: 2026-05-01\n"
                                   "url: https://example.org/s\nthemes: [living]\n---\nBody.\n")
    code = ("import sys; from zoneinfo import ZoneInfo\n"
            "from newsletter.summaries.parse import parse_file\n"
            f"record = parse_file({str(tmp_path / 's.md')!r}, 's.md', ZoneInfo('UTC'), "
            "('living',))\n"
            "assert record['summary']['title'] == 'Fatigue and sleep', record\n"
            "print('yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
