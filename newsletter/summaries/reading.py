"""Reading many summary files at once (a build without cache, a new archive): in worker
processes when there are thousands and several cores, each file's record made where it is read.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from zoneinfo import ZoneInfo

from newsletter.summaries.model import Summary
from newsletter.summaries.parse import parse_file, summary_from_record

PARALLEL_MIN = 2000  # files to read before worker processes pay off

# What reading a file gives the scan: the record as the index stores it (JSON text) and, for a
# clean summary (no problem, no warning), its id, url and local date; three None otherwise.
Read = tuple[str, str | None, str | None, str | None]


def read_for_index(path: str, shown: str, tz: ZoneInfo, theme_ids: tuple[str, ...]) -> Read:
    """Read and validate one file, in the form the index stores and the scan uses: made where
    the file is read (a worker process), so the main process neither encodes the record nor
    builds a Summary for each of thousands of files."""
    from newsletter.summaries.index import dumps

    record = parse_file(path, shown, tz, theme_ids)
    fields = record["summary"]
    text = dumps(record)
    if fields is None or record["problems"] or record["warnings"]:
        return text, None, None, None
    # "published" is the aware datetime in the workspace's zone, ISO: its date comes first
    return text, fields["id"], fields["url"], fields["published"][:10]


def _read_job(job: tuple[str, str], tz: ZoneInfo, theme_ids: tuple[str, ...]) -> Read:
    return read_for_index(job[0], job[1], tz, theme_ids)


def read_many(files: list[tuple[str, str]], tz: ZoneInfo, theme_ids: tuple[str, ...]
              ) -> list[Read]:
    """Read many (path, shown) files: in worker processes when there are thousands and several
    cores (never while other threads run: a fork would copy their locks)."""
    job = partial(_read_job, tz=tz, theme_ids=theme_ids)
    workers = min(os.cpu_count() or 1, 4)
    if len(files) < PARALLEL_MIN or workers < 2 or threading.active_count() > 1:
        return [job(file) for file in files]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(job, files, chunksize=256))


def summary_from_text(text: str, shown: str, path: str, tz: ZoneInfo) -> Summary:
    """The Summary of a clean record read in this run (its JSON text, as the index stores it)."""
    from newsletter.summaries.index import loads

    return summary_from_record(loads(text)["summary"], shown, path, tz)
