"""spam: the SpamAssassin score of the email, with its local rules only.

Runs in `newsletter check` when SpamAssassin is installed (Debian: `apt-get install
spamassassin`); not in `build`'s counts (a first score takes about 2.5 seconds). It scores the eml export
(newsletter/checks/message.py; a message with stand-in values where that export cannot be made,
said in the finding) with no network and no Bayes learning, and never touches the user's files
(newsletter/checks/spamassassin.py). One finding: error from 5 points, warning from 2, else
info, with the score and every rule that fired. A local-rules score leaves out DNS blocklists,
SPF/DKIM and Bayes: it is a lower bound, not a delivery verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsletter.checks.message import from_parts
from newsletter.checks.model import CheckContext, Finding, Message, check, error, info, warning

if TYPE_CHECKING:  # the runner (subprocess, sockets) is imported when the rule runs: `build`'s
    from newsletter.checks.spamassassin import SpamReport  # counts never run it

INSTALL = "install it: sudo apt-get install spamassassin (Debian/Ubuntu; `make test` does it)"
# Rules with a cheap, known fix in a newsletter (the rest point to the rule's description).
FIXES = {
    "HTML_FONT_LOW_CONTRAST": "text coloured like its background (often a hidden preheader): "
                              "hide it with display:none and no colour of its own",
    "FONT_INVIS_MSGID": "text in a 0-1px font (often a hidden preheader): hide it with "
                        "display:none instead of a tiny font",
    "HTML_IMAGE_RATIO_02": "more text and fewer or smaller images",
    "HTML_IMAGE_ONLY_08": "more text beside the images",
    "MIME_HTML_ONLY": "send a text/plain part too",
    "SUBJ_ALL_CAPS": "write the subject in sentence case",
    "HTML_SHORT_LINK_IMG_1": "more text beside the linked images",
    "MPART_ALT_DIFF": "make the text part say what the HTML says",
    "MISSING_DATE": "send through the eml export or a mailing service (they add a Date)",
    "MISSING_MID": "send through the eml export or a mailing service (they add a Message-ID)",
    "GTUBE": "remove the GTUBE test string",
}
LEVELS = {"error": error, "warning": warning, "info": info}


def message_for(ctx: CheckContext) -> Message:
    """The runner's message (the eml export), made once per context; without one (a context
    made from two strings), a message built from the checked parts."""
    if ctx.message is not None:
        return ctx.memo("message", ctx.message)
    return from_parts(ctx.html, ctx.text, ctx.config, ctx.subject,
                      "no eml export was given to the check")


def describe(report: SpamReport, where: str, stand_in: str | None) -> Finding:
    """One finding at the level of the score: the score, each rule with points, the fixes."""
    from newsletter.checks.spamassassin import ERROR_AT, WARNING_AT

    scored = [r for r in report.rules if r.points != 0]
    zero = len(report.rules) - len(scored)
    rules = "; ".join(f"{r.name} {r.points:+.1f} ({r.description})" for r in scored) or \
        "no rule with points"
    message = (f"SpamAssassin scores the email {report.score:.1f} with its local rules "
               f"(warning from {WARNING_AT:g}, error from {ERROR_AT:g}): {rules}"
               + (f"; {zero} informational rule{'s' * (zero != 1)} with 0 points" if zero else "")
               + (f". Note: {stand_in}" if stand_in else ""))
    fixes = [f"{r.name}: {FIXES[r.name]}" for r in scored if r.name in FIXES and r.points > 0]
    fix = "; ".join(fixes) if fixes else (
        "see each rule's description; spamassassin --lint -D shows where a rule comes from"
        if any(r.points > 0 for r in scored) else None)
    return LEVELS[report.level](where, message, fix)


@check("spam.score", build=False)
def score(ctx: CheckContext) -> list[Finding]:
    """The SpamAssassin score of the eml export, local rules only (no network, no Bayes):
    warning from 2 points, error from 5; info when SpamAssassin is not installed."""
    from newsletter.checks import spamassassin

    executable = spamassassin.find()
    if executable is None:
        return [info("spamassassin", "SpamAssassin is not installed, so the spam score was not "
                                     "checked", INSTALL)]
    message = message_for(ctx)
    where = "the eml export" if message.stand_in is None else "a stand-in message"
    try:
        report = spamassassin.score(message.data, executable, ctx.root)
    except spamassassin.SpamAssassinError as exc:
        return [warning("spamassassin", f"SpamAssassin could not score the email: {exc}",
                        "export with --service eml and run spamassassin -L -t < FILE.eml by "
                        "hand to see why")]
    return [describe(report, where, message.stand_in)]
