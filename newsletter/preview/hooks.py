"""What the preview server and the pipeline side agree on: a build's `Snapshot`, the `Builder`
callback, and the desk's hooks (its state, its named actions and their answers)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Snapshot:
    """What one build produced for the preview (or why it failed)."""

    ok: bool
    html: str = ""
    text: str = ""
    mjml: str = ""
    status: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


# Called with the paths that changed (None: build from scratch; an empty set: nothing on disk
# changed but the caller wants a new build). None back: nothing to show anew.
Builder = Callable[[set[Path] | None], Snapshot | None]


class Refused(Exception):
    """An action's refusal: the HTTP status and the JSON body to answer with."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error", ""))
        self.status = status
        self.body = body


@dataclass
class Outcome:
    """What an action did: extra keys for its answer, and whether the issue must be rebuilt
    (then the answer is the new state, with those keys added)."""

    data: dict[str, Any] = field(default_factory=dict)
    rebuild: bool = False


@dataclass(frozen=True)
class Action:
    run: Callable[[dict[str, Any]], Outcome]
    writes: bool = True  # refused (403) in read-only mode


@dataclass
class DeskHooks:
    """The desk's side of the server: the state, the named actions (POST /api/<name>),
    before a state is given, the changes on disk its last build has not seen yet, and what to
    do when the server stops (background work ends)."""

    state: Callable[[], dict[str, Any]]
    actions: Mapping[str, Action]
    pending: Callable[[], set[Path] | None] = lambda: None
    close: Callable[[], None] = lambda: None
