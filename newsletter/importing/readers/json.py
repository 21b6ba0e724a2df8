"""JSON (an array of objects, or an object holding one under `items`/`summaries`/`records`,
or a single object) and JSON Lines (one object per line)."""

from __future__ import annotations

import json
from typing import Any

from newsletter.errors import Problem
from newsletter.importing.readers.base import (
    Format,
    PageOptions,
    RawRecord,
    ReadResult,
    Source,
    decode,
    source_problem,
)
from newsletter.summaries.frontmatter import MAX_DEPTH, MAX_DIGITS
from newsletter.values import type_name

LIST_KEYS = ("items", "summaries", "records", "entries")


def read(source: Source, options: PageOptions) -> ReadResult:
    """JSON; a text that is not one JSON value but is one object per line is read as JSON Lines."""
    result = ReadResult()
    text = decode(source, result)
    if text is None:
        return result
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            return _lines(source, text, result)
        result.problems.append(source_problem(
            source, f"not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno,
            fix="check the brackets, commas and quotes around that place"))
        return result
    except RecursionError:
        result.problems.append(source_problem(
            source, "the JSON is nested too deeply to read (thousands of levels)",
            fix="give a list of flat objects, one per summary"))
        return result
    items = _items(value)
    if items is None:
        result.problems.append(source_problem(
            source, f"expected a list of objects, got {type_name(value)}",
            fix="give a JSON array of objects, one per summary ([{\"title\": ...}, ...]), "
                "or an object with them under \"items\""))
        return result
    for number, item in enumerate(items, 1):
        try:
            size = len(json.dumps(item, ensure_ascii=False).encode("utf-8"))
        except (RecursionError, ValueError):
            size = 0  # too deep to measure: _shape_problems names it
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
            item = _loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            message = f"not valid JSON ({exc.msg}, column {exc.colno})" \
                if isinstance(exc, json.JSONDecodeError) else "the line is nested too deeply"
            result.records.append(RawRecord({}, line=number, size=len(line.encode("utf-8")),
                                            problems=[source_problem(
                source, message, line=number,
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


class HugeNumber(str):
    """A JSON integer longer than Python turns into an int: kept as its text, reported."""


def _parse_int(text: str) -> int | HugeNumber:
    return HugeNumber(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_parse_int)


def _shape_problems(source: Source, item: dict[str, Any], line: int | None) -> list[Problem]:
    """A value nested deeper than front matter takes, or a number of thousands of digits."""
    problems = []
    for key, value in item.items():
        stack = [(value, 1)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, HugeNumber):
                problems.append(source_problem(
                    source, f"is a number of {len(node.lstrip('-')):,} digits", line=line,
                    key=str(key), fix="give it as text (in quotes), or leave it out"))
                break
            if depth > MAX_DEPTH:
                problems.append(source_problem(
                    source, f"is nested more than {MAX_DEPTH} levels deep", line=line,
                    key=str(key), fix="flatten it, or leave it out"))
                break
            children = node.values() if isinstance(node, dict) else \
                node if isinstance(node, list) else ()
            stack.extend((child, depth + 1) for child in children)
    return problems


def _record(source: Source, item: Any, size: int, *, position: str | None = None,
            line: int | None = None) -> RawRecord:
    if isinstance(item, dict):
        problems = _shape_problems(source, item, line)
        bad = {p.field for p in problems}  # reported, and kept out of the record
        return RawRecord({str(k): v for k, v in item.items() if str(k) not in bad},
                         position=position, line=line, size=size, problems=problems)
    problem = source_problem(source, f"expected an object, got {type_name(item)}", line=line,
                             fix='write each summary as {"title": ..., "published": ..., '
                                 '"url": ...}')
    return RawRecord({}, position=position, line=line, size=size, problems=[problem])


FORMATS = (Format("json", read, (".json",)), Format("jsonl", read_lines, (".jsonl", ".ndjson")))
