"""The newsletter.toml schema: dataclasses whose fields carry their documentation and check.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsletter.config.fields import (
    email_address,
    email_addresses,
    email_clients,
    hex_colour,
    http_url,
    https_url,
    language_tag,
    mailto_address,
    no_blank_items,
    not_blank,
    pattern,
    positive_int,
    relative_dir,
    section_url_pattern,
    setting,
    smtp_server,
    theme_id,
    timezone_name,
)
from newsletter.values import EMAIL_CLIENTS


@dataclass(frozen=True)
class Theme:
    id: str = setting("", "Stable id used in front matter and issue files.", theme_id, required=True)
    label: str = setting("", "Heading shown in the email.", not_blank, required=True)
    keywords: tuple[str, ...] = setting((), "Words and phrases the classifier looks for.")
    colour: str = setting("#4a5563", "Accent colour of the section heading.", hex_colour)


DEFAULT_THEMES: tuple[Theme, ...] = (
    Theme(
        id="treatments",
        label="Treatments & therapies",
        colour="#1f6f8b",
        keywords=(
            "treatment", "therapy", "drug", "medicine", "medication", "dose", "dosing",
            "disease-modifying", "DMT", "clinical trial", "side effect", "safety",
            "relapse rate", "infusion", "dimethyl fumarate", "ocrelizumab", "ofatumumab",
            "natalizumab", "rituximab", "fingolimod", "siponimod", "cladribine", "alemtuzumab",
            "teriflunomide", "interferon", "glatiramer", "BTK inhibitor", "stem cell transplant",
            "HSCT", "remyelinating",
        ),
    ),
    Theme(
        id="progression",
        label="Progression",
        colour="#8a4b08",
        keywords=(
            "progressive", "progression", "disability", "worsening", "atrophy",
            "neurodegeneration", "neurodegenerative", "nerve damage", "nerve loss",
            "nerve fiber", "nerve fibre", "smouldering", "smoldering", "PIRA", "EDSS",
            "long-term", "decline",
        ),
    ),
    Theme(
        id="diagnosis",
        label="Diagnosis & monitoring",
        colour="#2e6b30",
        keywords=(
            "diagnosis", "diagnose", "diagnosed", "diagnostic", "misdiagnosis", "MRI", "scan",
            "OCT", "optical coherence tomography", "eye scan", "biomarker", "neurofilament",
            "NfL", "sGFAP", "GFAP", "lesion", "monitoring", "blood test", "spinal fluid",
            "McDonald criteria", "early detection", "screening",
        ),
    ),
    Theme(
        id="living",
        label="Living with MS",
        colour="#7a3e8e",
        keywords=(
            "fatigue", "exercise", "diet", "sleep", "mood", "depression", "anxiety",
            "wellbeing", "well-being", "quality of life", "daily life", "daily task", "walking",
            "balance", "pain", "bladder", "cognition", "memory", "employment", "job",
            "caregiver", "rehabilitation", "physiotherapy", "pregnancy", "heat", "symptom",
            "vitamin D", "smoking", "weight",
        ),
    ),
    Theme(
        id="related",
        label="Related conditions",
        colour="#9b2c4b",
        keywords=(
            "NMOSD", "neuromyelitis optica", "MOGAD", "MOG antibody", "HAM/TSP", "HTLV-1",
            "aquaporin-4", "AQP4", "autoimmune encephalitis", "encephalitis", "PML",
            "related condition", "related disease",
        ),
    ),
    Theme(
        id="research",
        label="Research & discovery",
        colour="#3b4a8f",
        keywords=(
            "gene", "genetic", "genetics", "genome", "immune cell", "B cell", "T cell",
            "gut bacteria", "microbiome", "Epstein-Barr", "EBV", "mice", "mouse", "molecule",
            "protein", "mechanism", "pathway", "antibody", "laboratory", "cell",
        ),
    ),
)


@dataclass(frozen=True)
class Colors:
    primary: str = setting("#1f4e79", "Links and the header band.", hex_colour)
    background: str = setting("#eef1f4", "Page background around the email.", hex_colour)
    surface: str = setting("#ffffff", "Background of the email's content.", hex_colour)
    text: str = setting("#1d2430", "Body text.", hex_colour)
    muted: str = setting("#4a5563", "Dates, sources and footer text.", hex_colour)
    header_text: str = setting("#ffffff", "Text on the header band.", hex_colour)


@dataclass(frozen=True)
class Utm:
    source: str = setting("newsletter", "utm_source added to every summary link.", not_blank)
    medium: str = setting("email", "utm_medium added to every summary link.", not_blank)
    campaign: str = setting(
        "{issue}", "utm_campaign; {issue} is replaced by the issue id.", not_blank
    )


DEFAULT_DISCLAIMER = (
    "These summaries are AI-generated and are for information only; they are not medical "
    "advice. Many of the studies are early (small groups, lab or animal work, or short "
    "follow-up), so their results have limits and may not apply to you. Please talk to your "
    "neurologist or another healthcare professional before changing your treatment or care."
)


@dataclass(frozen=True)
class Disclaimer:
    text: str = setting(
        DEFAULT_DISCLAIMER,
        "Shown in every issue, in HTML and text. The wording may change; the block may not go.",
        not_blank, multiline=True,
    )


DEFAULT_HYPE_WORDS = ("cure", "breakthrough", "miracle", "game-changer")
DEFAULT_CLINICAL_TERMS = ("breakthrough disease activity", "breakthrough pain")


def check_id(value: str) -> str | None:
    """The shape of a check id: a group ('links') or a rule ('accessibility.contrast'). Whether
    the check exists is known only to the checks: `load.parse_config` asks them."""
    if re.fullmatch(r"[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)?", value):
        return None
    return f"'{value}' is not a check id (a group such as 'links' or a rule such as " \
           "'accessibility.contrast')"


def unknown_check_id(value: str, ids: Sequence[str]) -> str | None:
    """The message for an id that names no check, with the closest known id."""
    if value in ids:
        return None
    close = [i for i in ids if i.rsplit(".", 1)[-1] == value]  # 'contrast' for a rule's id
    close = close or difflib.get_close_matches(value, ids, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown check id '{value}'; {hint}known ids: {', '.join(ids)}"


@dataclass(frozen=True)
class DisabledCheck:
    id: str = setting("", "A check id (a group such as 'content' or a rule such as "
                          "'content.hype'); `newsletter check --help` lists them.", check_id,
                      required=True)
    reason: str = setting("", "Why this workspace skips the check; printed on every run.",
                          not_blank, required=True)


@dataclass(frozen=True)
class Checks:
    disable: tuple[DisabledCheck, ...] = setting(
        (), "Checks to skip, each with a reason: [{id = \"content.single-item\", reason = \"...\"}].")
    hype_words: tuple[str, ...] = setting(
        DEFAULT_HYPE_WORDS, "Words that overstate research; a title or teaser using one warns.",
        no_blank_items)
    clinical_terms: tuple[str, ...] = setting(
        DEFAULT_CLINICAL_TERMS, "Clinical terms in which a hype word is fine "
                                "(\"breakthrough pain\").", no_blank_items)
    clients: tuple[str, ...] = setting(
        EMAIL_CLIENTS, "Mail clients the compat check reports on (Can I email data; the ids are "
                       "listed in docs/check.md).", email_clients)


@dataclass(frozen=True)
class Import:
    max_source_bytes: int = setting(
        100_000_000, "`newsletter import` reads at most this many bytes of one source (file or "
                     "standard input); a larger one is refused.", positive_int)


@dataclass(frozen=True)
class SendTest:
    recipients: tuple[str, ...] = setting(
        (), "Addresses the preview desk's Send test goes to.", email_addresses)
    smtp: str = setting("localhost:1025", "SMTP server, HOST or HOST:PORT.", smtp_server)
    starttls: bool = setting(False, "Upgrade the connection with STARTTLS (usually port 587).")
    ssl: bool = setting(False, "Connect over TLS from the start (usually port 465).")
    user: str = setting("", "Login name; the password is read only from the environment "
                            "variable NEWSLETTER_SMTP_PASSWORD.")


@dataclass(frozen=True)
class Config:
    name: str = setting("MS Research Digest", "Newsletter name, shown in the header.", not_blank)
    website_url: str = setting("", "Your website; the header links to it.", http_url)
    logo_url: str = setting("", "https URL of a logo image (the name is shown when unset).",
                            https_url)
    from_name: str = setting("", "Sender name used by exports.")
    from_email: str = setting("", "Sender address used by exports.", email_address)
    postal_address: str = setting("", "Postal address shown in the footer (required by law "
                                      "for bulk email in many countries).", multiline=True)
    unsubscribe_url: str = setting("", "Unsubscribe link; unset keeps a placeholder that "
                                       "each mailing service fills.", http_url)
    unsubscribe_mailto: str = setting("", "Address for the mailto part of the List-Unsubscribe "
                                          "header in `export --service eml` (optional).",
                                      mailto_address)
    archive_url: str = setting("", "Base URL of the web archive, for view-in-browser links.",
                               http_url)
    preferences_url: str = setting("", "Subscription preferences page (optional).", http_url)
    subscribe_url: str = setting("", "Sign-up page; the web archive links to it instead of "
                                     "an unsubscribe link.", http_url)
    section_url: str = setting("", "A theme's listing page on the website, with {theme}.",
                               section_url_pattern)
    timezone: str = setting("UTC", "Dates are selected in this IANA time zone.", timezone_name)
    language: str = setting("en", "Language tag of the email (<html lang>).", language_tag)
    summaries_dir: str = setting("summaries", "Folder of summary files (*.md, any depth).",
                                 relative_dir)
    issues_dir: str = setting("issues", "Folder of issue files (<issue-id>.toml).", relative_dir)
    output_dir: str = setting("output", "Where `build` writes output/<issue-id>/.", relative_dir)
    subject_pattern: str = setting("{name}: research news for {period}",
                                   "Subject when the issue file sets none.", pattern)
    preheader_pattern: str = setting(
        "{summaries} on {themes}.",
        "Preheader (inbox preview text) when the issue file sets none.", pattern)
    fallback_theme: str = setting("research", "Theme for summaries no keyword matches.",
                                  theme_id)
    colors: Colors = setting(Colors(), "Brand colours.")
    utm: Utm = setting(Utm(), "UTM parameters added to every summary link.")
    disclaimer: Disclaimer = setting(Disclaimer(), "The medical disclaimer.")
    themes: tuple[Theme, ...] = setting(DEFAULT_THEMES, "The taxonomy, in section order.")
    checks: Checks = setting(Checks(), "Quality checks run by `newsletter check` and `build`.")
    import_: Import = setting(Import(), "Limits of `newsletter import`.", key="import")
    send_test: SendTest = setting(SendTest(), "Test sends from the preview desk: recipients and "
                                              "the SMTP server.")

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)
