"""Readers for the formats `newsletter import` understands: one table, format name -> reader.

Each reader turns one source into raw records (see `base`); `newsletter.importing.run` does the rest.
"""

from __future__ import annotations

from newsletter.importing.readers import csv, feed, json, markdown, page
from newsletter.importing.readers.base import Reader

READERS: dict[str, Reader] = {
    "page": page.read,
    "markdown": markdown.read,
    "json": json.read,
    "jsonl": json.read_lines,
    "csv": csv.read,
    "feed": feed.read,
}
FORMATS: tuple[str, ...] = tuple(READERS)

# File name endings of each format, for --format auto and for folders.
EXTENSIONS: dict[str, str] = {
    ".txt": "page",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
