"""`newsletter init`: a new workspace with a commented config, example summaries and an issue.
"""

from __future__ import annotations

from pathlib import Path

from newsletter.config.default_file import render_default_toml
from newsletter.errors import OutputError, UsageError
from newsletter.storage.output import write_new

SCAFFOLD = Path(__file__).parent / "starter_files"
GITIGNORE = "# build output and caches (newsletter build, newsletter preview)\noutput/\n" \
            ".newsletter-cache/\n"
TEMPLATES_README = """# Template overrides

A file here replaces the default theme's file of the same name, one by one; anything not here
comes from the default theme. To change the card layout, for example, copy
`partials/card.mjml.j2` from the default theme (run
`python -c "import newsletter.render.html as r; print(r.PACKAGE_TEMPLATES)"` to find it) into
`templates/partials/card.mjml.j2` and edit it.
"""
INIT_VALUES = {
    "name": "MS Research Digest",
    "website_url": "https://example.org",
    "from_name": "MS Research Digest",
    "from_email": "digest@example.org",
    "postal_address": "Example Organisation, 1 Example Street, Example City",
    "timezone": "UTC",
}


def init_workspace(directory: Path, *, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write a new workspace; returns (created, kept) paths. Never overwrites a file."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} exists and is not a folder")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise UsageError(f"{directory} is not empty; choose an empty folder, or pass --force to "
                         "add the missing workspace files (existing files are kept)")
    files: dict[Path, str] = {
        Path("newsletter.toml"): render_default_toml(INIT_VALUES),
        Path(".gitignore"): GITIGNORE,
        Path("templates/README.md"): TEMPLATES_README,
    }
    for source in sorted(SCAFFOLD.rglob("*")):
        if source.is_file():
            files[source.relative_to(SCAFFOLD)] = source.read_text(encoding="utf-8")
    created, kept = [], []
    for rel, text in files.items():
        try:
            write_new(directory / rel, text)
            created.append(directory / rel)
        except FileExistsError:
            kept.append(directory / rel)
        except OSError as exc:
            raise OutputError(f"cannot write {directory / rel}: {exc.strerror}") from None
    return created, kept
