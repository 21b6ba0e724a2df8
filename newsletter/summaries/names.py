"""Which names in the summaries folder are summaries: one rule for the archive reader and for
import, which must never write a file the reader skips (a summary named README.md would be
imported, counted, and never seen by a build)."""

from __future__ import annotations

SUFFIX = ".md"
RESERVED_STEMS = ("readme",)  # a folder's notes (README.md) are never summaries


def is_hidden_name(name: str) -> bool:
    """Files and folders starting with '.' or '_' are left out (drafts, staging, notes)."""
    return name.startswith((".", "_"))


def is_summary_file_name(name: str) -> bool:
    """A file name the archive reader reads as a summary."""
    return (name.endswith(SUFFIX) and not is_hidden_name(name)
            and name[: -len(SUFFIX)].lower() not in RESERVED_STEMS)


def is_reserved_id(summary_id: str) -> bool:
    """An id whose file (`<id>.md`) the reader would skip: import must choose another."""
    return not is_summary_file_name(summary_id + SUFFIX)
