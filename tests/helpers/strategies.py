"""Hypothesis strategies that reach the edges of what a workspace can hold: control characters,
CR/LF in every field, line separators, hostile markup and URLs, template and merge-tag syntax,
very long values, calendar limits in every time zone, huge numbers, deep nesting and YAML
aliases; and how a generated case is written into a workspace (newsletter.toml, summary files,
the issue file)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

# A marker no template writes: found as a tag or an attribute in any HTML, it is an injection.
MARK = "x-inject"
# Text every boundary accepts (no control character) that a careless renderer would turn into
# markup, template code or a merge tag.
MARKUP = [
    f"<{MARK}>", f'"><{MARK} {MARK}="1">', f"' {MARK}='1", f"</title><{MARK}>",
    f"<script>{MARK}</script>", '<img src=x onerror="alert(1)">', "<!--", "-->", "<![CDATA[",
    "]]>", "</mj-text><mj-raw><script>1</script></mj-raw>", "<style>*{}</style>",
    "{{ 7*7 }}", "{% if %}", "{# c #}", "*|UNSUB|*", "%%NL_UNSUBSCRIBE_URL%%",
    "<!--nl:unsubscribe_url-->", "{{{unsubscribe}}}", "%unsubscribe_url%", "[unsubscribe]",
    "&amp;", "&lt;", "&#0;", "\\", '"', "'", "`", "---", "...", ": ", " #", "- ", "&a", "*a",
    "!!python/object:os.system", "Bcc: victim@evil.example", "=?utf-8?q?x?=", "Zoë — ça",
    "日本語", "👩‍🔬", "\u202e", "\ufeff", "x" * 1000, "word " * 300, "9" * 5000, "  ", "",
    "[link](javascript:alert(1))", "**bold** _it_ `code`", "# heading", "> quote", "1. item",
]
# Characters no boundary lets through (or turns into line breaks).
CONTROLS = ["\r", "\n", "\r\n", "\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\u2028",
            "\u2029", "\t", "\x0b", "\x0c"]
URLS = [
    "https://example.org/s/x", "http://example.org/a?b=c&d=e", "javascript:alert(1)",
    "data:text/html,<script>1</script>", "https://example.org/u\r\nBcc: v@evil.example",
    f"https://example.org/\"><{MARK}>", f"https://example.org/a?b=<{MARK}>&c='\"",
    f"https://example.org/#\"><{MARK} {MARK}=1>", "https://example.org/%22%3E%3Cx-inject%3E",
    "https://example.org/ space", "https://", "mailto:u@example.org",
    "https://example.org/" + "a" * 3000, "https://exämple.org/ü", "//example.org/x",
    "https://example.org/%%NL_UNSUBSCRIBE_URL%%", "ftp://example.org/x",
    "https://example.org/{{unsubscribe_url}}", "https://example.org/*|UNSUB|*",
]
DATES = [
    "2026-05-10", "2026-05-31T23:59:59-12:00", "2026-05-01T00:00:00+14:00",
    "9999-12-31T23:59:59-05:00", "0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31",
    "2026-02-30", "13/45/2026", "5/10/2026", "not a date", "9" * 5000, "",
]
TIMEZONES = ["UTC", "Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago",
             "America/St_Johns", "Asia/Kathmandu", "Mars/Olympus", "", "\x00"]

characters = st.characters(blacklist_categories=("Cs",))  # a lone surrogate is no UTF-8
clean_characters = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
plain = st.text(clean_characters, max_size=40)
markup = st.sampled_from(MARKUP)
safe_text = st.one_of(markup, plain, st.builds(lambda a, b, c: a + b + c, plain, markup, plain))
raw_text = st.one_of(st.text(characters, max_size=40), st.sampled_from(CONTROLS),
                     st.builds(lambda a, b, c: a + b + c, plain, st.sampled_from(CONTROLS),
                               safe_text))
text = st.one_of(safe_text, safe_text, safe_text, safe_text, safe_text, raw_text)  # mostly accepted
urls = st.one_of(st.sampled_from(URLS),
                 st.builds(lambda t: "https://example.org/s/" + t.replace(" ", "%20"), text))
may_2026 = st.datetimes(min_value=datetime(2026, 5, 1, 12), max_value=datetime(2026, 5, 30),
                        timezones=st.none() | st.timezones())
edge_datetimes = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                              timezones=st.none() | st.timezones())
dates = st.one_of(may_2026.map(datetime.isoformat), may_2026.map(datetime.isoformat),
                  st.sampled_from(DATES), edge_datetimes.map(datetime.isoformat),
                  st.dates().map(date.isoformat))
numbers = st.one_of(st.integers(), st.sampled_from(["9" * 4301, "-" + "9" * 5000, "1e99999",
                                                    ".nan", "0x" + "f" * 5000]))
structures = st.sampled_from([
    "&a [*a]", "&a {b: *a}", "[" * 60 + "]" * 60, "{a: {b: {c: [1, 2, {d: e}]}}}",
    "!!binary aGVsbG8=", "!!set {a, b}", "|\n  block\n  text", ">\n  folded", "~", "null",
    "[a, b, *c]", "&x 1",
])


# --- a case: what is written into a workspace ---------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """One summary file: its front-matter values (written in `styles`) and body, or raw bytes."""

    fields: tuple[tuple[str, Any], ...]
    body: str = "Walking helped people with MS feel less fatigue in daily life."
    style: str = "plain"  # plain (the value as a bare line), quoted (YAML double quotes)
    raw: bytes | None = None
    name: str = "generated"


@dataclass(frozen=True)
class Case:
    """A workspace: top-level settings of newsletter.toml, summary files and the issue file."""

    config: tuple[tuple[str, Any], ...] = ()
    summaries: tuple[Summary, ...] = ()
    issue: tuple[tuple[str, Any], ...] = ()
    theme_label: str | None = None
    issue_raw: str | None = None
    extras: dict[str, Any] = field(default_factory=dict, compare=False)


BASE_FIELDS = {"title": "A walking study in people with MS", "published": "2026-05-10",
               "url": "https://example.org/s/generated", "teaser": "Walking eased fatigue.",
               "themes": "[living]", "study_type": "observational"}
SUMMARY_KEYS = ["title", "published", "url", "teaser", "themes", "study_type", "source",
                "source_url", "image", "image_alt", "id", "extra_key"]


def value_for(key: str) -> st.SearchStrategy[Any]:
    if key in ("url", "source_url", "image"):
        return st.one_of(urls, st.builds(lambda t: "https://example.org/s/" + quote(t), safe_text))
    if key == "published":
        return dates
    if key == "themes":
        return st.one_of(st.sampled_from(["[living]", "[treatments, living]", "[nope]", "living"]),
                         text)
    if key == "extra_key":
        return st.one_of(safe_text, text, numbers, structures)
    return st.one_of(safe_text, safe_text, safe_text, text, numbers.map(str), structures)


@st.composite
def summaries(draw: Any, index: int = 0) -> Summary:
    if draw(st.integers(0, 30)) == 0:  # now and then, bytes that are not even text
        raw = draw(st.sampled_from([b"\xff\xfe", b"---\ntitle: \x00\n---\n", b"", b"\x00" * 10,
                                    b"---\n" + b"a: b\n" * 3 + b"---", b"no front matter"]))
        return Summary((), raw=raw, name=f"raw-{index}")
    fields = dict(BASE_FIELDS)
    fields["url"] = f"https://example.org/s/generated-{index}"
    for key in draw(st.lists(st.sampled_from(SUMMARY_KEYS), max_size=2, unique=True)):
        fields[key] = draw(value_for(key))
    style = draw(st.sampled_from(["plain", "quoted", "quoted"]))
    body = draw(st.one_of(st.just(Summary.body), text, st.builds(lambda t: t + "\n\n" + t, text)))
    return Summary(tuple(fields.items()), body=body, style=style, name=f"generated-{index}")


CONFIG_TEXT_KEYS = ["name", "from_name", "postal_address", "subject_pattern",
                    "preheader_pattern"]
RARE_CONFIG_KEYS = ["unsubscribe_mailto", "timezone", "output_dir", "summaries_dir", "from_email",
                    "language"]
CONFIG_URL_KEYS = ["unsubscribe_url", "archive_url", "website_url", "subscribe_url",
                   "preferences_url", "logo_url"]


@st.composite
def configs(draw: Any) -> tuple[tuple[str, Any], ...]:
    values: dict[str, Any] = {"unsubscribe_url": "https://example.org/u"}
    keys = CONFIG_TEXT_KEYS * 3 + CONFIG_URL_KEYS + RARE_CONFIG_KEYS
    for key in draw(st.lists(st.sampled_from(keys), max_size=2, unique=True)):
        if key in CONFIG_URL_KEYS:
            values[key] = draw(urls)
        elif key == "timezone":
            values[key] = draw(st.sampled_from(TIMEZONES))
        elif key == "unsubscribe_mailto":
            values[key] = draw(st.one_of(st.just("mailto:u@example.org?subject=x\rBcc:v@e.x"),
                                         st.builds(lambda t: "u@example.org?subject=" + t, text)))
        elif key in ("output_dir", "summaries_dir"):
            values[key] = draw(st.sampled_from(["out\x00", "/", "..", "a/../..", "", ".",
                                                "out put", "deep/er"]))
        elif key == "language":
            values[key] = draw(st.sampled_from(["en", "en-GB", "de-CH-1996", "x", "<x>", ""]))
        elif key == "from_email":
            values[key] = draw(st.sampled_from(["a@example.org", "josé@example.org",
                                                "a\x00@example.org", "no-at", "a@b.c"]))
        elif key == "subject_pattern":
            values[key] = draw(st.one_of(text, st.just("{name} {themes} {x}"),
                                         st.just("{name}: {period} {themes}")))
        else:
            values[key] = draw(text)
    return tuple(values.items())


ISSUE_BASE = {"subject": "Research news for May 2026", "preheader": "Walking and fatigue.",
              "from": date(2026, 5, 1), "to": date(2026, 5, 31)}


@st.composite
def issues(draw: Any) -> tuple[tuple[str, Any], ...]:
    values: dict[str, Any] = dict(ISSUE_BASE)
    keys = ["subject", "preheader", "intro"] * 4 + ["featured", "exclude", "theme_order",
                                                    "max_per_section"] * 2 + ["from", "to",
                                                                              "unknown"]
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        if key in ("from", "to"):
            values[key] = draw(st.one_of(st.dates(), st.sampled_from([date(1, 1, 1),
                                                                      date(9999, 12, 31)])))
        elif key in ("featured", "exclude", "theme_order"):
            values[key] = draw(st.lists(st.one_of(text, st.just("generated-0"),
                                                  st.just("living")), max_size=3))
        elif key == "max_per_section":
            values[key] = draw(st.one_of(st.integers(), st.just(0), st.just(1)))
        elif key == "intro":
            values[key] = draw(st.one_of(text, st.builds(
                lambda t: f"Hello [link](javascript:alert(1)) **{t}** <b onclick=x>b</b>", text)))
        else:
            values[key] = draw(text)
    return tuple(values.items())


cases = st.builds(Case, config=configs(),
                  summaries=st.integers(0, 2).flatmap(
                      lambda n: st.tuples(*[summaries(i) for i in range(n)])),
                  issue=issues(), theme_label=st.one_of(st.none(), st.none(), st.none(), text))


# --- writing a case -----------------------------------------------------------------------------


def toml_string(value: str) -> str:
    """A TOML basic string for any text: every control character as an escape, so the value
    reaches the validator exactly as generated."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return toml_string(str(value))


