"""newsletter.toml: the schema, its defaults and a validation that collects every problem.

The schema is declarative: each setting is a dataclass field whose metadata carries its documentation
and its check. `load_config` walks the schema once and reports unknown keys, wrong types and bad values
all together, the way mkdocs' config does. `render_default_toml` writes a commented file from the same
schema, so the scaffold and the validation cannot drift apart.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass
from pathlib import Path, PurePosixPath
from typing import Any, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsletter.errors import ConfigError, Problem

CONFIG_FILE = "newsletter.toml"

Check = Callable[[Any], str | None]

# Placeholders a subject or preheader pattern may use (see `issue.py`).
PATTERN_FIELDS = ("name", "issue", "period", "month", "year", "from", "to", "count", "summaries",
                  "themes")


def setting(default: Any, doc: str, check: Check | None = None, *, required: bool = False) -> Any:
    """A schema entry: default, one-line documentation and an optional value check."""
    meta = {"doc": doc, "check": check, "required": required}
    if isinstance(default, (list, dict, tuple)) or is_dataclass(default):
        return field(default_factory=lambda: default, metadata=meta)
    return field(default=default, metadata=meta)


# --- value checks: each returns an error message or None ------------------------------------


def http_url(value: str) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"'{value}' is not an absolute http(s) URL"
    return None


def https_url(value: str) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        return f"'{value}' is not an absolute https URL (images must be served over https)"
    return None


def email_address(value: str) -> str | None:
    if value == "" or re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}", value):
        return None
    return f"'{value}' is not an email address"


def mailto_address(value: str) -> str | None:
    """An address for the List-Unsubscribe mailto part: `addr` or `mailto:addr[?subject=...]`."""
    if value == "":
        return None
    address = value.removeprefix("mailto:").split("?", 1)[0]
    if not address or email_address(address) or any(c in value for c in " <>,\"\n"):
        return f"'{value}' is not a mailto address such as mailto:unsubscribe@example.org"
    return None


def hex_colour(value: str) -> str | None:
    if re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value):
        return None
    return f"'{value}' is not a hex colour such as #1f4e79"


def timezone_name(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"'{value}' is not an IANA time zone (for example 'UTC' or 'Europe/London')"
    return None


def language_tag(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value):
        return None
    return f"'{value}' is not a language tag such as 'en' or 'en-GB'"


def relative_dir(value: str) -> str | None:
    path = PurePosixPath(value.replace("\\", "/"))
    if value == "" or path.is_absolute() or ".." in path.parts:
        return f"'{value}' must be a folder inside the workspace (relative, without '..')"
    return None


def pattern(value: str) -> str | None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        return f"'{value}' is not a valid pattern ({exc}); write literal braces as {{{{ and }}}}"
    unknown = [n for n in names if n not in PATTERN_FIELDS]
    if unknown:
        known = ", ".join("{" + n + "}" for n in PATTERN_FIELDS)
        return f"unknown placeholder {{{unknown[0]}}}; known: {known}"
    return None


def section_url_pattern(value: str) -> str | None:
    if value == "":
        return None
    if "{theme}" not in value:
        return f"'{value}' must contain {{theme}}, e.g. https://example.org/topics/{{theme}}"
    return http_url(value.replace("{theme}", "theme"))


def theme_id(value: str) -> str | None:
    if re.fullmatch(r"[a-z][a-z0-9-]{0,39}", value):
        return None
    return f"'{value}' is not a theme id (lower-case letters, digits and hyphens, e.g. 'treatments')"


def not_blank(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def no_blank_items(values: tuple[str, ...]) -> str | None:
    if any(not v.strip() for v in values):
        return "must not contain empty text"
    return None


# --- the schema -----------------------------------------------------------------------------


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
        not_blank,
    )


DEFAULT_HYPE_WORDS = ("cure", "breakthrough", "miracle", "game-changer")
DEFAULT_CLINICAL_TERMS = ("breakthrough disease activity", "breakthrough pain")


def check_id(value: str) -> str | None:
    """A check id known to `newsletter check` (a group such as 'links', or a rule such as
    'accessibility.contrast')."""
    from newsletter.checks import known_ids  # lazy: the checks are not needed to read a config

    ids = known_ids()
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


@dataclass(frozen=True)
class Config:
    name: str = setting("MS Research Digest", "Newsletter name, shown in the header.", not_blank)
    website_url: str = setting("", "Your website; the header links to it.", http_url)
    logo_url: str = setting("", "https URL of a logo image (the name is shown when unset).",
                            https_url)
    from_name: str = setting("", "Sender name used by exports.")
    from_email: str = setting("", "Sender address used by exports.", email_address)
    postal_address: str = setting("", "Postal address shown in the footer (required by law "
                                      "for bulk email in many countries).")
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

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)


# --- validation -----------------------------------------------------------------------------


class _Invalid:
    """Marker for a value that failed its type check (a problem was already recorded)."""


_INVALID = _Invalid()
_TYPE_NAMES = {str: "text (a quoted string)", int: "a whole number", bool: "true or false"}


def _type_name(tp: Any) -> str:
    if get_origin(tp) is tuple:
        return f"a list of {_type_name(get_args(tp)[0])}"
    if is_dataclass(tp):
        return f"a table ([{tp.__name__.lower()}])"
    return _TYPE_NAMES.get(tp, getattr(tp, "__name__", str(tp)))


class _Validator:
    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def add(self, key: str, message: str, fix: str | None = None) -> None:
        self.problems.append(Problem(self.where, message, field=key, fix=fix))

    def load(self, cls: type, data: dict[str, Any], prefix: str) -> Any:
        hints = get_type_hints(cls)
        known = {f.name: f for f in fields(cls)}
        for key in data:
            if key not in known:
                self._unknown(prefix + key, key, list(known))
        values: dict[str, Any] = {}
        complete = True
        for f in known.values():
            path = prefix + f.name
            if f.name not in data:
                if f.metadata.get("required"):
                    self.add(path, "is required", f"add `{f.name} = ...` ({f.metadata['doc']})")
                    complete = False
                continue
            value = self.coerce(hints[f.name], data[f.name], path)
            if value is _INVALID:
                continue
            message = f.metadata["check"](value) if f.metadata.get("check") else None
            if message:
                self.add(path, message, _fix_for(f))
                continue
            values[f.name] = value
        return cls(**values) if complete else _INVALID

    def _unknown(self, path: str, key: str, known: list[str]) -> None:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(known)
        self.add(path, "unknown key", f"remove it or rename it ({hint})")

    def coerce(self, tp: Any, value: Any, path: str) -> Any:
        if get_origin(tp) is tuple:
            if not isinstance(value, list):
                self.add(path, f"must be {_type_name(tp)}, got {_toml_type(value)}")
                return _INVALID
            item_type = get_args(tp)[0]
            items = [self.coerce(item_type, v, f"{path}[{i}]") for i, v in enumerate(value)]
            return _INVALID if any(i is _INVALID for i in items) else tuple(items)
        if is_dataclass(tp):
            if not isinstance(value, dict):
                self.add(path, f"must be {_type_name(tp)}, got {_toml_type(value)}")
                return _INVALID
            return self.load(tp, value, path + ".")
        if (tp is int and isinstance(value, bool)) or not isinstance(value, tp):
            self.add(path, f"must be {_type_name(tp)}, got {_toml_type(value)}")
            return _INVALID
        return value


def _fix_for(f: Field[Any]) -> str:
    default = f.default if f.default is not MISSING else None
    if isinstance(default, str) and default:
        return f"{f.metadata['doc']} Default: \"{default}\""
    return str(f.metadata["doc"])


def _toml_type(value: Any) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _cross_checks(config: Config, v: _Validator) -> None:
    if any((p.field or "").startswith("themes") for p in v.problems):
        return  # the taxonomy itself is wrong: checks against it would only add noise
    ids = [t.id for t in config.themes]
    if not ids:
        v.add("themes", "at least one theme is needed", "add a [[themes]] table or remove them all "
              "to use the default taxonomy")
        return
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        v.add("themes", f"theme id '{dup}' is used more than once", "give each theme its own id")
    if config.fallback_theme not in ids:
        v.add("fallback_theme", f"'{config.fallback_theme}' is not one of the themes "
              f"({', '.join(ids)})", "set it to the theme that should take unmatched summaries")


def parse_config(text: str, where: str = CONFIG_FILE) -> Config:
    """Parse and validate newsletter.toml text; raise ConfigError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise ConfigError(
            f"{where} is not valid TOML",
            [Problem(where, str(exc), line=line, fix="check the quoting and brackets on that line")],
        ) from None
    v = _Validator(where)
    config = v.load(Config, data, "")
    if isinstance(config, Config):
        _cross_checks(config, v)
    if v.problems:
        count = len(v.problems)
        raise ConfigError(f"{where} has {count} problem{'s' * (count != 1)}", v.problems)
    return config


