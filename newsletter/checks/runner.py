"""Running the checks on an issue: build it in memory, optionally export it, check, report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from newsletter.build import BuildResult, issue_memo, prepare, render_plan
from newsletter.checks import registry
from newsletter.checks.model import LEVELS, CheckContext, Finding, Message
from newsletter.checks.service import Exporter, Registry, resolve
from newsletter.config.schema import DisabledCheck
from newsletter.workspace import Workspace


@dataclass
class CheckReport:
    issue: str
    service: str | None
    findings: list[Finding]
    ran: list[str]
    skipped: list[DisabledCheck] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {level: sum(f.level == level for f in self.findings) for level in LEVELS}

    def merged(self, other: CheckReport) -> CheckReport:
        """This report and `other` (rules of the same issue run apart) as one run would give
        them: errors first, each level in rule order."""
        order = {rule_id: i for i, rule_id in enumerate(registry.known_ids())}
        findings = sorted(self.findings + other.findings,
                          key=lambda f: (LEVELS.index(f.level), order.get(f.check, len(order))))
        ran = sorted(set(self.ran) | set(other.ran), key=lambda r: order.get(r, len(order)))
        return CheckReport(self.issue, self.service, findings, ran, self.skipped)

    def failed(self, strict: bool = False) -> bool:
        """Errors fail; with `strict`, warnings fail too."""
        counts = self.counts
        return counts["error"] > 0 or (strict and counts["warning"] > 0)

    def as_dict(self, strict: bool = False) -> dict[str, Any]:
        """The JSON document of `newsletter check --json` (documented in docs/check.md)."""
        return {
            "issue": self.issue,
            "service": self.service,
            "strict": strict,
            "passed": not self.failed(strict),
            "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings],
            "skipped": [{"id": d.id, "reason": d.reason} for d in self.skipped],
            "checks": self.ran,
        }


def run_checks(ctx: CheckContext, disabled: tuple[DisabledCheck, ...] = (), *,
               build: bool = False, apart: bool = False) -> CheckReport:
    """Run every rule not disabled; findings come back errors first, in rule order.

    Rules that need the network run only when `ctx.online`; with `build`, only the rules of
    `build`'s counts run (not the slow spam score); with `apart`, only the offline rules
    `build` leaves out."""
    off = {d.id for d in disabled}
    rules = registry.selected(off, online=ctx.online, build=build, apart=apart)
    findings = [f for rule in rules for f in rule.run(ctx)]
    findings.sort(key=lambda f: LEVELS.index(f.level))  # stable: rule order within a level
    issue = ctx.plan.issue.id if ctx.plan is not None else ""
    return CheckReport(issue, ctx.service, findings, [r.id for r in rules], list(disabled))


def context_for(ws: Workspace, result: BuildResult, exporter: Exporter | None = None, *,
                online: bool = False) -> CheckContext:
    """What the checks read: the generic build, or its export by `exporter`. The spam check
    scores the eml export of the build either way (made only if it runs)."""
    def message() -> Message:
        from newsletter.checks.message import eml_message

        return eml_message(result, ws.config)

    if exporter is None:
        return CheckContext(result.html, result.text, ws.config, result.plan, root=ws.root,
                            online=online, message=message)
    parts = exporter(ws, result)
    return CheckContext(parts.html, parts.text, ws.config, result.plan, parts.name,
                        parts.merge_tags, root=ws.root, online=online, message=message)


def check_build(ws: Workspace, result: BuildResult, service: str | None = None,
                registry: Registry | None = None) -> CheckReport:
    """Check a build that is already made (as `build` does, for its counts: offline rules
    only, the slow spam score left out), or its export for `service`."""
    exporter = resolve(service, registry) if service is not None else None
    return run_checks(context_for(ws, result, exporter), ws.config.checks.disable, build=True)


def check_apart(ws: Workspace, result: BuildResult) -> CheckReport:
    """The offline rules `check_build` leaves out (the SpamAssassin score, seconds a run): with
    `check_build`'s report, `merged` gives what `newsletter check` finds. The preview shows the
    build's findings at once and these when they are ready."""
    return run_checks(context_for(ws, result), ws.config.checks.disable, apart=True)


def check_issue(ws: Workspace, issue_id: str | None = None, start: date | None = None,
                end: date | None = None, *, service: str | None = None,
                skip_invalid: bool = False, registry: Registry | None = None,
                online: bool = False) -> tuple[CheckReport, BuildResult]:
    """Build the issue in memory (nothing is written) and check it, or its export; with
    `online`, the links and images are fetched too (links.online)."""
    exporter = resolve(service, registry) if service is not None else None  # fail before building
    # render_plan is build without its size stop and without writing: an email over Gmail's
    # limit is the size.html finding, reported with every other finding.
    with issue_memo(ws, issue_id, start, end) as memo:
        result = render_plan(ws, prepare(ws, issue_id, start, end, skip_invalid=skip_invalid))
        result.notices += memo.notices
    ctx = context_for(ws, result, exporter, online=online)
    return run_checks(ctx, ws.config.checks.disable), result
