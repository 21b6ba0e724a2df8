"""The pieces every check shares: a Finding, the CheckContext it reads, and the registry.

A check is a small function registered under an id with `@check("group.rule")`. It takes one
CheckContext and returns a list of Findings; the runner stamps each finding with the check's id.
The part of an id before the dot is its group (size, disclaimer, compliance, links, images,
accessibility, content, plaintext, compat, spam); a workspace may disable a single rule or a
whole group. A rule declared with `build=False` runs in `newsletter check` but not in `build`'s
counts (it is slow: spam); one with `online=True` runs only with `check --online` (it uses the
network: links.online).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from newsletter.config.schema import Config
    from newsletter.issue.plan import Entry, Plan

LEVELS = ("error", "warning", "info")
HTML_PART = "email.html"
TEXT_PART = "email.txt"


@dataclass(frozen=True)
class Finding:
    """One thing a check noticed: how bad, where, what, and how to fix it."""

    level: str
    where: str
    message: str
    fix: str | None = None
    check: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}; use one of {LEVELS}")

    @property
    def group(self) -> str:
        return self.check.split(".", 1)[0]

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "check": self.group, "rule": self.check,
                "where": self.where, "message": self.message, "fix": self.fix}


def error(where: str, message: str, fix: str | None = None) -> Finding:
    return Finding("error", where, message, fix)


def warning(where: str, message: str, fix: str | None = None) -> Finding:
    return Finding("warning", where, message, fix)


def info(where: str, message: str, fix: str | None = None) -> Finding:
    return Finding("info", where, message, fix)


@dataclass(frozen=True)
class ServiceParts:
    """An issue as one mailing service will send it: merge tags in place of the placeholders.

    `merge_tags` are the service's own tags used in the parts (for example `*|UNSUB|*`); tags
    written in the usual syntaxes are also recognised without being listed.
    """

    name: str
    html: str
    text: str
    merge_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    """The whole message a spam filter scores (RFC 5322 bytes).

    `stand_in` is None for the eml export itself; otherwise it says why the export could not be
    made and which stand-in values the scored message uses instead."""

    data: bytes
    stand_in: str | None = None


@dataclass
class CheckContext:
    """What the checks look at: both parts of the email, the plan behind them and the config.

    `plan` is None when only strings are checked (tests, or a file from elsewhere); checks that
    need the plan (summary links, content) then have nothing to check. `service` is the mailing
    service whose export is checked, or None for the generic build. `root` is the workspace
    (whose cache folder the slow checks use; None: no cache), `online` whether `check --online`
    allows the network, and `message` makes the message the spam check scores (None: the
    check builds one from the two parts).
    """

    html: str
    text: str
    config: Config
    plan: Plan | None = None
    service: str | None = None
    merge_tags: tuple[str, ...] = ()
    root: Path | None = None
    online: bool = False
    message: Callable[[], Message] | None = None
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def document(self) -> HtmlElement:
        """The HTML parsed once (lxml.html), shared by every check."""
        from newsletter.checks.dom import parse

        return parse(self.html)

    @cached_property
    def hidden(self) -> set[HtmlElement]:
        """The elements readers do not see (hidden themselves or inside a hidden one)."""
        from newsletter.checks.dom import hidden_elements

        return hidden_elements(self.document)

    def is_hidden(self, el: HtmlElement) -> bool:
        return el in self.hidden

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed once per context and shared by the checks (e.g. text elements)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def subject(self) -> str | None:
        return self.plan.subject if self.plan is not None else None

    @property
    def preheader(self) -> str | None:
        return self.plan.preheader if self.plan is not None else None

    @property
    def entries(self) -> list[Entry]:
        """Every card of the issue: highlights first, then each section's entries."""
        if self.plan is None:
            return []
        return list(self.plan.highlights) + [e for s in self.plan.sections for e in s.entries]


CheckFunction = Callable[[CheckContext], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """A check function with its id ("group.rule"); `registry.py` lists every rule in order.

    `build`: whether `build`'s counts include it; `online`: whether it needs `check --online`."""

    id: str
    func: CheckFunction
    build: bool = True
    online: bool = False

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def doc(self) -> str:
        """The docstring's first paragraph, on one line."""
        first = (self.func.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(first.split())

    def run(self, ctx: CheckContext) -> list[Finding]:
        return [replace(f, check=self.id) for f in self.func(ctx)]

    def __call__(self, ctx: CheckContext) -> list[Finding]:
        return self.func(ctx)


def check(rule_id: str, *, build: bool = True, online: bool = False,
          ) -> Callable[[CheckFunction], Rule]:
    """Declare a check function's id ("group.rule"): the function becomes a Rule. Declaring
    registers nothing: a rule runs when `registry.RULES` lists it. `build=False` keeps a slow
    rule out of `build`'s counts; `online=True` runs it only with `check --online` (and never
    in `build`)."""

    def declare(func: CheckFunction) -> Rule:
        return Rule(rule_id, func, build=build and not online, online=online)

    return declare