def load_config(path: Path) -> Config:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path.name} is not UTF-8 text", [Problem(
            path.name, f"byte {exc.start} is not UTF-8", fix="save the file as UTF-8")]) from None
    return parse_config(text, path.name)


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


# --- the commented default file -------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _default_of(f: Field[Any]) -> Any:
    """A field's default, also for list defaults (which dataclasses keep as a factory)."""
    if f.default is MISSING and f.default_factory is not MISSING:
        return f.default_factory()
    return f.default


def render_default_toml(values: dict[str, Any] | None = None) -> str:
    """A commented newsletter.toml: every setting with its documentation and default.

    Keys given in `values` are written active; every other key is written commented out,
    showing its default, so the file documents the whole schema.
    """
    values = values or {}
    out = [
        "# newsletter.toml: settings of this newsletter workspace.",
        "# Every key is optional; a commented-out key shows its default.",
        "# Reference: the README's 'Configuration' section.",
        "",
    ]
    hints = get_type_hints(Config)
    tables = [f for f in fields(Config) if is_dataclass(hints[f.name])]
    for f in fields(Config):
        if f in tables or f.name == "themes":
            continue
        out.append(f"# {f.metadata['doc']}")
        if f.name in values:
            out.append(f"{f.name} = {_toml_value(values[f.name])}")
        else:
            out.append(f"# {f.name} = {_toml_value(f.default)}")
    for f in tables:
        out += ["", f"# {f.metadata['doc']}", f"[{f.name}]"]
        for sub in fields(hints[f.name]):
            out.append(f"# {sub.name} = {_toml_value(_default_of(sub))}  # {sub.metadata['doc']}")
    out += [
        "",
        "# The taxonomy: [[themes]] tables in section order replace the default one",
        "# (" + ", ".join(t.id for t in DEFAULT_THEMES) + "). One theme looks like this:",
        "# [[themes]]",
        '# id = "treatments"',
        '# label = "Treatments & therapies"',
        '# keywords = ["treatment", "therapy", "drug", "dose", "clinical trial"]',
        '# colour = "#1f6f8b"',
        "",
    ]
    return "\n".join(out)
