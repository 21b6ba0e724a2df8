"""Readers for the formats `newsletter import` understands, in one table built from what each
reader module declares (`FORMATS`: name, reader, file name endings).

Each reader turns one source into raw records (see `base`); `newsletter.importing.run` does the
rest.
"""

from __future__ import annotations

from newsletter.importing.readers import csv, feed, json, markdown, page
from newsletter.importing.readers.base import Format, Reader

# The formats in the order --help lists them.
TABLE: tuple[Format, ...] = (*page.FORMATS, *markdown.FORMATS, *json.FORMATS, *csv.FORMATS,
                             *feed.FORMATS)
READERS: dict[str, Reader] = {f.name: f.read for f in TABLE}
FORMATS: tuple[str, ...] = tuple(READERS)
# File name endings of each format, for --format auto and for folders.
EXTENSIONS: dict[str, str] = {ext: f.name for f in TABLE for ext in f.extensions}
