"""CSV: a header row of canonical column names (or their aliases), one summary per row.

Theme lists (themes, tags, categories) are separated by ';'. The delimiter is the header's
most frequent one of ',', ';' and tab, so spreadsheet exports in any of them are read.
"""

from __future__ import annotations

import csv
import io

from newsletter.importing.readers.base import (
    LIST_FIELDS,
    REQUIRED,
    Format,
    PageOptions,
    RawRecord,
    ReadResult,
    Source,
    decode,
    names_for,
    source_problem,
)

DELIMITERS = (",", ";", "\t")


def read(source: Source, _options: PageOptions) -> ReadResult:
    result = ReadResult()
    text = decode(source, result)
    if text is None:
        return result
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except csv.Error as exc:
        result.problems.append(source_problem(source, f"the header row cannot be read ({exc})",
                                              line=1, fix="check its quotes"))
        return result
    if not _header_ok(source, header, result):
        return result
    end = 1
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.problems.append(source_problem(
                source, f"row cannot be read ({exc})", line=reader.line_num,
                fix="check the quotes on that line: a quote inside a cell is written twice (\"\")"))
            break
        end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        result.records.append(_record(source, header, row, start))
    return result


def _header_ok(source: Source, header: list[str], result: ReadResult) -> bool:
    columns = ", ".join(c for c in header if c) or "none"
    for key in REQUIRED:
        if not set(names_for(key)) & set(header):
            others = names_for(key)[1:]
            also = f" (or {', '.join(others)})" if others else ""
            result.problems.append(source_problem(
                source, f"the header has no '{key}' column (columns: {columns})", key=key, line=1,
                fix=f"add a '{key}' column{also}: every row needs one"))
    for name in sorted({c for c in header if c and header.count(c) > 1}):
        result.problems.append(source_problem(source, f"column '{name}' appears twice", line=1,
                                              key=name, fix="keep one of the two columns"))
    if "" in header:
        result.problems.append(source_problem(
            source, f"column {header.index('') + 1} has no name", line=1,
            fix="name every column in the header row, or delete the empty column"))
    return not result.problems


def _record(source: Source, header: list[str], row: list[str], line: int) -> RawRecord:
    record = RawRecord({}, line=line, size=sum(len(c.encode("utf-8")) for c in row))
    if len(row) > len(header):
        record.problems.append(source_problem(
            source, f"the row has {len(row)} cells but the header has {len(header)} columns",
            line=line, fix="quote cells that contain the delimiter, or add the missing column"))
    for key, cell in zip(header, row, strict=False):
        value = cell.strip()
        if not value:
            continue
        if key in LIST_FIELDS:
            record.data[key] = [part.strip() for part in value.split(";") if part.strip()]
        else:
            record.data[key] = value
    return record


FORMATS = (Format("csv", read, (".csv",)),)
