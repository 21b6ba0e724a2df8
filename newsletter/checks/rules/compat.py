"""compat: the HTML and CSS features of the email that mail clients drop (Can I email data).

The final HTML is parsed for every element, attribute, CSS property, value, at-rule and
selector it uses (newsletter/checks/features.py); each is matched against the Can I email
snapshot (newsletter/checks/caniemail.py) for the clients of `[checks] clients` (default: Gmail
web/Android/iOS, Outlook Windows/macOS/Outlook.com/iOS/Android, Apple Mail macOS/iOS, Yahoo,
Samsung Email). One info finding per feature: which clients do not support it, or only partly
(with the data's note), and what their readers lose.
"""

from __future__ import annotations

import re
from typing import Any

from newsletter.checks.caniemail import Gap, client_ids, family_list, load_snapshot, match
from newsletter.checks.features import extract
from newsletter.checks.model import HTML_PART, CheckContext, Finding, check, info

# What a reader of a client that lacks the feature loses, for the features the default theme
# uses or that are common in templates; anything else gets a sentence built from its kind.
LOSSES = {
    "css-at-media": "the mobile layout (the email shows its desktop width, scaled down)",
    "css-at-media-prefers-color-scheme": "the dark-mode colours (the client's own dark mode "
                                         "inverts the light design, or shows it light)",
    "html-meta-color-scheme": "the signal that the email has its own dark-mode colours",
    "css-at-font-face": "the web font (the fallback font is shown)",
    "html-style": "every style in <style> (only inline styles apply)",
    "css-max-width": "the width cap (columns can stretch to the full window)",
    "css-border-radius": "the rounded corners (square ones are shown)",
    "css-background-image": "the background image (the background colour is shown)",
    "css-display-flex": "the flex layout (boxes stack as blocks)",
    "css-display-none": "the hiding (hidden content such as the preheader may show)",
    "css-important": "the !important priority (the inline style wins)",
    "css-box-shadow": "the shadow",
    "css-linear-gradient": "the gradient (the background colour is shown)",
    "css-padding": "some of the spacing around text",
    "css-margin": "some of the spacing between blocks",
    "css-border": "some borders (the card outlines)",
    "html-div": "some styling of <div> blocks",
    "css-width": "the set widths (elements take their natural width)",
    "css-height": "the set heights",
    "css-max-height": "the height cap (the hidden preheader relies on it where display:none "
                      "is ignored)",
    "css-opacity": "the transparency",
    "css-overflow": "the clipping (hidden overflow may show)",
    "css-line-height": "the set line spacing",
    "css-white-space": "the control of line wrapping",
    "css-selector-class": "the rules written with class selectors",
    "css-selector-descendant": "the rules written with descendant selectors",
    "html-comments": "nothing visible (comments are stripped)",
    "css-pseudo-class-hover": "the hover effect",
}
# Features whose absence costs the reader nothing: not reported.
HARMLESS = {"html-doctype"}  # the data: "The HTML5 doctype has no impact" (Outlook Windows)
KIND_LOSS = {
    "element": "the element or its styling",
    "attribute": "what the attribute does",
    "element-attr": "what the element does",
    "doctype": "nothing (the client renders the same without it)",
    "property": "what {title} does (the declarations are ignored)",
    "value": "what {title} does",
    "important": "the !important priority",
    "function": "values written with this function (the declaration is dropped)",
    "unit": "values in this unit (the declaration is dropped)",
    "keyword": "values with this keyword",
    "at-rule": "the rules inside it",
    "media-feature": "the rules inside this media query",
    "selector": "the rules written with this selector",
    "pseudo": "the rules written with this pseudo-class or -element",
    "css-comment": "nothing visible",
    "html-comment": "nothing visible",
    "image-format": "images in this format (shown broken or as alt text)",
}
FIX = "see {url}; nothing to do if the email reads well without it there"


def _plain(note: str) -> str:
    """The data's Markdown notes as plain text: [text](url) -> text (url)."""
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", note).strip()


def describe(gap: Gap, snapshot: dict[str, Any]) -> Finding:
    """The info finding of one feature: where first, which clients, what readers lose."""
    where = f"{HTML_PART} {gap.use.first}" + (f" (and {gap.use.count - 1} more)"
                                              if gap.use.count > 1 else "")
    bits = []
    if gap.missing:
        names = snapshot["clients"]
        bits.append(f"not supported in {family_list(snapshot, gap.missing)}"
                    + "".join(f" ({names[c]['name']}: {_plain(n).rstrip('. ')})"
                              for c, n in gap.notes.items()))
    by_note: dict[str, list[str]] = {}
    for client, note in gap.partial:
        by_note.setdefault(_plain(note), []).append(client)
    for note, clients in by_note.items():
        bits.append(f"partly in {family_list(snapshot, clients)}" + (f": {note}" if note else ""))
    loss = LOSSES.get(gap.slug) or KIND_LOSS.get(gap.kind, "what it does").format(title=gap.title)
    readers = "readers there" if gap.missing else "some readers there"
    message = f"{gap.title}: {'; '.join(b.rstrip('. ') for b in bits)}. What {readers} lose: {loss}"
    return info(where, message, FIX.format(url=gap.url))


def selected_clients(ctx: CheckContext) -> list[str]:
    """`[checks] clients` (validated when newsletter.toml is read), in the snapshot's order."""
    chosen = set(ctx.config.checks.clients)
    return [c for c in client_ids() if c in chosen]


@check("compat.clients")
def clients(ctx: CheckContext) -> list[Finding]:
    """Every HTML and CSS feature the email uses that a client of `[checks] clients` does not
    support, or only partly (Can I email data): one info finding per feature."""
    snapshot = load_snapshot()
    gaps = [g for g in match(extract(ctx.document), selected_clients(ctx), snapshot)
            if g.slug not in HARMLESS]
    # "not supported" first (most clients first), then "partly"; the data's order otherwise
    gaps.sort(key=lambda g: (not g.missing, -len(g.missing)))
    return [describe(gap, snapshot) for gap in gaps]
