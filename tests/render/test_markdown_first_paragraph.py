"""A teaser taken from a body whose first paragraph spans several lines (a soft break)."""

from newsletter.render import markdown


def test_first_paragraph_with_a_soft_break_is_one_line() -> None:
    body = "People with MS walked more\nand felt *less* fatigue.\n\nSecond paragraph."
    assert markdown.first_paragraph(body) == "People with MS walked more and felt less fatigue."


def test_scaffolded_workspace_builds(tmp_path) -> None:
    from newsletter.build import build
    from newsletter.config.starter import init_workspace
    from newsletter.workspace import open_workspace

    init_workspace(tmp_path / "ws")
    result = build(open_workspace(tmp_path / "ws"), "2026-05", write=False)
    assert result.plan.count >= 1
