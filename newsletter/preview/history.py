"""Undo and redo of the desk's edits: the issue file's bytes before and after each one.

Each issue has its own history of at most `limit` steps. A step is undone by putting its
`before` bytes back, and only while the file still holds its `after` bytes: a hand edit in
between makes the history stale, and it is dropped rather than overwrite that edit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

UNDO_LIMIT = 20


def bytes_version(data: bytes | None) -> str | None:
    """The version of a file holding `data` (None: no file), as edit.file_version gives it."""
    return hashlib.sha256(data).hexdigest() if data is not None else None


@dataclass(frozen=True)
class Step:
    before: bytes | None
    after: bytes | None
    label: str


@dataclass
class Stacks:
    done: list[Step] = field(default_factory=list)
    undone: list[Step] = field(default_factory=list)


class History:
    def __init__(self, limit: int = UNDO_LIMIT) -> None:
        self.limit = limit
        self._issues: dict[str, Stacks] = {}

    def _stacks(self, issue_id: str) -> Stacks:
        return self._issues.setdefault(issue_id, Stacks())

    def record(self, issue_id: str, step: Step) -> None:
        """A new edit: it can be undone, and what was undone before it can no longer be redone."""
        stacks = self._stacks(issue_id)
        stacks.done = [*stacks.done, step][-self.limit:]
        stacks.undone = []

    def next_undo(self, issue_id: str) -> Step | None:
        done = self._stacks(issue_id).done
        return done[-1] if done else None

    def next_redo(self, issue_id: str) -> Step | None:
        undone = self._stacks(issue_id).undone
        return undone[-1] if undone else None

    def undone(self, issue_id: str) -> None:
        stacks = self._stacks(issue_id)
        stacks.undone.append(stacks.done.pop())

    def redone(self, issue_id: str) -> None:
        stacks = self._stacks(issue_id)
        stacks.done.append(stacks.undone.pop())

    def forget(self, issue_id: str) -> None:
        self._issues.pop(issue_id, None)

    def summary(self, issue_id: str) -> dict[str, object]:
        stacks = self._stacks(issue_id)
        return {"can_undo": bool(stacks.done), "can_redo": bool(stacks.undone),
                "undo_label": stacks.done[-1].label if stacks.done else None,
                "redo_label": stacks.undone[-1].label if stacks.undone else None,
                "undo_depth": len(stacks.done), "undo_limit": self.limit}
