"""The checks on real builds: the sample issue, a scaffolded workspace, a 60-card issue, and
a workspace template that breaks a rule."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO, WorkspaceFactory, many_summaries
from helpers.checks import OFFLINE_RULES, core

from newsletter.build import build
from newsletter.checks.runner import check_issue
from newsletter.config.starter import init_workspace
from newsletter.workspace import Workspace, open_workspace


def test_the_sample_issue_passes_with_no_errors(sample_ws: Workspace) -> None:
    report, result = check_issue(sample_ws, "2026-05")
    assert report.counts["error"] == 0, [f.as_dict() for f in report.findings]
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


def test_build_result_of_the_sample_is_what_check_reads(sample_ws: Workspace) -> None:
    result = build(sample_ws, "2026-05", write=False)
    report, again = check_issue(sample_ws, "2026-05")
    assert again.html == result.html and report.issue == "2026-05"
