"""Canonical summary files (YAML front matter + Markdown body), read by the core's own reader."""

from __future__ import annotations

from pathlib import PurePath

from newsletter.importing.readers.base import Format, PageOptions, RawRecord, ReadResult, Source
from newsletter.summaries.parse import FileProblems, read_source


def read(source: Source, _options: PageOptions) -> ReadResult:
    result = ReadResult()
    out = FileProblems(source.label)
    parsed = read_source(source.data, out)
    if parsed is None:
        result.problems += out.problems
        return result
    data = {**parsed.meta, "body": parsed.body}
    if source.name and data.get("id") in (None, ""):
        data["id"] = PurePath(source.name).stem  # the canonical default: the file name
    record = RawRecord(data, size=len(source.data))
    result.records.append(record)
    return result


FORMATS = (Format("markdown", read, (".md", ".markdown")),)