def yaml_value(value: Any, style: str) -> str:
    text = str(value)
    if style == "quoted":
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    return text


def summary_bytes(summary: Summary) -> bytes:
    if summary.raw is not None:
        return summary.raw
    lines = ["---"]
    for key, value in summary.fields:
        style = "plain" if key == "themes" and str(value).startswith("[") else summary.style
        lines.append(f"{key}: {yaml_value(value, style)}")
    lines += ["---", summary.body, ""]
    return "\n".join(lines).encode("utf-8")


BASE_CONFIG = {"name": "MS Research Digest", "from_name": "MS Research Digest",
               "from_email": "digest@example.org", "timezone": "UTC",
               "postal_address": "Example Organisation, 1 Example Street, Example City"}


def write_case(root: Path, case: Case) -> None:
    values = BASE_CONFIG | dict(case.config)
    config = "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items())
    if case.theme_label is not None:
        config += ('[[themes]]\nid = "living"\nlabel = ' + toml_string(case.theme_label)
                   + '\nkeywords = ["walking"]\n[[themes]]\nid = "research"\nlabel = "Research"\n')
    (root / "newsletter.toml").write_text(config, encoding="utf-8")
    folder = root / "summaries" / "2026" / "05"
    for old in folder.glob("generated*.md"):
        old.unlink()
    for old in folder.glob("raw-*.md"):
        old.unlink()
    for summary in case.summaries:
        (folder / f"{summary.name}.md").write_bytes(summary_bytes(summary))
    issue = case.issue_raw if case.issue_raw is not None else "".join(
        f"{k} = {toml_value(v)}\n" for k, v in case.issue)
    (root / "issues" / "2026-05.toml").write_text(issue, encoding="utf-8")
