"""The Jinja environment is kept for the process (a preview renders on every save), yet every
change to the workspace's templates reaches the next render."""

from __future__ import annotations

from helpers import summary_text

from newsletter.build import build

INTRO = "<mj-section><mj-column><mj-text>{}</mj-text></mj-column></mj-section>"


def test_adding_editing_and_removing_an_override_in_one_process(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    partials = ws.root / "templates" / "partials"
    partials.mkdir(parents=True)
    (ws.root / "templates" / "README.md").write_text("overrides go here")
    assert "Override one" not in build(ws, "2026-05", write=False).html
    override = partials / "intro.mjml.j2"
    override.write_text(INTRO.format("Override one"))
    assert "Override one" in build(ws, "2026-05", write=False).html
    override.write_text(INTRO.format("Override two"))
    assert "Override two" in build(ws, "2026-05", write=False).html
    override.unlink()
    html = build(ws, "2026-05", write=False).html
    assert "Override" not in html and "About these summaries" in html
