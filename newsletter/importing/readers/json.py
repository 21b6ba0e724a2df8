"""JSON (an array of objects, or an object holding one under `items`/`summaries`/`records`,
or a single object) and JSON Lines (one object per line)."""

from __future__ import annotations

import json
from typing import Any

from newsletter.importing.readers.base import (
    Format,
    PageOptions,
    RawRecord,
    ReadResult,
    Source,
    decode,
    source_problem,
)
from newsletter.values import type_name

LIST_KEYS = ("items", "summaries", "records", "entries")


def read(source: Source, options: PageOptions) -> ReadResult:
    """JSON; a text that is not one JSON value but is one object per line is read as JSON Lines."""
    result = ReadResult()
    text = decode(source, result)
    if text is None:
        return result
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            return _lines(source, text, result)
        result.problems.append(source_problem(
            source, f"not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno,
            fix="check the brackets, commas and quotes around that place"))
        return result
    items = _items(value)
    if items is None:
        result.problems.append(source_problem(
            source, f"expected a list of objects, got {type_name(value)}",
            fix="give a JSON array of objects, one per summary ([{\"title\": ...}, ...]), "
                "or an object with them under \"items\""))
        return result
    for number, item in enumerate(items, 1):
        size = len(json.dumps(item, ensure_ascii=False).encode("utf-8"))
        result.records.append(_record(source, item, size, position=f"record {number}"))
    return result


def read_lines(source: Source, _options: PageOptions) -> ReadResult:
    result = ReadResult()
    text = decode(source, result)
    if text is None:
        return result
    return _lines(source, text, result)


def _lines(source: Source, text: str, result: ReadResult) -> ReadResult:
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            result.records.append(RawRecord({}, line=number, size=len(line.encode("utf-8")),
                                            problems=[source_problem(
                source, f"not valid JSON ({exc.msg}, column {exc.colno})", line=number,
                fix="each line must be one complete JSON object")]))
            continue
        result.records.append(_record(source, item, len(line.encode("utf-8")), line=number))
    return result


def _items(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in LIST_KEYS:
            if isinstance(value.get(key), list):
                return value[key]
        return [value]
    return None


def _record(source: Source, item: Any, size: int, *, position: str | None = None,
            line: int | None = None) -> RawRecord:
    if isinstance(item, dict):
        return RawRecord({str(k): v for k, v in item.items()}, position=position, line=line,
                         size=size)
    problem = source_problem(source, f"expected an object, got {type_name(item)}", line=line,
                             fix='write each summary as {"title": ..., "published": ..., '
                                 '"url": ...}')
    return RawRecord({}, position=position, line=line, size=size, problems=[problem])


FORMATS = (Format("json", read, (".json",)), Format("jsonl", read_lines, (".jsonl", ".ndjson")))
