"""A build with nothing changed keeps the output folder as it is and prints the last report again
(storage/unchanged.py); any change to what a build is made from, or to its files, builds again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.hardening import ISSUE, Outcome, fresh_workspace, run

KEPT = ("Nothing changed since the last build into this folder: its files were kept as they "
        "are (--force builds anyway).")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return fresh_workspace(tmp_path / "ws")


def files_of(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each file: inode, mtime_ns and content (a rewrite changes the inode: a new folder)."""
    found = {}
    for path in sorted(folder.iterdir()):
        st = path.stat()
        found[path.name] = (st.st_ino, st.st_mtime_ns, path.read_bytes())
    return found


def build(root: Path, *options: str) -> Outcome:
    outcome = run(root, "build", ISSUE, *options).clean()
    assert outcome.exit_code == 0, outcome.output
    return outcome


def test_nothing_changed_keeps_the_files_and_prints_the_same_report(root: Path) -> None:
    first = build(root)
    before = files_of(root / "output" / ISSUE)
    second = build(root)
    assert second.stdout == first.stdout
    assert KEPT not in first.stderr
    lines = second.stderr.splitlines()
    assert lines[1] == KEPT
    assert [lines[0], *lines[2:]] == first.stderr.splitlines()  # counts and warnings again
    assert "Warnings (" in second.stderr and "archive_url is not set" in second.stderr
    assert files_of(root / "output" / ISSUE) == before


