"""Small HTML and text documents for the check tests, and a way to run one check on them."""

from __future__ import annotations

from newsletter.checks.model import CheckContext, Finding
from newsletter.checks.registry import ORDER, RULES
from newsletter.config.load import parse_config
from newsletter.config.schema import DEFAULT_DISCLAIMER, Config
from newsletter.issue.plan import Plan

CONFIG_TOML = """\
name = "Test Digest"
postal_address = "1 Test Street, Testville"
unsubscribe_url = "https://example.org/unsubscribe"
"""
ADDRESS = "1 Test Street, Testville"
UNSUBSCRIBE = "https://example.org/unsubscribe"
PREHEADER = ('<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;'
             'max-height:0px;max-width:0px;opacity:0;overflow:hidden;">Preview of this issue</div>')
DISCLAIMER_HTML = f'<p style="font-size:14px">{DEFAULT_DISCLAIMER}</p>'
FOOTER_HTML = (f'<p style="font-size:14px">{ADDRESS}</p>'
               f'<p style="font-size:14px"><a href="{UNSUBSCRIBE}">Unsubscribe</a></p>')


# What `check` runs without --online (links.online needs it), and the groups whose findings
# every real email has (the compat infos of MJML's markup, the spam score's one finding).
OFFLINE_RULES = [rule.id for rule in ORDER if not rule.online]
DELIVERABILITY = ("compat", "spam")


def core(findings: list[Finding]) -> list[Finding]:
    """The findings outside compat and spam (what the first 26 checks found)."""
    return [f for f in findings if f.group not in DELIVERABILITY]


def config(extra: str = "", base: str = CONFIG_TOML) -> Config:
    return parse_config(base + extra)


def page(content: str = "", *, lang: str = 'lang="en"', head: str = "",
         title: str = "Test Digest: May 2026", preheader: str = PREHEADER,
         disclaimer: str = DISCLAIMER_HTML, footer: str = FOOTER_HTML) -> str:
    """A small email in the shape the build makes: preheader, content in a layout table, footer."""
    return (f"<!doctype html><html {lang}><head><title>{title}</title>{head}</head>"
            f'<body style="background-color:#eef1f4">{preheader}'
            f'<table role="presentation" width="100%"><tr><td style="background:#ffffff">'
            f'<div style="font-size:16px;color:#1d2430">{content}{disclaimer}{footer}</div>'
            "</td></tr></table></body></html>")


def text(content: str = "", *, disclaimer: str = DEFAULT_DISCLAIMER, address: str = ADDRESS,
         unsubscribe: str = f"Unsubscribe: {UNSUBSCRIBE}") -> str:
    """A plain-text part wrapped like the build's."""
    import textwrap

    parts = ["TEST DIGEST - MAY 2026", content, textwrap.fill(disclaimer, 78), "--", address,
             unsubscribe]
    return "\n\n".join(p for p in parts if p) + "\n"


def context(html: str | None = None, txt: str | None = None, cfg: Config | None = None,
            plan: Plan | None = None, service: str | None = None,
            merge_tags: tuple[str, ...] = ()) -> CheckContext:
    return CheckContext(page() if html is None else html, text() if txt is None else txt,
                        cfg or config(), plan, service, merge_tags)


def run(rule_id: str, ctx: CheckContext) -> list[Finding]:
    return RULES[rule_id].run(ctx)


def levels(findings: list[Finding]) -> list[str]:
    return [f.level for f in findings]


def summaries(**overrides: dict[str, str]) -> dict[str, str]:
    """Four summaries in two sections of two (living, treatments), each with a study type.

    `overrides` maps a file stem to front-matter changes (title=..., study_type=None, ...).
    """
    from helpers import summary_text

    base = {
        "walking": dict(title="Walking more went with less fatigue", themes="[living]",
                        study_type="observational", published="2026-05-10"),
        "sleep": dict(title="Better sleep, better mood in a small study", themes="[living]",
                      study_type="clinical-trial", published="2026-05-12"),
        "dose-a": dict(title="Lower doses of a common therapy kept relapses rare",
                       themes="[treatments]", study_type="observational", published="2026-05-14"),
        "dose-b": dict(title="Infusions every eight weeks in a trial", themes="[treatments]",
                       study_type="clinical-trial", published="2026-05-16"),
    }
    files = {}
    for stem, fields in base.items():
        fields = {**fields, **overrides.get(stem, {})}
        extra = {k: v for k, v in fields.items() if k not in ("title", "published", "body")
                 and v is not None}
        body = fields.get("body") or "People with MS took part and the results were modest."
        files[f"2026/05/{stem}.md"] = summary_text(title=fields["title"],
                                                   published=fields["published"], slug=stem,
                                                   body=body, **extra)
    return files


# The UTM parameters of CONFIG_TOML's default [utm] for issue 2026-05, written out by hand: the
# link fixtures must not be made by the add_utm they help to check.
UTM = "utm_source=newsletter&utm_medium=email&utm_campaign=2026-05"


def with_utm(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{UTM}"


def cards_html(plan: Plan, *, utm: bool = True) -> str:
    """Cards for the plan's entries as the templates make them: title, teaser, Read more."""
    from html import escape

    out = []
    for section in plan.sections:
        out.append(f"<h2>{escape(section.theme.label)}</h2>")
        for entry in section.entries:
            url = with_utm(entry.summary.url) if utm else entry.summary.url
            out.append(f"<h3>{escape(entry.summary.title)}</h3><p>{escape(entry.summary.teaser)}"
                       f'</p><a href="{escape(url)}">Read more</a>')
    return "<h1>Test Digest</h1>" + "".join(out)


def cards_text(plan: Plan, *, utm: bool = True) -> str:
    return "\n\n".join(
        f"{e.summary.title}\nRead more: "
        f"{with_utm(e.summary.url) if utm else e.summary.url}"
        for s in plan.sections for e in s.entries)
