"""Reading many summary files at once (a build without cache, a new archive): in worker
processes when there are thousands and several cores, each file's record made where it is read.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from newsletter.summaries.forking import may_fork
from newsletter.summaries.index import Key, Row, dumps, loads, row_sums, storable
from newsletter.summaries.model import Summary
from newsletter.summaries.parse import parse_file, summary_from_record

PARALLEL_MIN = 2000  # files to read before worker processes pay off


def read_for_index(path: str, shown: str, key: Key, tz: ZoneInfo,
                   theme_ids: tuple[str, ...]) -> Row:
    """Read and validate one file into the row the index stores for it (`key`: the file's key
    as listed), with the row's sums: made where the file is read (a worker process), so the
    main process neither encodes nor hashes the records of thousands of files."""
    record = parse_file(path, shown, tz, theme_ids)
    fields = record["summary"]
    text = dumps(record)
    if fields is None or record["problems"] or record["warnings"]:
        row = Row(key, None, None, None, text)
    else:  # the local date as a Summary made from the record has it (`astimezone` moves a
        # time in a clock change's gap: 23:30 where clocks jump to 00:00 is the next day)
        day = datetime.fromisoformat(fields["published"]).astimezone(tz).date().isoformat()
        row = Row(key, fields["id"], fields["url"], day, text)
    return row._replace(sums=row_sums(shown, row)) if storable(shown) else row


def _read_job(job: tuple[str, str, Key], tz: ZoneInfo, theme_ids: tuple[str, ...]) -> Row:
    return read_for_index(job[0], job[1], job[2], tz, theme_ids)


def read_many(files: list[tuple[str, str, Key]], tz: ZoneInfo, theme_ids: tuple[str, ...]
              ) -> list[Row]:
    """The rows of many (path, shown, key) files, in order: read in worker processes when there
    are thousands and several cores (never while other threads run: a fork would copy their
    locks). All rows are taken in at once: taking each as it comes cost more CPU than it saved
    (the pool's result thread and the caller take turns)."""
    job = partial(_read_job, tz=tz, theme_ids=theme_ids)
    workers = min(os.cpu_count() or 1, 4)
    if len(files) < PARALLEL_MIN or workers < 2 or not may_fork():
        return [job(file) for file in files]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(job, files, chunksize=256))


def summary_from_text(text: str, shown: str, path: str, tz: ZoneInfo) -> Summary:
    """The Summary of a clean record read in this run (its JSON text, as the index stores it)."""
    return summary_from_record(loads(text)["summary"], shown, path, tz)
