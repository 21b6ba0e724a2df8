"""Results of slow pure functions, kept from one run to the next.

A build shows about sixty summaries. Right after one of them was saved, the others' teasers
(cut from their bodies by markdown-it-py), their keyword counts (which give them a theme) and
the intro's HTML and text are what they were in the last run; worked out again they cost about
a tenth of the build (markdown-it-py is imported for them alone, a keyword's pattern is compiled
once a process). A function marked `@remembered(...)` keeps its results in the memo of the run
(`keeping_results`), under a hash of its name, the code it depends on (its modules' bytes, read
when it is imported, the installed libraries' files as `library_stamp` sees them, the program's
and Python's versions) and its arguments: a changed body, keyword, program or library makes a
new key, so a stale result is never used. Outside `keeping_results` (the desk, which keeps a
process and its caches, and the tests) the function just runs.

A memo is one cache entry per scope (an issue): the results that scope used in its last run, so
it stays the size of one issue, and it is written again only when a result was added or dropped.
Arguments and results are what `marshal` stores (text, numbers, tuples, lists, dicts).
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from newsletter import __version__
from newsletter.errors import Problem
from newsletter.storage.cache import library_stamp, read_bytes_entry, write_bytes_entry

SUFFIX = ".memo"
KEEP = 24  # scopes (issues) kept; the oldest are pruned
F = TypeVar("F", bound=Callable[..., Any])


class Memo:
    """The results one scope used in its last run (`known`) and in this one (`used`)."""

    def __init__(self, folder: Path | None, scope: str) -> None:
        self.folder = folder
        self.entry = hashlib.sha256(scope.encode("utf-8", "surrogateescape")).hexdigest()[:40]
        self.notices: list[Problem] = []  # an entry that did not verify (discarded)
        self.known = self._read()
        self.used: dict[bytes, Any] = {}

    def _read(self) -> dict[bytes, Any]:
        data = read_bytes_entry(self.folder, self.entry, SUFFIX, self.notices)
        if data is None:
            return {}
        try:
            known = marshal.loads(data)
        except (EOFError, ValueError, TypeError):  # verified, so only another version's format
            return {}
        return known if isinstance(known, dict) else {}

    def result(self, key: bytes, compute: Callable[[], Any]) -> Any:
        if key in self.used:
            return self.used[key]
        value = self.known[key] if key in self.known else compute()
        self.used[key] = value
        return value

    def save(self) -> None:
        """Store this run's results, when they differ from the last run's (a result marshal
        cannot store keeps the memo as it was: it only costs time)."""
        if self.used and self.used != self.known:
            try:
                data = marshal.dumps(self.used)
            except ValueError:
                return
            write_bytes_entry(self.folder, self.entry, SUFFIX, data, KEEP)


_current: ContextVar[Memo | None] = ContextVar("newsletter_memo", default=None)


@contextmanager
def keeping_results(folder: Path | None, scope: str) -> Iterator[Memo]:
    """Keep the results of `@remembered` functions called inside, for `scope` (an issue), in
    `folder` (None: caching is off, nothing is read or written). A memo entry that does not
    verify is discarded with a notice (`Memo.notices`), as every cache entry is."""
    memo = Memo(folder, scope)
    token = _current.set(memo)
    try:
        yield memo
    finally:
        _current.reset(token)
        memo.save()


def remembered(files: tuple[str, ...], libraries: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Keep a pure function's results in the run's memo. `files`: the modules whose code
    decides its result (its own `__file__` at least), read now, as the code in use is the code
    imported (a module without its source is not remembered); `libraries`: the installed
    packages it uses (found without importing them, at the first call with a memo)."""
    def decorate(function: F) -> F:
        try:
            source = code_digest(files)
        except OSError:
            return function
        name = f"{function.__module__}.{function.__qualname__}".encode()
        stamp: list[bytes] = []

        @wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            memo = _current.get()
            if memo is None:
                return function(*args, **kwargs)
            if not stamp:
                stamp.append(libraries_digest(source, libraries))
            try:  # version 2: the same bytes for equal arguments (no references to objects)
                given = marshal.dumps((args, sorted(kwargs.items())), 2)
            except ValueError:  # an argument marshal cannot store: not remembered
                return function(*args, **kwargs)
            key = hashlib.sha256(name + b"\x1f" + stamp[0] + b"\x1f" + given).digest()[:20]
            return memo.result(key, lambda: function(*args, **kwargs))

        return call  # type: ignore[return-value]

    return decorate


def code_digest(files: tuple[str, ...]) -> bytes:
    """The program's version, Python's and the bytes of `files`."""
    digest = hashlib.sha256(f"{__version__}\x1f{sys.version}\x1f".encode())
    for file in files:
        digest.update(Path(file).read_bytes() + b"\x1e")
    return digest.digest()


def libraries_digest(source: bytes, libraries: tuple[str, ...]) -> bytes:
    digest = hashlib.sha256(source)
    for library in libraries:
        digest.update(library_stamp(library).encode("utf-8", "surrogateescape") + b"\x1e")
    return digest.digest()
