"""A workspace template sees every name the README's "Templates" section documents, with the
values it says (the default theme uses only some of them, so only such a template shows a lost
or renamed one)."""

from __future__ import annotations

from datetime import date

from newsletter.build import build
from newsletter.workspace import Workspace

TEXT_TEMPLATE = """\
{{ disclaimer }}
issue={{ issue.id }} start={{ issue.start }} end={{ issue.end }} count={{ count }}
period={{ period }} name={{ name }} lang={{ lang }} intro=[{{ intro_html }}|{{ intro_text }}]
{% for s in sections %}section={{ s.id }}|{{ s.label }}|{{ s.colour }}|{{ s.more }}
{% for c in s.cards %}  card={{ c.id }}|{{ c.date }}|theme=[{{ c.theme_label }}]
{% endfor %}{% endfor %}{% for c in highlights %}highlight={{ c.id }}|theme=[{{ c.theme_label }}]
{% endfor %}"""


def text_with_every_name(ws: Workspace, **issue: object) -> str:
    (ws.root / "templates").mkdir(exist_ok=True)
    (ws.root / "templates" / "email.txt.j2").write_text(TEXT_TEMPLATE, encoding="utf-8")
    return build(ws, write=False, **issue).text


def test_the_documented_names_and_values(sample_ws: Workspace) -> None:
    text = text_with_every_name(sample_ws, issue_id="2026-05")
    assert "issue=2026-05 start=2026-05-01 end=2026-05-31 count=16\n" in text
    assert "period=May 2026 name=MS Research Digest lang=en intro=[<p>" in text
    assert "section=progression|Progression|" in text
    assert "  card=stopping-therapy-after-sixty|" not in text  # featured: in the highlights
    assert "highlight=stopping-therapy-after-sixty|theme=[Treatments & therapies]" in text
    assert "  card=remyelination-drug-visual-signals" not in text
    assert "section=related|Related conditions|#9b2c4b|0\n" \
        "  card=ham-tsp-care-gaps-commentary|26 May 2026|theme=[Related conditions]\n" \
        "  card=nmosd-b-cell-therapy-infections|12 May 2026|theme=[Related conditions]\n" in text


def test_without_an_intro_the_intro_names_are_empty(sample_ws: Workspace) -> None:
    text = text_with_every_name(sample_ws, start=date(2026, 5, 1), end=date(2026, 5, 15))
    assert "intro=[|]\n" in text
    assert "issue=2026-05-01_2026-05-15" in text or "start=2026-05-01 end=2026-05-15" in text
