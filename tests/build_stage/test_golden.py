"""Golden tests: the sample issue and an edge-case workspace, compared by structure.

After an intended template change run `make golden` and review `git diff tests/golden`.
"""

from __future__ import annotations

import difflib

import pytest
from helpers.golden import CASES, expected_dir, render_case, structure


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
