"""content: never overstate early research, say what kind of study each summary is, and notice
thin sections."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from newsletter.checks.model import CheckContext, Finding, check, info, warning

if TYPE_CHECKING:
    from newsletter.issue.plan import Entry


def _phrase(words: str) -> str:
    """A word or phrase as a pattern: case-insensitive, hyphen or space alike."""
    return r"[\s\-]+".join(re.escape(part) for part in re.split(r"[\s\-]+", words.strip()))


def hype_found(text: str, hype_words: Iterable[str], clinical_terms: Iterable[str]) -> list[str]:
    """The hype words in `text` (with simple endings: cures, cured), outside the clinical terms."""
    for term in clinical_terms:
        if term.strip():
            text = re.sub(rf"(?<!\w){_phrase(term)}(?:s|es)?(?!\w)", " ", text, flags=re.I)
    found = []
    for word in hype_words:
        if not word.strip():
            continue
        match = re.search(rf"(?<!\w){_phrase(word)}(?:s|es|d|ed)?(?!\w)", text, flags=re.I)
        if match:
            found.append(match.group(0))
    return found


@check("content.hype")
def hype(ctx: CheckContext) -> list[Finding]:
    """Hype words ("cure", "breakthrough", ...) in the subject, preheader, titles and teasers
    warn, except inside clinical terms ("breakthrough pain")."""
    words, terms = ctx.config.checks.hype_words, ctx.config.checks.clinical_terms
    texts: list[tuple[str, str, str]] = []
    if ctx.plan is not None:
        where = ctx.plan.issue.path or f"issue {ctx.plan.issue.id}"
        texts += [(where, "subject", ctx.subject or ""), (where, "preheader", ctx.preheader or "")]
    seen = set()
    for entry in ctx.entries:
        if entry.summary.id in seen:
            continue
        seen.add(entry.summary.id)
        texts += [(entry.summary.path, "title", entry.summary.title),
                  (entry.summary.path, "teaser", entry.summary.teaser)]
    findings = []
    for where, field, text in texts:
        found = hype_found(text, words, terms)
        if found:
            quoted = ", ".join(f'"{w}"' for w in dict.fromkeys(found))
            findings.append(warning(
                f"{where} {field}", f"{quoted} may overstate the research: {text[:90]}"
                + ("…" if len(text) > 90 else ""),
                "say what the study found and its limits instead; if the word is right here "
                "(a clinical term), add the term to [checks] clinical_terms"))
    return findings


def _why(entry: Entry) -> str:
    reason = entry.study_type.reason()
    return reason.removeprefix("unclear: ")


@check("content.study-type")
def study_type(ctx: CheckContext) -> list[Finding]:
    """A summary whose study type is neither given nor inferable warns (readers need it to
    weigh the result)."""
    findings = []
    for entry in ctx.entries:
        if entry.study_type.label is None:
            findings.append(warning(
                entry.summary.path, f"the study type is unclear ({_why(entry)}), "
                "so the card shows none", "add study_type: clinical-trial | observational | lab "
                "| review | other to the front matter"))
    return findings


@check("content.single-item")
def single_item(ctx: CheckContext) -> list[Finding]:
    """A section with a single summary (info)."""
    if ctx.plan is None:
        return []
    where = ctx.plan.issue.path or f"issue {ctx.plan.issue.id}"
    return [info(f"{where} section {s.theme.id}", f"the section \"{s.theme.label}\" has a single "
                 "summary", "fine as it is; or move it with themes: in its front matter, or "
                 "feature it")
            for s in ctx.plan.sections if len(s.entries) == 1 and not s.more]
