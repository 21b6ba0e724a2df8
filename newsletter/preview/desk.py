"""The editorial desk: the pipeline side of `newsletter preview`.

One `Desk` per server process. It builds the issue it is showing (the builder callback of the
server), gives the page its state, and carries out the page's actions: edits of the issue file
(always through newsletter.issue.edit.apply_edits, as `newsletter edit` does), undo and redo,
switching to another issue file or a new month, test sends and exports. Nothing here takes a
path from the page: the issue is named by an id that must be one of the workspace's issue files,
and every write goes to issues/<id>.toml.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from newsletter.build import plan_issue, render_plan
from newsletter.checks.model import Finding
from newsletter.checks.registry import known_ids
from newsletter.checks.runner import CheckReport, check_apart, check_build
from newsletter.config.load import CONFIG_FILE
from newsletter.errors import NewsletterError
from newsletter.issue import edit
from newsletter.issue.dates import parse_month, range_id
from newsletter.issue.new import new_issue
from newsletter.issue.spec import issue_path, resolve_issue
from newsletter.limits import GMAIL_CLIP_BYTES, byte_size, is_clipped
from newsletter.preview.history import History, Step, bytes_version
from newsletter.preview.hooks import Action, DeskHooks, Outcome, Refused, Snapshot
from newsletter.preview.state import Built, Classified, desk_state, issue_ids
from newsletter.render import markdown
from newsletter.render.compiled import preload
from newsletter.storage.cache import caching_enabled
from newsletter.summaries.library import LibraryMemo, load_library
from newsletter.summaries.model import Library
from newsletter.workspace import Workspace, open_workspace

SETTLE_SECONDS = 1.5


def problem_body(exc: NewsletterError, **extra: Any) -> dict[str, Any]:
    return {"error": exc.message, "problems": [str(p) for p in exc.problems], **extra}


class Desk:
    def __init__(self, root: Path | None, issue_id: str | None, start: date | None = None,
                 end: date | None = None, *, warm: bool = True) -> None:
        self.root = root
        self.issue_id = issue_id
        self.start, self.end = start, end
        self.memo = LibraryMemo()  # the archive index stays in memory between builds
        self.history = History()
        self.classified = Classified()
        self.last: Built | None = None
        self.scoring = threading.Lock()  # one slow check run at a time (SpamAssassin: seconds)
        self.closed = threading.Event()  # the server stopped: no background check starts
        if warm:  # the first save need not wait for the compiler's imports
            threading.Thread(target=preload, daemon=True).start()

    # --- building -----------------------------------------------------------------------------

    @property
    def current_id(self) -> str:
        if self.issue_id:
            return self.issue_id
        assert self.start and self.end
        return range_id(self.start, self.end)

    def reference(self, ws: Workspace) -> tuple[str | None, date | None, date | None]:
        """What to build, as the commands take it: the issue file once there is one, else the
        date range the desk was started with."""
        if self.start is None or issue_path(ws, self.current_id).is_file():
            return self.current_id, None, None
        return None, self.start, self.end

    def build(self, changed: set[Path] | None = None) -> Snapshot | None:
        """Build the issue. `changed`: the paths the watcher saw (None: from scratch). The desk's
        own write of the issue file, seen again by the watcher, builds nothing new."""
        if self._seen_already(changed):
            return None
        hints = None
        if changed is not None and not any(p.name == CONFIG_FILE for p in changed):
            hints = [str(p) for p in changed]
        self.last = built = self._build(hints)
        if not built.ok:
            return Snapshot(ok=False, errors=built.errors)
        return snapshot_of(built)

    def _seen_already(self, changed: set[Path] | None) -> bool:
        """Only the issues folder changed (the desk's own write, with its temporary file, or
        another issue file) and the issue file is the one the last build read."""
        last = self.last
        if not changed or last is None or last.path is None or not last.ok:
            return False
        if any(p.parent != last.path.parent for p in changed):
            return False
        return edit.file_version(last.path) == last.version

    def _build(self, hints: list[str] | None) -> Built:
        built = Built(self.current_id, None, None)
        try:
            built.ws = ws = open_workspace(self.root, known_checks=known_ids)
            built.path = issue_path(ws, self.current_id)
            built.version = edit.file_version(built.path)
            issue, warnings = resolve_issue(ws, *self.reference(ws))
            built.library = self._library(ws, hints)
            built.result = render_plan(ws, plan_issue(ws, issue, built.library, warnings))
        except NewsletterError as exc:
            built.errors = [exc.message] + [str(p) for p in exc.problems]
        except Exception as exc:  # a bug must not stop the preview: show it and keep watching
            built.errors = [f"unexpected {type(exc).__name__}: {exc}"]
        return built

    def _library(self, ws: Workspace, hints: list[str] | None) -> Library:
        """The archive: the last build's when nothing but the issue files changed (a desk
        action) and the settings are the same, else read again through the memo."""
        last = self.last
        if hints == [] and last is not None and last.library is not None and last.ws is not None \
                and last.ws.config == ws.config:
            return last.library
        return load_library(ws, memo=self.memo, changed=hints, use_cache=caching_enabled())

    def pending(self) -> set[Path] | None:
        """The issue file, when it changed since the last build (a hand edit the watcher has
        not reported yet): the state must show what is on disk."""
        last = self.last
        if last is None or last.path is None:
            return None
        return {last.path} if edit.file_version(last.path) != last.version else None

    def state(self) -> dict[str, Any]:
        built = self.last
        if built is None:
            return {"issue": self.current_id, "ok": False, "errors": ["not built yet"]}
        state = built.state  # read once: the background check may finish meanwhile
        if state is None or (state.get("checks_pending") and built.apart is not None):
            if built.report is None and built.ok and built.ws is not None \
                    and built.result is not None:
                built.report = check_build(built.ws, built.result)
                if not built.apart_started:
                    built.apart_started = True
                    threading.Thread(target=self._check_apart, args=(built,), daemon=True).start()
                if built.library is not None:
                    built.candidates = edit.candidates(built.ws, built.result.plan,
                                                       built.library)
            built.state = state = desk_state(built, self.classified)
        return {**state, "issues": issue_ids(built.ws, built.issue_id),
                **self.history.summary(self.current_id)}

    def _check_apart(self, built: Built) -> None:
        """The rules `build` leaves out (the spam score), in the background: the page shows the
        other findings at once and asks again while `checks_pending`. Scoring starts once no
        newer build came for SETTLE_SECONDS (SpamAssassin's seconds of CPU must not slow the
        next edit's build), and a build that is no longer the latest is not scored."""
        if self.closed.wait(SETTLE_SECONDS):  # edits come in bursts: score what the desk settles on
            return
        with self.scoring:
            if self.closed.is_set() or self.last is not built or built.ws is None \
                    or built.result is None:
                return
            try:
                report = check_apart(built.ws, built.result)
            except Exception as exc:  # a bug must not stop the preview: show it as a finding
                report = CheckReport(built.issue_id, None, [Finding(
                    "error", "the checks run apart", f"unexpected {type(exc).__name__}: {exc}",
                    check="spam.score")], [])
            built.apart = report  # the next state() sees it: the stored one says pending

    def hooks(self) -> DeskHooks:
        actions: dict[str, tuple[Callable[[dict[str, Any]], Outcome], bool]] = {
            "edit": (self.edit, True), "undo": (self.undo, True), "redo": (self.redo, True),
            "new-issue": (self.new, True), "send-test": (self.send_test, True),
            "export": (self.export, True), "switch": (self.switch, False),
            "render-intro": (self.render_intro, False),
        }
        return DeskHooks(self.state, {name: Action(run, writes)
                                      for name, (run, writes) in actions.items()}, self.pending,
                         self.closed.set)

    # --- edits ----------------------------------------------------------------------------------

    def _workspace_and_path(self) -> tuple[Any, Path]:
        try:
            ws = open_workspace(self.root, known_checks=known_ids)
        except NewsletterError as exc:
            raise Refused(400, problem_body(exc)) from None
        return ws, issue_path(ws, self.current_id)

    def edit(self, payload: dict[str, Any]) -> Outcome:
        expected = _expected_version(payload)
        ops = payload.get("ops")
        if not isinstance(ops, list) or not ops:
            raise Refused(400, {"error": "give the edits as \"ops\": a list of operations, "
                                         "e.g. [{\"op\": \"feature\", \"id\": \"...\"}]"})
        ws, path = self._workspace_and_path()
        library = self.last.library if self.last is not None else None
        period = (self.start, self.end) if self.start and self.end else None
        try:
            result = edit.apply_edits(ws, self.current_id, ops, library=library,
                                      expected_version=expected, period=period)
        except edit.VersionConflict as exc:
            raise Refused(409, conflict_body(exc.current)) from None
        except NewsletterError as exc:
            raise Refused(400, problem_body(exc)) from None
        changes = ([f"created {ws.relative(path)}"] if result.created else []) + result.changes
        if result.before != result.after:
            self.history.record(self.current_id, Step(result.before, result.after,
                                                      "; ".join(changes)))
        return Outcome({"changes": changes}, rebuild=True)

    def undo(self, payload: dict[str, Any]) -> Outcome:
        return self._travel(payload, undo=True)

    def redo(self, payload: dict[str, Any]) -> Outcome:
        return self._travel(payload, undo=False)

    def _travel(self, payload: dict[str, Any], undo: bool) -> Outcome:
        expected = _expected_version(payload)
        ws, path = self._workspace_and_path()
        issue = self.current_id
        current = edit.file_version(path)
        if expected != current:
            raise Refused(409, conflict_body(current))
        step = self.history.next_undo(issue) if undo else self.history.next_redo(issue)
        word = "undo" if undo else "redo"
        if step is None:
            raise Refused(400, {"error": f"nothing to {word}"})
        if bytes_version(step.after if undo else step.before) != current:
            self.history.forget(issue)  # the file was edited by hand since: keep that edit
            raise Refused(409, conflict_body(current, f"the issue file was edited outside the "
                                             f"desk since, so there is nothing to {word}; the "
                                             "page now shows the file as it is"))
        try:
            edit.write_version(ws, issue, step.before if undo else step.after,
                               expected_version=current,
                               library=self.last.library if self.last is not None else None)
        except edit.VersionConflict as exc:
            raise Refused(409, conflict_body(exc.current)) from None
        except NewsletterError as exc:
            raise Refused(400, problem_body(exc)) from None
        if undo:
            self.history.undone(issue)
        else:
            self.history.redone(issue)
        return Outcome({"changes": [f"{word}: {step.label}"]}, rebuild=True)

    # --- issues ---------------------------------------------------------------------------------

    def switch(self, payload: dict[str, Any]) -> Outcome:
        wanted = payload.get("issue")
        ws, _path = self._workspace_and_path()
        if not isinstance(wanted, str) or wanted not in issue_ids(ws, self.current_id):
            raise Refused(400, {"error": f"no issue file for {wanted!r}; choose one of: "
                                         + ", ".join(issue_ids(ws, self.current_id))})
        if wanted != self.current_id:
            self.issue_id, self.start, self.end = wanted, None, None
        return Outcome({"changes": [f"showing issue {wanted}"]}, rebuild=True)

    def new(self, payload: dict[str, Any]) -> Outcome:
        month = payload.get("month")
        if not isinstance(month, str) or parse_month(month) is None:
            raise Refused(400, {"error": f"{month!r} is not a month: give YYYY-MM, e.g. 2026-06"})
        ws, _path = self._workspace_and_path()
        try:
            path, notes = new_issue(ws, month)
        except NewsletterError as exc:
            raise Refused(400, problem_body(exc)) from None
        self.issue_id, self.start, self.end = month, None, None
        return Outcome({"changes": [f"wrote {ws.relative(path)}"],
                        "notes": [str(n) for n in notes]}, rebuild=True)

    def render_intro(self, payload: dict[str, Any]) -> Outcome:
        text = payload.get("markdown")
        if not isinstance(text, str):
            raise Refused(400, {"error": "give the intro as \"markdown\": text"})
        return Outcome({"html": markdown.render(text)})

    # --- publishing -------------------------------------------------------------------------------

    def send_test(self, _payload: dict[str, Any]) -> Outcome:
        from newsletter.preview.publish import send_test

        ws, _path = self._workspace_and_path()
        return Outcome({"sent": send_test(ws, *self.reference(ws))})

    def export(self, payload: dict[str, Any]) -> Outcome:
        from newsletter.preview.publish import export

        ws, _path = self._workspace_and_path()
        return Outcome({"export": export(ws, *self.reference(ws),
                                         payload.get("service"))})


def _expected_version(payload: dict[str, Any]) -> str | None:
    if "version" not in payload:
        raise Refused(400, {"error": "give \"version\": the issue file's version the page shows "
                                     "(null when there is no file yet)"})
    version = payload["version"]
    if version is not None and not isinstance(version, str):
        raise Refused(400, {"error": "\"version\" must be a string or null"})
    return version


def conflict_body(current: str | None, message: str | None = None) -> dict[str, Any]:
    return {"error": message or "the issue file changed on disk since the page loaded it "
                                "(edited by hand?): nothing was written; the page now shows the "
                                "file as it is, so make the change again if it is still needed",
            "version": current}


def snapshot_of(built: Built) -> Snapshot:
    result = built.result
    assert result is not None
    size = byte_size(result.html)
    warnings = [str(w) for w in result.warnings + result.notices]
    if is_clipped(size):
        warnings.insert(0, f"{size:,} bytes: over Gmail's clipping limit; `build` will fail")
    plan = result.plan
    status = {
        "issue": plan.issue.id, "subject": plan.subject, "html_bytes": size,
        "limit_bytes": GMAIL_CLIP_BYTES, "count": plan.count, "file_version": built.version,
        "sections": ([{"id": "highlights", "label": "Highlights", "count": len(plan.highlights)}]
                     if plan.highlights else []) + [
            {"id": s.theme.id, "label": s.theme.label, "count": len(s.entries)}
            for s in plan.sections],
        "warnings": warnings,
    }
    return Snapshot(True, result.html, result.text, result.email.mjml, status)
