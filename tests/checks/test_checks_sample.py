"""The checks on real builds: the sample issue, a scaffolded workspace, a 60-card issue, and
a workspace template that breaks a rule."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO, WorkspaceFactory, many_summaries
from helpers.checks import OFFLINE_RULES, core
from helpers.golden import expected_dir, structure

from newsletter.build import build
from newsletter.checks.runner import check_issue
from newsletter.config.starter import init_workspace
from newsletter.workspace import Workspace, open_workspace


def test_the_sample_issue_passes_with_no_errors(sample_ws: Workspace) -> None:
    report, result = check_issue(sample_ws, "2026-05")
    assert report.counts == {"error": 0, "warning": 1, "info": 33}, [
        f.as_dict() for f in report.findings]
    assert [(f.level, f.check) for f in core(report.findings)] == [
        ("warning", "content.study-type"), ("info", "content.single-item")]
    assert report.ran == OFFLINE_RULES  # all but links.online, which needs --online
    assert result.out_dir is None  # nothing was written
    assert not (sample_ws.root / "output").exists()


def test_the_sample_with_neither_address_nor_unsubscribe_url(sample_ws: Workspace) -> None:
    toml = sample_ws.root / "newsletter.toml"
    lines = [line for line in toml.read_text().splitlines()
             if not line.startswith(("postal_address", "unsubscribe_url"))]
    toml.write_text("\n".join(lines) + "\n")
    report, _ = check_issue(open_workspace(sample_ws.root), "2026-05")
    found = {(f.check, f.level) for f in report.findings}
    assert ("compliance.postal-address", "error") in found
    assert ("compliance.unsubscribe", "info") in found
    assert ("compliance.unsubscribe", "error") not in found
    assert not any(f.check == "links.href" for f in report.findings)  # placeholders are fine


def test_a_scaffolded_workspace_passes(tmp_path: Path) -> None:
    init_workspace(tmp_path / "new")
    report, _ = check_issue(open_workspace(tmp_path / "new"), "2026-05")
    assert report.counts["error"] == 0, [f.as_dict() for f in report.findings]


def test_a_sixty_card_issue_passes_every_check(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries=many_summaries(60))
    report, result = check_issue(ws, "2026-05")
    assert result.plan.count == 60
    assert core(report.findings) == []  # compat and spam: info only
    assert {f.level for f in report.findings} == {"info"}


def test_a_workspace_template_with_small_grey_print_fails(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries=many_summaries(4))
    footer = (REPO / "newsletter/render/templates/partials/footer.mjml.j2")
    small = footer.read_text().replace('font-size="14px"', 'font-size="11px"').replace(
        'color="{{ colors.muted }}"', 'color="#aaaaaa"')
    make_ws.write("templates/partials/footer.mjml.j2", small)
    report, _ = check_issue(ws, "2026-05")
    found = {f.check for f in report.findings if f.level == "error"}
    assert found == {"accessibility.font-size", "accessibility.contrast"}


def test_check_reads_the_email_build_writes(sample_ws: Workspace, tmp_path: Path) -> None:
    """`check` runs on the final email: the bytes `build` writes, which match the golden files
    (an expectation kept in the repository, not made by the build)."""
    build(sample_ws, "2026-05", out_dir=tmp_path / "out")
    report, checked = check_issue(sample_ws, "2026-05")
    assert report.issue == "2026-05"
    assert checked.html == (tmp_path / "out" / "email.html").read_text(encoding="utf-8")
    assert checked.text == (tmp_path / "out" / "email.txt").read_text(encoding="utf-8")
    golden = expected_dir("sample-2026-05")
    assert structure(checked.html) == (golden / "email.html.structure").read_text(encoding="utf-8")
    assert checked.text == (golden / "email.txt").read_text(encoding="utf-8")
    assert "%%NL_" not in checked.html  # the workspace's values are filled in, as build does
