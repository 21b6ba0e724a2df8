"""The text of a summary page as the website shows it (copied, or saved as .txt).

    <headline>
    <body paragraphs: what was found, why it matters, limits>
    AI-generated summary — for informational purposes only, not medical advice   (optional)
    12/31/2026                                   \\
    <teaser of a related summary, cut at ~100>    | the "related" list, each item ending
    Read More5/1/2026                              | in "Read More", sometimes glued to the
    <teaser> ...                                 /  next date or to the boilerplate
    Read MoreWhether you’ve recently been diagnosed ...   (the site's boilerplate)

The headline becomes `title` and the paragraphs the body; the related items are kept as
`related: [{date, teaser}]`; the disclaimer line and the boilerplate are dropped. A page carries
no date or url: they come from --published/--url, or from a file name `YYYY-MM-DD-<slug>.txt`
with --base-url (url = base + slug).
"""

from __future__ import annotations

import re
from datetime import date

from newsletter.errors import Problem
from newsletter.importing.readers.base import (
    Format,
    PageOptions,
    RawRecord,
    ReadResult,
    Source,
    decode,
    plain_to_markdown,
    slugify,
    source_problem,
)

FILE_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)\.[A-Za-z0-9]+")
DISCLAIMER = re.compile(r"^AI[- ]generated summary\b", re.IGNORECASE)
RELATED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
RELATED_ITEM = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})[ \t]*\n?(.*?)\s*Read More", re.DOTALL)
# The site's general paragraphs that follow every page (compared without punctuation and case).
BOILERPLATE_STARTS = (
    "whether youve recently been diagnosed with multiple sclerosis",
    "however not all research is created equal",
    "by presenting a wide range of msfocused studies",
)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower().replace("’", "'"))


def is_boilerplate(paragraph: str) -> bool:
    key = _key(paragraph)
    return any(key.startswith(start) for start in BOILERPLATE_STARTS)


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(line number, text) of each paragraph: the site's text has one paragraph per line."""
    return [(i + 1, ln.strip()) for i, ln in enumerate(text.split("\n")) if ln.strip()]


def read(source: Source, options: PageOptions) -> ReadResult:
    result = ReadResult()
    text = decode(source, result)
    if text is None:
        return result
    paras = paragraphs(text)
    record = RawRecord({}, size=len(source.data))
    title = paras[0][1]
    body, tail = _split_body(paras[1:])
    if not body:
        record.problems.append(source_problem(
            source, "the page has a headline but no body paragraphs", key="body",
            fix="paste the summary's text under the headline (one paragraph per line)"))
    related, dropped = _related(tail, source, record)
    record.data = {"title": title, "body": "\n\n".join(plain_to_markdown(p) for _, p in body)}
    if related:
        record.data["related"] = related
    if dropped:
        shown = dropped[0][1][:60]
        record.notes.append(Problem(
            source.label, f"{len(dropped)} paragraph{'s' * (len(dropped) != 1)} after the "
            f"related list {'are' if len(dropped) != 1 else 'is'} not the site's usual text "
            f"and {'were' if len(dropped) != 1 else 'was'} dropped (\"{shown}…\")",
            line=dropped[0][0], level="warning"))
    _date_and_url(source, options, record)
    result.records.append(record)
    return result


def _split_body(paras: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Body paragraphs, and the rest (disclaimer line, related list, boilerplate)."""
    for i, (_, text) in enumerate(paras):
        starts_related = RELATED_DATE.match(text) and any(
            "Read More" in later for _, later in paras[i + 1: i + 3])
        if DISCLAIMER.match(text) or starts_related or is_boilerplate(text):
            rest = paras[i + 1:] if DISCLAIMER.match(text) else paras[i:]
            return paras[:i], rest
    return paras, []


def _related(tail: list[tuple[int, str]], source: Source,
             record: RawRecord) -> tuple[list[dict[str, object]], list[tuple[int, str]]]:
    """The related items, and the paragraphs after them that are not the known boilerplate."""
    if not tail:
        return [], []
    first_line = tail[0][0]
    region = "\n".join(text for _, text in tail)
    items: list[dict[str, object]] = []
    pos = 0
    while match := RELATED_ITEM.match(region, pos):
        month, day, year, teaser = match.groups()
        line = first_line + region.count("\n", 0, match.start(1))
        try:
            when = date(int(year), int(month), int(day))
        except ValueError:
            record.problems.append(source_problem(
                source, f"related item {len(items) + 1}: '{month}/{day}/{year}' is not a date "
                        "(read as M/D/YYYY)", key="related", line=line,
                fix="correct the date in the related list, or delete that item"))
            when = None
        items.append({"date": when, "teaser": re.sub(r"\s+", " ", teaser).strip()})
        pos = match.end()
    base_line = first_line + region.count("\n", 0, pos)
    dropped: list[tuple[int, str]] = []
    for n, text in enumerate(region[pos:].split("\n")):
        if text.strip() and not is_boilerplate(text) and not DISCLAIMER.match(text):
            dropped.append((base_line + n, text.strip()))
    return [i for i in items if i["date"] is not None], dropped


def file_slug(name: str | None) -> tuple[date | None, str | None]:
    """`2026-05-06-stem-cell.txt` -> (2026-05-06, 'stem-cell'); (None, None) otherwise."""
    match = FILE_NAME.fullmatch(name or "")
    if not match:
        return None, None
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        return None, None
    return day, slugify(match.group(2)) or None


def _date_and_url(source: Source, options: PageOptions, record: RawRecord) -> None:
    day, slug = file_slug(source.name)
    record.default_id = slug
    named = "a file name YYYY-MM-DD-<slug>.txt"
    if options.published:
        record.data["published"] = options.published
    elif day is not None:
        record.data["published"] = day.isoformat()
    else:
        record.problems.append(source_problem(
            source, "a page does not carry its date", key="published",
            fix=f"pass --published YYYY-MM-DD (for a single page), or give the page {named}"))
    if options.url:
        record.data["url"] = options.url
    elif slug and options.base_url:
        record.data["url"] = options.base_url.rstrip("/") + "/" + slug
    elif slug:
        record.problems.append(source_problem(
            source, "a page does not carry its url", key="url",
            fix=f"pass --base-url URL (the url becomes URL/{slug}), or --url URL for a single page"))
    else:
        record.problems.append(source_problem(
            source, "a page does not carry its url", key="url",
            fix=f"pass --url URL (for a single page), or give the page {named} and pass "
                "--base-url URL"))


FORMATS = (Format("page", read, (".txt",)),)
