"""Which names in the summaries folder are summaries: one rule for the archive reader and for
import, which must never write a file the reader skips (a summary named README.md would be
imported, counted, and never seen by a build)."""

from __future__ import annotations

import re

SUFFIX = ".md"
HIDDEN_FIRST = "._"  # files and folders starting with these are left out (drafts, staging)
# `<stem>.md`, the stem not hidden and not "readme" in any case (a folder's notes).
_SUMMARY_NAME = re.compile(r"(?![._])(?!(?i:readme)\.md\Z).*\.md", re.S)


def is_hidden_name(name: str) -> bool:
    """Files and folders starting with '.' or '_' are left out (drafts, notes, staging)."""
    return name[:1] in HIDDEN_FIRST if name else False


def is_summary_file_name(name: str) -> bool:
    """A file name the archive reader reads as a summary (one C call: the scan runs it on
    every file of the archive)."""
    return _SUMMARY_NAME.fullmatch(name) is not None


def summary_file_names(names: list[str]) -> set[str]:
    """The names among `names` that `is_summary_file_name` accepts (the rule run in C over a
    folder's names at once: the scan's loop then only looks a name up)."""
    return set(filter(_SUMMARY_NAME.fullmatch, names))


def is_reserved_id(summary_id: str) -> bool:
    """An id whose file (`<id>.md`) the reader would skip: import must choose another."""
    return not is_summary_file_name(summary_id + SUFFIX)
