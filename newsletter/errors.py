"""The library's exceptions and the Problem record they carry.

Nothing here knows about click: the CLI maps `NewsletterError.exit_code` to the process exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in one place, with how to fix it."""

    where: str
    message: str
    field: str | None = None
    fix: str | None = None
    line: int | None = None
    level: str = "error"

    def __str__(self) -> str:
        place = self.where if self.line is None else f"{self.where}:{self.line}"
        field = f"{self.field}: " if self.field else ""
        text = f"{place}: {field}{self.message.rstrip('.')}."
        return f"{text} Fix: {self.fix}" if self.fix else text

    def as_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "where": self.where,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
        }


class NewsletterError(Exception):
    """Base class: a message plus every problem found. Exit code 1 (content or config)."""

    exit_code = 1

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class UsageError(NewsletterError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2


class WorkspaceError(NewsletterError):
    """No workspace, or a workspace folder that cannot be used."""


class ConfigError(NewsletterError):
    """newsletter.toml has problems (all of them are listed)."""


class ContentError(NewsletterError):
    """Summary files have problems (all of them are listed)."""


class IssueFileError(NewsletterError):
    """An issues/<id>.toml file has problems."""


class SelectionError(NewsletterError):
    """The date range or issue file selects nothing usable."""


class TemplateError(NewsletterError):
    """A template could not be rendered or compiled."""


class SizeLimitError(NewsletterError):
    """The built email is larger than the mail clients' clipping limit."""


class ArchiveError(NewsletterError):
    """Issues that could not be put in the web archive (all of them are listed)."""


class PreviewError(NewsletterError):
    """The preview server could not start."""


class OutputError(NewsletterError):
    """An output could not be written (or would overwrite something that is not ours)."""


class ExportError(NewsletterError):
    """An export for a mailing service cannot be made (what is missing is listed)."""


class SendError(NewsletterError):
    """A test email could not be sent (connection, login or a refused recipient)."""
