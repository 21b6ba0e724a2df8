"""A workspace: a folder with newsletter.toml, found from a folder upward or given explicitly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsletter.config.load import CONFIG_FILE, load_config
from newsletter.config.schema import Config
from newsletter.errors import ConfigError, Problem, WorkspaceError


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config

    @property
    def summaries_path(self) -> Path:
        return self.root / self.config.summaries_dir

    @property
    def issues_path(self) -> Path:
        return self.root / self.config.issues_dir

    @property
    def output_path(self) -> Path:
        return self.root / self.config.output_dir

    @property
    def templates_path(self) -> Path:
        return self.root / "templates"

    def relative(self, path: Path) -> str:
        """A path as the user should see it: relative to the workspace when inside it."""
        return shown_path(path, self.root)


def shown_path(path: Path, base: Path) -> str:
    """How every message shows a path: relative to `base` (the workspace, or the current
    folder) when it is inside it, else as given. One rule for the whole tool."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding newsletter.toml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise WorkspaceError(
        f"no {CONFIG_FILE} found in {start} or any folder above it. "
        "Run the command inside a workspace, pass --root DIR, or create one with "
        "`newsletter init DIR`"
    )


def open_workspace(root: Path | None = None, cwd: Path | None = None,
                   known_checks: Callable[[], Sequence[str]] | None = None) -> Workspace:
    """Open the workspace at `root`, or the one found from `cwd` (default: current folder) up.

    `known_checks` gives the check ids `[checks] disable` may name (the commands pass the
    registry's; the workspace itself knows nothing of the checks)."""
    if root is not None:
        root = root.resolve()
        if not (root / CONFIG_FILE).is_file():
            raise WorkspaceError(
                f"{root} is not a workspace: it has no {CONFIG_FILE}. "
                "Create one with `newsletter init DIR`"
            )
    else:
        root = find_root(cwd or Path.cwd())
    config = load_config(root / CONFIG_FILE, known_checks)
    problems = folder_problems(root, config)
    if problems:
        raise ConfigError(f"{CONFIG_FILE} names a folder outside the workspace", problems)
    return Workspace(root=root, config=config)


FOLDER_KEYS = ("summaries_dir", "issues_dir", "output_dir")


def folder_problems(root: Path, config: Config) -> list[Problem]:
    """The workspace's folders must stay inside it once symbolic links are followed (the config
    check sees only their text: `summaries` may be a link to anywhere)."""
    problems = []
    real_root = root.resolve()
    for key in FOLDER_KEYS:
        value = getattr(config, key)
        try:
            real = (root / value).resolve()
        except (OSError, RuntimeError) as exc:  # a loop of links
            problems.append(Problem(CONFIG_FILE, f"'{value}' cannot be resolved ({exc})",
                                    field=key, fix="remove the symbolic link loop"))
            continue
        if real != real_root and not real.is_relative_to(real_root):
            problems.append(Problem(
                CONFIG_FILE, f"'{value}' leads outside the workspace (to {real}) through a "
                "symbolic link", field=key,
                fix="replace the link with the folder itself" + (
                    ", or write elsewhere with --out DIR" if key == "output_dir" else "")))
    return problems

