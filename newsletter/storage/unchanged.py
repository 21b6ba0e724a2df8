"""Skipping a build when nothing changed: what a successful build was made from, and what it
wrote, so that the next `newsletter build` with the same inputs keeps the output as it is.

A build is made from: the package's code and the libraries it renders with, the command's
options, the NEWSLETTER_* environment, newsletter.toml, every file of the issues and templates
folders, and every summary file (one stat each, the listing the build itself then uses: an edited
file is never missed). Those go into one key (`Inputs.key`), taken before the build reads
anything, so a file saved during a build makes the next build run in full.

After a successful build, `remember` stores the key in the cache folder (`builds/`, one entry
per output folder) with what the command printed and the stat of each file written (taken under
the workspace lock, right after the files were moved in). `recall` gives that record back only
when the key is the same and the output folder holds exactly those files, unchanged, with no
leftover of an interrupted swap beside it: a file edited, removed or added by hand makes the
build run in full and replace the folder as usual (or refuse, as it would have).

This module is imported by every `newsletter build` before anything else: it stays light (no
rendering, no parsing), so a build with nothing to do costs the start-up and the stats only.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from array import array
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from newsletter.config.load import CONFIG_FILE, parse_config
from newsletter.errors import NewsletterError, Problem
from newsletter.limits import GMAIL_CLIP_BYTES
from newsletter.storage.cache import (
    cache_folder,
    caching_enabled,
    library_stamp,
    read_entry,
    stat_line,
    write_entry,
)
from newsletter.storage.journal import STAGING
from newsletter.storage.output import leftovers, output_target
from newsletter.summaries.folders import FOLDERS
from newsletter.summaries.listing import Listing, list_summary_files
from newsletter.workspace import Workspace, shown_path

KIND = "builds"
KEEP = 32  # output folders remembered
FORMAT = "1"
PACKAGE = Path(__file__).resolve().parents[1]
# the kinds of file the program is made of (modules, templates, page assets, data, starter files):
# only these count, so that what a tool keeps beside them (mutmut's .meta files, an editor's swap
# files) does not make every build run in full
PROGRAM_FILES = (".py", ".j2", ".css", ".js", ".html", ".json", ".toml", ".md")
# what renders the email besides the package: a new version of one builds again
LIBRARIES = ("mjml", "css_inline", "jinja2", "markupsafe", "markdown_it", "nh3", "lxml",
             "yaml", "tinycss2", "tzdata")


@dataclass(frozen=True)
class BuildRequest:
    """The options of one `newsletter build`."""

    issue_id: str | None
    start: date | None
    end: date | None
    out_dir: Path | None
    skip_invalid: bool


@dataclass
class Inputs:
    """Everything a build is made from, as one key, and the listing of the summaries (which the
    build then uses instead of listing them again)."""

    key: str
    entry: str  # the record's name: one per workspace and command (output folder included)
    listing: Listing
    out_dir: Path | None = None  # the --out given (as the build will be given it)


@dataclass
class BuildRecord:
    """What a build printed, and the files it wrote."""

    issue_id: str
    period: str
    count: int
    sections: int
    written: list[tuple[str, int]]  # absolute path, bytes
    counts: str  # the checks' counts line
    warnings: list[Problem]
    out_dir: str = ""
    stamps: dict[str, list[int]] = field(default_factory=dict)  # see output_stamps

    def summary(self, cwd: Path) -> str:
        """The lines `newsletter build` prints on standard output."""
        return summary_text(self.issue_id, self.period, self.count, self.sections,
                            [(Path(p), size) for p, size in self.written], cwd)


def summary_text(issue_id: str, period: str, count: int, sections: int,
                 written: list[tuple[Path, int]], cwd: Path) -> str:
    out = [f"Built issue {issue_id} ({period}): {count} summar{'ies' if count != 1 else 'y'} "
           f"in {sections} section{'s' * (sections != 1)}"]  # as `plan` says it
    width = max((len(shown_path(p, cwd)) for p, _ in written), default=0)
    for path, size in written:
        note = ""
        if path.name == "email.html":
            note = f"  ({size / GMAIL_CLIP_BYTES:.0%} of Gmail's 102 KB clipping limit)"
        out.append(f"  {shown_path(path, cwd):<{width}}  {size / 1024:6.1f} KB{note}")
    return "\n".join(out) + "\n"


def inputs(ws: Workspace, request: BuildRequest, notices: list[Problem] | None = None
           ) -> Inputs | None:
    """The key of this build's inputs, or None when builds are not remembered (the cache is
    off, an interrupted import's files wait to be moved in: the build recovers them, or part of
    the summaries folder cannot be read: the build reports it). A cache entry discarded on the
    way (the folders' names) adds a notice to `notices`."""
    if not caching_enabled() or (ws.summaries_path / STAGING).exists():
        return None
    out_dir = request.out_dir.absolute() if request.out_dir is not None else None
    command = "\x1f".join([str(ws.root), request.issue_id or "", str(request.start or ""),
                           str(request.end or ""), str(out_dir or ""), str(request.skip_invalid)])
    digest = hashlib.sha256(f"newsletter-build-inputs {FORMAT}\n{command}\n".encode(
        "utf-8", "surrogateescape"))
    # without an issue id the range depends on the day; the day costs nothing
    digest.update(date.today().isoformat().encode() + b"\x1e")
    _add_environment(digest)
    _add_tree(digest, PACKAGE, skip="__pycache__", only=PROGRAM_FILES)
    for name in LIBRARIES:
        _add_library(digest, name)
    if not _add_config(digest, ws):
        return None
    _add_tree(digest, ws.issues_path)
    _add_tree(digest, ws.templates_path)
    listing = _listing(ws.summaries_path, ws.relative(ws.summaries_path),
                       cache_folder(ws.root, FOLDERS), notices)
    if listing is None:
        return None
    rels, stamps, links = listing
    digest.update(b"summaries\x1f" + os.fsencode(ws.summaries_path) + b"\x1f")
    digest.update("\x1f".join(rels).encode("utf-8", "surrogateescape") + b"\x1e")
    digest.update(array("q", stamps).tobytes() + b"\x1e")
    digest.update("\x1f".join(links).encode("utf-8", "surrogateescape") + b"\x1e")
    entry = hashlib.sha256(command.encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return Inputs(digest.hexdigest(), entry, listing, request.out_dir)


def recall(ws: Workspace, seen: Inputs, notices: list[Problem] | None = None
           ) -> BuildRecord | None:
    """The record of the last build into the same folder, if it was made from the same inputs
    and its files are still there, unchanged, and alone. A record that does not verify is
    discarded with a notice added to `notices` (the build then runs in full)."""
    text = read_entry(cache_folder(ws.root, KIND), seen.entry, ".json", notices)
    if text is None:
        return None
    try:
        data = json.loads(text)
        if data.get("key") != seen.key:
            return None
        record = BuildRecord(
            data["issue_id"], data["period"], data["count"], data["sections"],
            [(str(p), int(size)) for p, size in data["written"]], data["counts"],
            [Problem(**w) for w in data["warnings"]], str(data["out_dir"]),
            {name: list(stamp) for name, stamp in data["stamps"].items()})
    except (ValueError, KeyError, TypeError):
        return None
    out_dir = Path(record.out_dir)
    named = seen.out_dir if seen.out_dir is not None else ws.output_path / record.issue_id
    if output_target(named).absolute() != out_dir.absolute():  # a link turned elsewhere
        return None
    new, old = leftovers(out_dir)  # an interrupted swap: the build puts things right
    unchanged = record.stamps and not new + old and output_stamps(out_dir) == record.stamps
    return record if unchanged else None


def remember(ws: Workspace, seen: Inputs, record: BuildRecord) -> None:
    """Store the record of a successful build made from `seen` (a write failure only costs
    time: the next build runs in full)."""
    data = {"key": seen.key, "issue_id": record.issue_id, "period": record.period,
            "count": record.count, "sections": record.sections,
            "written": [[p, size] for p, size in record.written], "counts": record.counts,
            "warnings": [{"where": w.where, "message": w.message, "field": w.field,
                          "fix": w.fix, "line": w.line, "level": w.level}
                         for w in record.warnings],
            "out_dir": record.out_dir, "stamps": record.stamps}
    write_entry(cache_folder(ws.root, KIND), seen.entry, ".json",
                json.dumps(data), keep=KEEP)  # \udcXX escapes: any path survives


def output_stamps(folder: Path) -> dict[str, list[int]]:
    """Each file of an output folder: size, mtime_ns, ctime_ns, inode and mode (empty when it
    cannot be read; a rewrite with its old mtime put back still changes the ctime).
    Anything but a plain file (a folder, a link) makes it empty too: only a build made it."""
    stamps: dict[str, list[int]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.is_file(follow_symlinks=False):
                    return {}
                st = entry.stat(follow_symlinks=False)
                stamps[entry.name] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino,
                                      st.st_mode]
    except OSError:
        return {}
    return stamps


def _listing(folder: Path, shown: str, cache: Path | None = None,
             notices: list[Problem] | None = None) -> Listing | None:
    """The listing of the summaries folder; None when part of it cannot be read (the build
    then lists it again and reports what it could not read, or leaves it out when asked)."""
    links: list[str] = []
    if not folder.is_dir():
        return [], [], links
    unreadable: list[tuple[str, OSError]] = []
    rels, stamps = list_summary_files(folder, links, shown, unreadable, cache, notices)
    if unreadable:
        return None
    return rels, stamps, links


def _add_environment(digest: Any) -> None:
    values = sorted((k, v) for k, v in os.environ.items() if k.startswith("NEWSLETTER_"))
    values += [("TZ", os.environ.get("TZ", "")), ("python", sys.version),
               ("executable", sys.executable)]
    digest.update(repr(values).encode("utf-8", "surrogateescape") + b"\x1e")


def _add_stat(digest: Any, name: str, st: os.stat_result) -> None:
    digest.update(stat_line(name, st).encode("utf-8", "surrogateescape"))


def _add_config(digest: Any, ws: Workspace) -> bool:
    """newsletter.toml's bytes, read now: False when they are no longer what the workspace was
    opened with (a save between the two reads), so that this build is not remembered."""
    try:
        raw = (ws.root / CONFIG_FILE).read_bytes()
        same = parse_config(raw.decode("utf-8")) == ws.config
    except (OSError, UnicodeDecodeError, NewsletterError):
        return False
    digest.update(b"config\x1f" + hashlib.sha256(raw).digest() + b"\x1e")
    return same


def _add_tree(digest: Any, folder: Path, skip: str = "", only: tuple[str, ...] = ()) -> None:
    """A stat of every file below `folder`, in a stable order (a folder's own stat is left out:
    its times change with anything written into it, and its files are listed anyway). A link
    adds the stat of what it
    points to and where that is (the build reads through links), and a linked folder is walked
    too, each real folder once (a link to a parent cannot loop). `only`: the files whose names
    end so (none: every file), and no hidden file."""
    digest.update(b"tree\x1f" + os.fsencode(folder) + b"\n")
    if not folder.is_dir():
        return
    seen: set[str] = set()
    for top, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if d != skip)
        if only:
            files = [f for f in files if f.endswith(only) and not f.startswith(".")]
        for name in sorted(files):
            _add_entry(digest, os.path.join(top, name))


def _add_entry(digest: Any, path: str) -> None:
    try:
        st = os.lstat(path)
        _add_stat(digest, path, st)
        if stat.S_ISLNK(st.st_mode):
            _add_stat(digest, os.path.realpath(path), os.stat(path))
    except OSError:
        digest.update(os.fsencode(path) + b"\x1fgone\n")


def _add_library(digest: Any, name: str) -> None:
    digest.update(library_stamp(name).encode("utf-8", "surrogateescape") + b"\x1e")