def _append(path: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        with open(root / path, "a", encoding="utf-8") as file:
            file.write(text)
    return change


def _new_file(path: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return change


def _same_size_same_time(root: Path) -> None:
    """A summary rewritten with the same size and its old modification time (an editor that
    keeps times, a copy with -p): the change time still differs."""
    path = root / "summaries/2026/05/walking-programme-fatigue.md"
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("walk", "WALK", 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size


CHANGES = {
    "a summary of the month": _append("summaries/2026/05/walking-programme-fatigue.md",
                                      "\nOne more sentence.\n"),
    "a summary rewritten in place": _same_size_same_time,
    "a new summary of another month": _new_file(
        "summaries/2025/01/old.md", "---\ntitle: Old news\npublished: 2025-01-02\n"
        "url: https://example.org/old\n---\nBody.\n"),
    "the issue file": _append("issues/2026-05.toml", "\n# a comment\n"),
    "newsletter.toml": _append("newsletter.toml", "\n# a comment\n"),
    "a workspace template": _new_file("templates/notes.txt", "not a template"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_to_any_input_builds_again(root: Path, change: Callable[[Path], None]) -> None:
    build(root)
    before = files_of(root / "output" / ISSUE)
    change(root)
    again = build(root)
    assert KEPT not in again.stderr
    after = files_of(root / "output" / ISSUE)
    assert {name: ino for name, (ino, _, _) in after.items()} != \
        {name: ino for name, (ino, _, _) in before.items()}  # a new folder was moved in
    assert KEPT in build(root).stderr  # and then nothing changed again


def test_an_environment_setting_builds_again(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(root)
    monkeypatch.setenv("NEWSLETTER_SOMETHING", "1")
    assert KEPT not in build(root).stderr


def test_an_output_file_edited_by_hand_is_built_again(root: Path) -> None:
    build(root)
    html = root / "output" / ISSUE / "email.html"
    good = html.read_bytes()
    html.write_bytes(good.replace(b"</body>", b"<p>hand edit</p></body>"))
    again = build(root)
    assert KEPT not in again.stderr
    assert html.read_bytes() == good


def test_an_output_file_removed_is_built_again(root: Path) -> None:
    build(root)
    (root / "output" / ISSUE / "email.txt").unlink()
    assert KEPT not in build(root).stderr
    assert (root / "output" / ISSUE / "email.txt").is_file()


def test_the_whole_output_folder_removed_is_built_again(root: Path) -> None:
    """Its parent gone too: looking for an interrupted swap's leftovers finds none."""
    build(root)
    shutil.rmtree(root / "output")
    assert KEPT not in build(root).stderr
    assert (root / "output" / ISSUE / "email.html").is_file()


def test_a_file_added_to_the_output_folder_is_not_hidden_by_the_record(root: Path) -> None:
    """The folder is then not the build's alone: the build says so, as without the record."""
    build(root)
    (root / "output" / ISSUE / "notes.txt").write_text("mine")
    again = run(root, "build", ISSUE).clean()
    assert KEPT not in again.output
    assert again.exit_code == 1 and "is not empty and was not written by" in again.output
    assert (root / "output" / ISSUE / "notes.txt").read_text() == "mine"


def test_force_and_no_cache_build_in_full(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(root)
    before = files_of(root / "output" / ISSUE)
    assert KEPT not in build(root, "--force").stderr
    assert files_of(root / "output" / ISSUE) != before
    monkeypatch.setenv("NEWSLETTER_NO_CACHE", "1")
    assert KEPT not in build(root).stderr
    assert KEPT not in build(root).stderr


def test_each_output_folder_has_its_own_record(root: Path, tmp_path: Path) -> None:
    build(root)
    other = build(root, "--out", str(tmp_path / "elsewhere"))
    assert KEPT not in other.stderr
    assert (tmp_path / "elsewhere" / "email.html").is_file()
    assert KEPT in build(root).stderr
    assert KEPT in build(root, "--out", str(tmp_path / "elsewhere")).stderr


def test_a_failed_build_leaves_the_record_of_the_last_good_one(root: Path) -> None:
    """A build that fails changes nothing; once the cause is undone (newsletter.toml is keyed
    by its bytes), nothing changed again."""
    build(root)
    config = root / "newsletter.toml"
    good = config.read_text(encoding="utf-8")
    config.write_text("max_per_section = -1\n" + good, encoding="utf-8")
    failed = run(root, "build", ISSUE).clean()
    assert failed.exit_code == 1 and "max_per_section" in failed.output
    config.write_text(good, encoding="utf-8")
    assert KEPT in build(root).stderr


def _keep_size_and_time(path: Path, old: bytes, new: bytes) -> None:
    st = path.stat()
    data = path.read_bytes()
    assert len(old) == len(new) and old in data
    with open(path, "r+b") as file:  # in place: the same inode
        file.write(data.replace(old, new, 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_an_output_file_rewritten_with_its_old_time_is_built_again(root: Path) -> None:
    build(root)
    text = root / "output" / ISSUE / "email.txt"
    good = text.read_bytes()
    _keep_size_and_time(text, b"RESEARCH", b"RESEARCX")
    assert KEPT not in build(root).stderr
    assert text.read_bytes() == good


def test_an_output_link_turned_to_another_folder_is_built_there(root: Path) -> None:
    (root / "output" / "X").mkdir(parents=True)
    (root / "output" / "Y").mkdir()
    link = root / "output" / ISSUE
    link.symlink_to("X")
    first = build(root)
    assert "output/X/email.html" in first.stdout
    link.unlink()
    link.symlink_to("Y")
    again = build(root)
    assert KEPT not in again.stderr and "output/Y/email.html" in again.stdout
    assert (root / "output" / "Y" / "email.html").is_file()
    assert KEPT in build(root).stderr


def test_a_file_behind_a_link_in_templates_or_issues_is_an_input(root: Path) -> None:
    """The build reads through links in templates/ and issues/: so does the key."""
    shared = root / "shared"
    shared.mkdir()
    issue = root / "issues" / f"{ISSUE}.toml"
    (shared / "may.toml").write_bytes(issue.read_bytes())
    issue.unlink()
    issue.symlink_to(shared / "may.toml")
    (shared / "theme").mkdir()
    (shared / "theme" / "notes.txt").write_text("one")
    (root / "templates" / "theme").symlink_to(shared / "theme")
    build(root)
    assert KEPT in build(root).stderr
    with open(shared / "may.toml", "a", encoding="utf-8") as file:
        file.write("\n# edited behind the link\n")
    assert KEPT not in build(root).stderr
    (shared / "theme" / "notes.txt").write_text("two")
    assert KEPT not in build(root).stderr
    assert KEPT in build(root).stderr


def test_a_workspace_path_that_is_not_utf8(tmp_path: Path) -> None:
    """In a new process, as a user runs it (click's test runner cannot print such a path)."""
    root = fresh_workspace(Path(os.fsdecode(bytes(tmp_path) + b"/ws\xe9")))
    out = Path(os.fsdecode(bytes(tmp_path) + b"/out\xff"))
    command = [sys.executable, "-m", "newsletter", "--root", str(root), "build", ISSUE, "--out",
               str(out)]
    outcomes = [subprocess.run(command, capture_output=True, text=True, errors="surrogateescape",
                               check=False, timeout=120) for _ in range(2)]
    assert [o.returncode for o in outcomes] == [0, 0], outcomes
    assert KEPT not in outcomes[0].stderr and KEPT in outcomes[1].stderr
    assert outcomes[1].stdout == outcomes[0].stdout
    assert (out / "email.html").is_file()


def test_a_build_lists_the_summaries_once(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The listing taken for the key is the one the build reads the archive with: one stat per
    summary file a command, not two (and a file saved in between makes the next build run)."""
    from newsletter.storage import unchanged
    from newsletter.summaries import library, listing

    listed: list[Path] = []

    def counting(folder: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        listed.append(folder)
        return listing.list_summary_files(folder, *args, **kwargs)

    monkeypatch.setattr(unchanged, "list_summary_files", counting)
    monkeypatch.setattr(library, "list_summary_files", counting)
    build(root)  # in full: nothing remembered yet
    assert listed == [root / "summaries"]
    build(root)  # nothing changed
    assert listed == [root / "summaries"] * 2


def test_a_config_saved_while_the_command_starts_is_not_remembered(root: Path) -> None:
    """newsletter.toml is read when the workspace is opened, before the key: a save between
    the two reads gives no key (the build runs, and is not remembered)."""
    from newsletter.storage.unchanged import BuildRequest, inputs
    from newsletter.workspace import open_workspace

    ws = open_workspace(root)
    request = BuildRequest(ISSUE, None, None, None, False)
    assert inputs(ws, request) is not None
    config = root / "newsletter.toml"
    text = config.read_text(encoding="utf-8")
    assert text.count('\nname = "') == 1
    config.write_text(text.replace('\nname = "', '\nname = "Renamed ', 1), encoding="utf-8")
    assert inputs(ws, request) is None
    assert inputs(open_workspace(root), request) is not None


def test_only_the_program_files_of_the_package_count(tmp_path: Path) -> None:
    """What a tool keeps beside the program (mutmut's .meta files, an editor's swap file, a new
    folder) changes nothing; a module, a template or a data file does."""
    import hashlib

    from newsletter.storage.unchanged import PROGRAM_FILES, _add_tree

    package = tmp_path / "package"
    (package / "render" / "templates").mkdir(parents=True)
    (package / "build.py").write_text("x = 1\n")
    (package / "render" / "templates" / "card.mjml.j2").write_text("{{ x }}")

    def stamp() -> str:
        digest = hashlib.sha256()
        _add_tree(digest, package, skip="__pycache__", only=PROGRAM_FILES)
        return digest.hexdigest()

    first = stamp()
    (package / "build.py.meta").write_text("{}")
    (package / "render" / ".card.mjml.j2.swp").write_text("swap")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "build.cpython-311.pyc").write_bytes(b"\0")
    (package / "new-folder").mkdir()
    assert stamp() == first
    (package / "render" / "templates" / "card.mjml.j2").write_text("{{ y }}")
    assert stamp() != first
