"""RSS 2.0 and Atom feeds, parsed by feedparser.

Each entry gives title, link, published (or updated), summary and content. HTML is sanitised by
`htmltext` (feedparser's own sanitiser is switched off so that what is removed can be
reported) and written as Markdown. Categories are passed on as `categories`, which the importer
maps to theme ids by id or label.
"""

from __future__ import annotations

import codecs
import io
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from newsletter.errors import Problem
from newsletter.importing import htmltext
from newsletter.importing.readers.base import (
    Format,
    PageOptions,
    RawRecord,
    ReadResult,
    Source,
    decode,
    plain_to_markdown,
    source_problem,
)
from newsletter.render.markdown import TEASER_MAX

XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
HTML_TYPES = ("text/html", "application/xhtml+xml")
_SCRIPT = re.compile(r"<\s*(script|style)\b", re.IGNORECASE)
_UNSAFE_HREF = re.compile(r"""href\s*=\s*["']?\s*(?!https?:|mailto:)[a-z][a-z0-9+.-]*:""",
                          re.IGNORECASE)


def read(source: Source, _options: PageOptions) -> ReadResult:
    result = ReadResult()
    if not _text_ok(source, result):
        return result
    parsed = feedparser.parse(io.BytesIO(source.data), sanitize_html=False,
                              resolve_relative_uris=True)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        result.problems.append(source_problem(
            source, "not an RSS or Atom feed" + (f" ({reason})" if reason else ""),
            fix="give the feed's XML (RSS 2.0 <rss> or Atom <feed>), or choose --format"))
        return result
    for number, entry in enumerate(parsed.entries, 1):
        result.records.append(_record(source, entry, f"entry {number}"))
    if not parsed.entries:
        result.problems.append(source_problem(source, "the feed has no entries",
                                              fix="check that this is the feed you meant"))
    return result


def _text_ok(source: Source, result: ReadResult) -> bool:
    """UTF-8 unless the XML declaration names another encoding that the bytes then match."""
    declared = XML_DECLARATION.match(source.data)
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        result.problems.append(source_problem(
            source, f"unknown encoding '{encoding}' in the XML declaration", line=1,
            fix="save the feed as UTF-8 and declare encoding=\"utf-8\""))
        return False
    if codec == "utf-8":
        return decode(source, result) is not None
    try:
        source.data.decode(codec)
    except UnicodeDecodeError as exc:
        result.problems.append(source_problem(
            source, f"byte {exc.start} does not match the declared encoding {encoding}",
            line=source.data[: exc.start].count(b"\n") + 1, fix="save the feed as UTF-8"))
        return False
    return True


def _record(source: Source, entry: Any, position: str) -> RawRecord:
    record = RawRecord({}, position=position)
    data = record.data
    if entry.get("title"):
        data["title"] = _plain(entry.get("title"), entry.get("title_detail"))
    if entry.get("link"):
        data["url"] = entry.get("link")
    published = _published(entry)
    if published:
        data["published"] = published
    body, teaser = _texts(entry, source, record)
    if body:
        data["body"] = body
    if teaser:
        data["teaser"] = teaser
    terms = [t.get("term") or t.get("label") for t in entry.get("tags") or []]
    if any(terms):
        data["categories"] = [t for t in terms if t]
    record.size = sum(len(str(v).encode("utf-8")) for v in data.values())
    return record


def _plain(value: str, detail: Any) -> str:
    kind = (detail or {}).get("type", "text/plain")
    return htmltext.to_plain(value) if kind in HTML_TYPES else re.sub(r"\s+", " ", value).strip()


def _published(entry: Any) -> str | None:
    """The entry's date as ISO 8601 with its own offset (a date alone when it has no time);
    the raw text when it cannot be read, so that the importer reports it."""
    for key in ("published", "updated"):
        raw = entry.get(key)
        if not raw:
            continue
        moment = _parse_date(raw)
        if moment is None and entry.get(f"{key}_parsed"):  # feedparser's reading, in UTC
            moment = datetime(*entry.get(f"{key}_parsed")[:6]).replace(tzinfo=UTC)
        if moment is None:
            return str(raw)
        return moment.date().isoformat() if ":" not in raw else moment.isoformat()
    return None


def _parse_date(raw: str) -> datetime | None:
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        return None


def _texts(entry: Any, source: Source, record: RawRecord) -> tuple[str, str | None]:
    """Body (content, else summary) as Markdown, and a teaser when both are given."""
    contents = [c for c in entry.get("content") or [] if c.get("value", "").strip()]
    summary = entry.get("summary") or ""
    summary_detail = entry.get("summary_detail") or {}
    if contents:
        body = _markdown(contents[0].get("value", ""), contents[0].get("type"), source, record)
        teaser = _plain(summary, summary_detail) if summary.strip() else ""
        same = teaser and body and _plain_start(body).startswith(teaser[:80])
        return body, teaser if teaser and not same and len(teaser) <= TEASER_MAX else None
    if summary.strip():
        return _markdown(summary, summary_detail.get("type"), source, record), None
    return "", None


def _plain_start(markdown_text: str) -> str:
    return re.sub(r"[\\*_`\[\]]", "", re.sub(r"\s+", " ", markdown_text)).strip()


def _markdown(value: str, kind: str | None, source: Source, record: RawRecord) -> str:
    if (kind or "text/html") not in HTML_TYPES:
        return "\n\n".join(plain_to_markdown(p) for p in re.split(r"\n\s*\n", value) if p.strip())
    removed = sorted({m.group(1).lower() for m in _SCRIPT.finditer(value)})
    for tag in removed:
        record.notes.append(Problem(source.label, f"<{tag}> removed from the HTML (the text "
                                    "around it is kept)", field="body", level="warning"))
    if _UNSAFE_HREF.search(value):
        record.notes.append(Problem(source.label, "a link that is not http(s) or mailto was "
                                    "removed (its text is kept)", field="body", level="warning"))
    return htmltext.to_markdown(value)


FORMATS = (Format("feed", read, (".xml", ".rss", ".atom")),)
