"""What every command shares: error handling, the issue options, the workspace, messages."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from newsletter.errors import NewsletterError, Problem

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


class Group(click.Group):
    """Maps library errors to messages and exit codes; a traceback only with --verbose."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsletterError as exc:
            if _verbose(ctx):
                traceback.print_exc()
            _print_error(exc.message, exc.problems)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # an unexpected failure: say so plainly
            if _verbose(ctx):
                traceback.print_exc()
            click.echo(f"Error: unexpected {type(exc).__name__}: {exc}", err=True)
            click.echo("This is a bug in newsletter; run again with --verbose for the "
                       "traceback and report it.", err=True)
            ctx.exit(EXIT_INTERNAL)


def _verbose(ctx: click.Context) -> bool:
    return bool(ctx.params.get("verbose")) or "--verbose" in sys.argv


def _print_error(message: str, problems: list[Problem]) -> None:
    click.echo(f"Error: {message}", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)


def print_warnings(warnings: list[Problem]) -> None:
    if warnings:
        click.echo(f"Warnings ({len(warnings)}):", err=True)
        for warning in warnings:
            click.echo(f"  - {warning}", err=True)


def workspace(ctx: click.Context) -> Any:
    """The workspace of --root (or found from the current folder up), its config checked
    against the registered checks too."""
    from newsletter.workspace import open_workspace

    return open_workspace(ctx.find_root().obj["root"], known_checks=known_check_ids)


def known_check_ids() -> list[str]:
    """The registry's ids, imported only when a config disables a check (the rules load lxml)."""
    from newsletter.checks.registry import known_ids

    return known_ids()


def parse_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write YYYY-MM-DD", param=param) \
            from None


def issue_reference(func: Callable[..., Any]) -> Callable[..., Any]:
    """ISSUE_ID, or --from/--to: the same in every command that works on one issue."""
    func = click.option("--to", "end", metavar="YYYY-MM-DD", callback=parse_date,
                        help="Last day of the range (inclusive).")(func)
    func = click.option("--from", "start", metavar="YYYY-MM-DD", callback=parse_date,
                        help="First day of a date range (instead of ISSUE_ID).")(func)
    return click.argument("issue_id", required=False, metavar="[ISSUE_ID]")(func)


def skip_invalid_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--skip-invalid", is_flag=True,
                        help="Leave invalid summary files out (each is reported) instead of "
                             "stopping.")(func)


def issue_args(issue_id: str | None, start: date | None, end: date | None) -> str:
    """How to name the same issue in another command (for hints)."""
    return issue_id or f"--from {start} --to {end}"


def shown(path: Path) -> str:
    """A path as messages show it: relative to the current folder when inside it."""
    from newsletter.workspace import shown_path

    return shown_path(path, Path.cwd())


class LazyChoice(click.Choice):
    """A Choice whose values are read when first needed (help, or the option used), so that
    defining the command imports nothing heavy."""

    def __init__(self, load: Callable[[], list[str]], case_sensitive: bool = True) -> None:
        self._load = load
        self._loaded: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:
        self._loaded = tuple(value)
