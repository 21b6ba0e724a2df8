"""compliance: what bulk-email law and the inbox expect of every issue.

An unsubscribe link and the sender's postal address in both parts (CAN-SPAM, and the UK/EU
rules on electronic marketing), a preheader, and a subject that fits the inbox.
"""

from __future__ import annotations

from newsletter.checks.dom import body, elements, has_text, normalise, own_text, tag, visible_text
from newsletter.checks.model import HTML_PART, TEXT_PART, CheckContext, Finding, check, error, info, warning
from newsletter.checks.tags import ADDRESS_TOKEN, UNSUBSCRIBE_TOKEN, merge_tags, tags_about
from newsletter.config.load import CONFIG_FILE
from newsletter.render.placeholders import remaining
from newsletter.values import is_link

SUBJECT_MAX = 70
OK, TOKEN, MISSING = "ok", "placeholder", "missing"


def _unsubscribe_in_html(ctx: CheckContext) -> str:
    if tags_about(merge_tags(ctx, ctx.html), "unsub"):
        return OK
    state = MISSING
    for el in elements(body(ctx.document)):
        if "unsub" in tag(el) and not ctx.is_hidden(el):
            return OK  # a service's element tag, such as Campaign Monitor's <unsubscribe>
        if tag(el) != "a" or ctx.is_hidden(el):
            continue
        href = (el.get("href") or "").strip()
        if href == UNSUBSCRIBE_TOKEN:
            state = TOKEN
        elif is_link(href) and (href == ctx.config.unsubscribe_url
                                 or "unsub" in href.lower()
                                 or "unsubscribe" in el.text_content().lower()):
            return OK
    return state


def _unsubscribe_in_text(ctx: CheckContext) -> str:
    if tags_about(merge_tags(ctx, ctx.text), "unsub"):
        return OK
    if ctx.config.unsubscribe_url and ctx.config.unsubscribe_url in ctx.text:
        return OK
    for line in ctx.text.splitlines():
        words = line.split()
        if "unsub" in line.lower() and any(is_link(w.strip("<>()")) for w in words):
            return OK
    return TOKEN if UNSUBSCRIBE_TOKEN in ctx.text else MISSING


@check("compliance.unsubscribe")
def unsubscribe(ctx: CheckContext) -> list[Finding]:
    """An unsubscribe link (or the service's unsubscribe tag) in both parts (error).

    In the generic build, an unset unsubscribe_url leaves a placeholder that each service's
    export fills: that is reported as info.
    """
    states = {HTML_PART: _unsubscribe_in_html(ctx), TEXT_PART: _unsubscribe_in_text(ctx)}
    findings = []
    for part, state in states.items():
        if state == MISSING:
            findings.append(error(part, "no unsubscribe link", "keep the unsubscribe link of "
                                  "partials/footer.mjml.j2 and email.txt.j2, and set "
                                  "unsubscribe_url in newsletter.toml (or export for a service)"))
        elif state == TOKEN and ctx.service:
            findings.append(error(part, f"the unsubscribe link is still the placeholder "
                                        f"{UNSUBSCRIBE_TOKEN}: the {ctx.service} export did not "
                                        "fill it", "export again; if it persists, report it"))
    if ctx.service is None and TOKEN in states.values():
        findings.append(info(CONFIG_FILE, f"unsubscribe_url is not set: the email keeps "
                                          f"{UNSUBSCRIBE_TOKEN}, which each service's export "
                                          "fills with its own unsubscribe link",
                             "nothing to do when you send through `newsletter export`; set "
                             "unsubscribe_url to send this build as it is"))
    return findings


def _address_state(ctx: CheckContext, shown: str, document: str) -> str:
    address = normalise(ctx.config.postal_address)
    if address and address in shown:
        return OK
    if tags_about(merge_tags(ctx, document), "address"):
        return OK
    return TOKEN if ADDRESS_TOKEN in document else MISSING


@check("compliance.postal-address")
def postal_address(ctx: CheckContext) -> list[Finding]:
    """The sender's postal address (or the service's address tag) in both parts (error)."""
    if ctx.service is None and not ctx.config.postal_address.strip():
        return [error(CONFIG_FILE, "postal_address is not set, so the email carries no postal "
                                   "address (bulk email must show one)",
                      'set postal_address = "Organisation, street, town, postcode" in '
                      "newsletter.toml")]
    states = {HTML_PART: _address_state(ctx, visible_text(ctx.document, ctx.hidden), ctx.html),
              TEXT_PART: _address_state(ctx, normalise(ctx.text), ctx.text)}
    findings = []
    for part, state in states.items():
        if state == TOKEN:
            findings.append(error(part, f"the postal address is still the placeholder "
                                        f"{ADDRESS_TOKEN}", "export again for the service, or "
                                        "set postal_address in newsletter.toml"))
        elif state == MISSING:
            findings.append(error(part, "the postal address is missing (or hidden)",
                                  "keep {{ placeholders.postal_address }} in the footer of "
                                  "partials/footer.mjml.j2 and email.txt.j2"))
    return findings


def preheader_text(ctx: CheckContext) -> str | None:
    """The hidden text before the first visible text of the body (what inboxes preview)."""
    for el in elements(body(ctx.document)):
        if not has_text(own_text(el)):
            continue
        if ctx.is_hidden(el):
            return normalise(el.text_content()) or None
        return None
    return None


@check("compliance.preheader")
def preheader(ctx: CheckContext) -> list[Finding]:
    """A hidden preheader at the top of the HTML, the inbox preview text (warning)."""
    found = preheader_text(ctx)
    where = ctx.plan.issue.path if ctx.plan and ctx.plan.issue.path else HTML_PART
    if found:
        return []
    return [warning(where, "no preheader: inboxes will preview the first text of the email "
                           "instead", 'set preheader = "..." in the issue file, and keep '
                           "the hidden preheader <div> at the top of <mj-body> in "
                           "email.mjml.j2")]


def _title(ctx: CheckContext) -> str:
    found = ctx.document.find(".//title")
    return normalise(found.text_content()) if found is not None else ""


@check("compliance.subject")
def subject(ctx: CheckContext) -> list[Finding]:
    """A subject is set (error); over 70 characters warns (inboxes cut it)."""
    text = normalise(ctx.subject if ctx.subject is not None else _title(ctx))
    where = ctx.plan.issue.path if ctx.plan and ctx.plan.issue.path else "subject"
    if not text:
        return [error(where, "the subject is empty", 'set subject = "..." in the issue file')]
    if len(text) > SUBJECT_MAX:
        return [warning(where, f"the subject has {len(text)} characters; inboxes show about "
                               f"{SUBJECT_MAX} or fewer: \"{text}\"",
                        f"shorten the subject to {SUBJECT_MAX} characters or fewer")]
    return []


@check("compliance.placeholders")
def placeholders(ctx: CheckContext) -> list[Finding]:
    """An export leaves no neutral placeholder unfilled (error; the generic build keeps them)."""
    if ctx.service is None:
        return []
    covered = {UNSUBSCRIBE_TOKEN, ADDRESS_TOKEN}  # reported by their own checks
    findings = []
    for part, document in ((HTML_PART, ctx.html), (TEXT_PART, ctx.text)):
        left = [t for t in remaining(document) if t not in covered]
        if left:
            findings.append(error(part, f"the {ctx.service} export left {', '.join(left)} "
                                        "unfilled; readers would see it as text",
                                  "report this: an export must replace every placeholder"))
    return findings
