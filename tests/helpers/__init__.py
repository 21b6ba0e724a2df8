"""What the tests share (imported as `helpers`, never from conftest): the repository's paths,
summary text, a workspace writer and many summaries at once."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

from newsletter.workspace import Workspace, open_workspace

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
SEEDS = REPO.parent / "shared" / "seeds"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

BASE_CONFIG = """\
name = "Test Digest"
website_url = "https://example.org"
postal_address = "1 Test Street, Testville"
unsubscribe_url = "https://example.org/unsubscribe"
timezone = "UTC"
"""


def summary_text(
    title: str = "A study of walking and fatigue in MS",
    published: str = "2026-05-10",
    url: str | None = None,
    body: str = "People with MS walked more and felt less fatigue in daily life.",
    slug: str = "walking",
    **extra: str,
) -> str:
    """A summary file's text; `extra` adds raw front-matter lines (value written as given)."""
    lines = ["---", f"title: {title}", f"published: {published}",
             f"url: {url or 'https://example.org/s/' + slug}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    lines += ["---", body, ""]
    return "\n".join(lines)


class WorkspaceFactory:
    """Writes a workspace into a folder: config, summaries and issue files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, config: str = "", summaries: dict[str, str] | None = None,
                 issues: dict[str, str] | None = None) -> Workspace:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "newsletter.toml").write_text(BASE_CONFIG + textwrap.dedent(config))
        (self.root / "summaries").mkdir(exist_ok=True)
        (self.root / "issues").mkdir(exist_ok=True)
        for name, text in (summaries or {}).items():
            self.write(f"summaries/{name}", text)
        for name, text in (issues or {}).items():
            self.write(f"issues/{name}", textwrap.dedent(text))
        return open_workspace(self.root)

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def reopen(self) -> Workspace:
        return open_workspace(self.root)


def many_summaries(count: int, month: str = "2026-05", words: int = 40) -> dict[str, str]:
    """`count` valid summaries spread over a month and over every default theme."""
    themes = ["treatments", "progression", "diagnosis", "living", "related", "research"]
    teaser = ("Researchers followed a group of people with MS and found a modest change "
              "that needs confirming in larger studies. ") * 2
    out = {}
    for i in range(count):
        body = " ".join(["word"] * words)
        out[f"{month}/s{i:03d}.md"] = summary_text(
            title=f"Study number {i} looked at a question people with MS often ask",
            published=f"{month}-{(i % 28) + 1:02d}", slug=f"s{i:03d}", body=body,
            teaser=f'"{teaser.strip()[:230]}"', themes=f"[{themes[i % len(themes)]}]",
            study_type="observational", source="Example Journal",
            source_url=f"https://example.org/papers/s{i:03d}")
    return out


def seed_pages() -> list[Path]:
    """The two seed pages of ../shared/seeds. Missing: a skip on a laptop, a failure under CI
    (CI=true), where these tests must run."""
    import pytest

    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if len(files) < 2:
        message = f"the seed pages are not in {SEEDS} (../shared/seeds beside the repository)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message + "; CI must run the seed tests")
        pytest.skip(message)
    return files


def copy_sample(root: Path) -> Workspace:
    """A copy of the repository's own sample workspace in `root` (so a test may change it)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "newsletter.toml", root / "newsletter.toml")
    for folder in ("summaries", "issues"):
        shutil.copytree(REPO / folder, root / folder)
    return open_workspace(root)
