"""The build refuses a template set that drops the disclaimer from the HTML or from the plain
text (README "Templates"): each half through a real build with a workspace template."""

from __future__ import annotations

import pytest
from helpers import REPO, WorkspaceFactory, summary_text

from newsletter.build import build
from newsletter.errors import TemplateError

DEFAULTS = REPO / "newsletter" / "render" / "templates"
TEXT_DISCLAIMER = "ABOUT THESE SUMMARIES\n=====================\n\n{{ disclaimer | wrap }}\n"
# what the refusal tells the user to do, written out (not imported from the rule under test)
KEEP_IT = ('keep {% include "partials/disclaimer.mjml.j2" %} in email.mjml.j2 (and the '
           "disclaimer block in email.txt.j2); change the wording in newsletter.toml "
           "[disclaimer] text, not by removing it")


def text_template_without_disclaimer() -> str:
    default = (DEFAULTS / "email.txt.j2").read_text(encoding="utf-8")
    assert TEXT_DISCLAIMER in default  # the block this test removes is still the one shipped
    return default.replace(TEXT_DISCLAIMER, "")


@pytest.fixture
def ws_factory(make_ws: WorkspaceFactory) -> WorkspaceFactory:
    make_ws(summaries={"a.md": summary_text()})
    return make_ws


def test_a_text_template_without_the_disclaimer_is_refused(ws_factory: WorkspaceFactory) -> None:
    ws_factory.write("templates/email.txt.j2", text_template_without_disclaimer())
    ws = ws_factory.reopen()
    with pytest.raises(TemplateError) as exc:
        build(ws, "2026-05")
    assert exc.value.message == "the disclaimer is missing from the plain text"
    assert [(p.where, p.message, p.fix) for p in exc.value.problems] == [
        ("templates", "the disclaimer ([disclaimer] text) is missing from the plain text",
         KEEP_IT)]
    assert not (ws.output_path / "2026-05").exists()


def test_an_html_template_without_the_disclaimer_is_refused(ws_factory: WorkspaceFactory) -> None:
    ws_factory.write("templates/partials/disclaimer.mjml.j2", "")
    ws = ws_factory.reopen()
    with pytest.raises(TemplateError) as exc:
        build(ws, "2026-05")
    assert exc.value.message == "the disclaimer is missing from the HTML"  # the text has it
    assert [(p.where, p.message, p.fix) for p in exc.value.problems] == [
        ("templates", "the disclaimer ([disclaimer] text) is missing", KEEP_IT)]
    assert not (ws.output_path / "2026-05").exists()


def test_both_halves_missing_name_both(ws_factory: WorkspaceFactory) -> None:
    ws_factory.write("templates/email.txt.j2", text_template_without_disclaimer())
    ws_factory.write("templates/partials/disclaimer.mjml.j2", "")
    with pytest.raises(TemplateError) as exc:
        build(ws_factory.reopen(), "2026-05")
    assert exc.value.message == "the disclaimer is missing from the HTML and the plain text"
    assert len(exc.value.problems) == 2


def test_a_hidden_html_disclaimer_is_refused(ws_factory: WorkspaceFactory) -> None:
    default = (DEFAULTS / "partials" / "disclaimer.mjml.j2").read_text(encoding="utf-8")
    assert '<div class="d" style="' in default
    hidden = default.replace('<div class="d" style="', '<div class="d" style="display:none;')
    ws_factory.write("templates/partials/disclaimer.mjml.j2", hidden)
    with pytest.raises(TemplateError) as exc:
        build(ws_factory.reopen(), "2026-05")
    assert exc.value.message == "the disclaimer is missing from the HTML"
    assert "hidden from readers" in exc.value.problems[0].message


def test_a_reworded_disclaimer_in_both_parts_builds(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(config='[disclaimer]\ntext = "Not medical advice: ask your neurologist."\n',
                 summaries={"a.md": summary_text()})
    result = build(ws, "2026-05")
    assert "Not medical advice: ask your neurologist." in result.html
    assert "Not medical advice: ask your neurologist." in result.text
