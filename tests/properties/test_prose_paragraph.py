"""A teaser cut from a body skips markdown-it-py when the first paragraph is plain prose: on any
text, what the shortcut gives (when it gives anything) is what markdown-it-py's rendering gives,
and the shortcut does take the prose of real summaries."""

from __future__ import annotations

from helpers import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.render import markdown

PARSED = markdown._parsed_first_paragraph.__wrapped__  # the function itself, not its memo
# Prose and Markdown's characters alike, with line starts that open blocks
ALPHABET = "aZé5 α,.;:'\"?!/%()+=#>~|{}$@^-–—’“…°\n\t*_`[]<>&\\\r\u00a0"
LINE_STARTS = ["", "- ", "+ ", "* ", "1. ", "2) ", "# ", "> ", "    ", "   ", "```", "~~~", "===",
               "---", "***", "<div>", "[a]: http://x.org", "&amp; ", "\t", "10.", "a", "CD8+"]


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_the_shortcut_agrees_with_markdown_it_on_any_text(text: str) -> None:
    prose = markdown.prose_paragraph(text)
    if prose is not None:
        assert prose == PARSED(text)


line = st.tuples(st.sampled_from(LINE_STARTS),
                 st.text(alphabet=ALPHABET.replace("\n", ""), max_size=20)).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(line, max_size=6).map("\n".join))
def test_the_shortcut_agrees_with_markdown_it_on_lines_that_open_blocks(text: str) -> None:
    prose = markdown.prose_paragraph(text)
    if prose is not None:
        assert prose == PARSED(text)


def test_the_prose_of_real_summaries_takes_the_shortcut() -> None:
    seeds = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
    paragraphs = [p for seed in seeds
                  for p in seed.read_text(encoding="utf-8").split("\n")[1:3]] or [
        "People living with HAM/TSP and their caregivers should care \u2014 a drug (DMF) cut "
        "levels of IL-6, TNF-\u03b1 and IFN-\u03b3 by about 42% in CD8+ cells."]
    for paragraph in paragraphs:
        body = f"{paragraph}\n\nA second paragraph."
        assert markdown.prose_paragraph(body) == PARSED(body) == paragraph.strip()
