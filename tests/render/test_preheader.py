"""The preheader: hidden without low-contrast or tiny text, and padded after its text so the
body's first words stay out of the inbox snippet."""

from __future__ import annotations

import re

import pytest
from helpers.checks import context

from newsletter.build import prepare, render_plan
from newsletter.checks import spamassassin as sa
from newsletter.checks.dom import body, elements, hides_itself, style_of
from newsletter.checks.message import eml_message, from_parts
from newsletter.checks.registry import RULES
from newsletter.workspace import Workspace

PREVIEW_CHARS = 150  # the template pads the preheader to this many characters
PAD = "\u034f\u200c\u00a0"  # combining grapheme joiner, zero-width non-joiner, no-break space
ZERO_WIDTH = re.compile("[\u034f\u200b\u200c\u200d\ufeff]")


def sample(ws: Workspace, preheader: str | None = None):
    if preheader is not None:
        issue = ws.issues_path / "2026-05.toml"
        issue.write_text(re.sub(r'(?m)^preheader = ".*"$', f'preheader = "{preheader}"',
                                issue.read_text()))
    return render_plan(ws, prepare(ws, "2026-05"))


def preheader_div(html: str):
    ctx = context(html)
    first = next(el for el in elements(body(ctx.document)) if hides_itself(el))
    return ctx, first


def test_the_preheader_is_hidden_without_colour_or_font_size(sample_ws: Workspace) -> None:
    result = sample(sample_ws)
    ctx, div = preheader_div(result.html)
    assert div.text_content().startswith(result.plan.preheader)
    style = style_of(div)
    assert style["display"] == "none" and style["mso-hide"] == "all"
    assert "color" not in style and "font-size" not in style and "line-height" not in style
    assert RULES["compliance.preheader"].run(ctx) == []


def test_the_preheader_is_padded_to_the_snippet_length(sample_ws: Workspace) -> None:
    result = sample(sample_ws)
    preheader = result.plan.preheader
    _, div = preheader_div(result.html)
    padding = div.text_content()[len(preheader):]
    assert padding == PAD * (PREVIEW_CHARS - len(preheader))
    # an inbox snippet: the body's text, hidden parts included, zero-width characters dropped
    text = re.sub(r"[ \t\r\n]+", " ", ZERO_WIDTH.sub("", body(preheader_div(result.html)[0]
                                                               .document).text_content()))
    snippet = text.lstrip()[:PREVIEW_CHARS]
    assert snippet.startswith(preheader)
    assert snippet[len(preheader):].strip("\u00a0 ") == ""  # no word of the body leaks in


def test_a_long_preheader_gets_no_padding(sample_ws: Workspace) -> None:
    long = "Remyelination " * 12  # 168 characters
    result = sample(sample_ws, long.strip())
    _, div = preheader_div(result.html)
    assert div.text_content() == long.strip()


def rule_names(message: bytes, executable: str) -> tuple[float, set[str]]:
    report = sa.run(message, executable)
    return report.score, {r.name for r in report.rules}


def test_the_sample_scores_at_most_zero(sample_ws: Workspace, spamassassin: str) -> None:
    result = sample(sample_ws)
    made = eml_message(result, sample_ws.config)
    assert made.stand_in is None  # the real eml export of the sample
    score, names = rule_names(made.data, spamassassin)
    assert score <= 0, names
    assert not names & {"HTML_FONT_LOW_CONTRAST", "FONT_INVIS_MSGID"}


@pytest.mark.parametrize(("style", "rule"), [
    # what <mj-preview> writes: white 1px text on the light body background
    ("display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;"
     "opacity:0;overflow:hidden", "HTML_FONT_LOW_CONTRAST"),
    ("display:none;font-size:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden",
     "FONT_INVIS_MSGID"),
])
def test_the_old_ways_of_hiding_it_score(sample_ws: Workspace, spamassassin: str, style: str,
                                         rule: str) -> None:
    """So that the test above can fail: each of these styles fires its rule."""
    result = sample(sample_ws)
    _, div = preheader_div(result.html)
    html = result.html.replace(f'style="{div.get("style")}"', f'style="{style}"', 1)
    assert html != result.html
    made = from_parts(html, result.text, sample_ws.config, result.plan.subject, "test")
    _score, names = rule_names(made.data, spamassassin)
    assert rule in names
