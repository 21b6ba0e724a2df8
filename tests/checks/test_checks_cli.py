"""`newsletter check` and the counts line of `newsletter build`, through click's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner, Result
from helpers import REPO, WorkspaceFactory, many_summaries
from helpers.checks import DELIVERABILITY, OFFLINE_RULES, summaries

from newsletter.checks.registry import RULES
from newsletter.cli import main
from newsletter.workspace import Workspace

CLEAN = dict(summaries=summaries())  # two sections of two, study types given: no finding
# but the compat infos and the spam score, which every real email has
NO_ADDRESS = 'name = "Test Digest"\ntimezone = "UTC"\n'


def invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args])


def clean_ws(make_ws: WorkspaceFactory, config: str = "") -> Workspace:
    return make_ws(config=config, **CLEAN)


def test_a_clean_issue_passes_even_with_strict(make_ws: WorkspaceFactory) -> None:
    ws = clean_ws(make_ws)
    for extra in ([], ["--strict"]):
        result = invoke(ws.root, "check", "2026-05", *extra)
        assert result.exit_code == 0, result.output
        assert re.fullmatch(r"Issue 2026-05: 0 errors, 0 warnings, \d+ info "
                            rf"\({len(OFFLINE_RULES)} checks run\): passed",
                            result.stdout.splitlines()[-1])
    data = json.loads(invoke(ws.root, "check", "2026-05", "--json").stdout)
    assert {f["level"] for f in data["findings"]} == {"info"}
    assert {f["check"] for f in data["findings"]} <= set(DELIVERABILITY)


def test_without_the_deliverability_groups_a_clean_issue_has_no_findings(
        make_ws: WorkspaceFactory) -> None:
    ws = clean_ws(make_ws, config='[checks]\ndisable = [{id = "compat", reason = "r"}, '
                                  '{id = "spam", reason = "r"}]\n')
    result = invoke(ws.root, "check", "2026-05", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No findings.")
    assert result.stdout.splitlines()[-1] == (
        "Issue 2026-05: 0 errors, 0 warnings, 0 info (26 checks run, 2 skipped): passed")


def test_warnings_fail_only_with_strict(sample_ws: Workspace) -> None:
    plain = invoke(sample_ws.root, "check", "2026-05")
    assert plain.exit_code == 0, plain.output
    assert re.search(r"^LEVEL +CHECK +WHERE +MESSAGE / HOW TO FIX$", plain.stdout, re.M)
    assert "content.study-type" in plain.stdout
    assert plain.stdout.splitlines()[-1] == (
        "Issue 2026-05: 0 errors, 1 warning, 33 info (28 checks run): passed")  # as the README says
    strict = invoke(sample_ws.root, "check", "2026-05", "--strict")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1] == (
        "Issue 2026-05: 0 errors, 1 warning, 33 info (28 checks run): failed (--strict: warnings fail)")


def test_errors_fail_with_and_without_strict(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(**CLEAN)
    (ws.root / "newsletter.toml").write_text(NO_ADDRESS)
    for extra in ([], ["--strict"]):
        result = invoke(ws.root, "check", "--from", "2026-05-01", "--to", "2026-05-31", *extra)
        assert result.exit_code == 1
        assert "compliance.postal-address" in result.stdout
        assert re.match(r"Issue 2026-05: 1 error, 0 warnings, \d+ info", result.stdout.splitlines()[-1])


def test_json_output_parses_and_matches_the_documented_keys(sample_ws: Workspace) -> None:
    result = invoke(sample_ws.root, "check", "2026-05", "--json", "--strict")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    documented = json.loads(re.search(r"```json\n(.*?)```", (REPO / "docs/check.md").read_text(),
                                      re.S).group(1))
    assert set(data) == set(documented)
    assert set(data["findings"][0]) == set(documented["findings"][0])
    assert set(data["counts"]) == set(documented["counts"]) == {"error", "warning", "info"}
    assert data["strict"] is True and data["passed"] is False and data["service"] is None
    assert data["counts"] == {"error": 0, "warning": 1, "info": 33}  # as the README says
    assert [(f["level"], f["rule"]) for f in data["findings"]
            if f["check"] not in ("compat", "spam")] == [
        ("warning", "content.study-type"), ("info", "content.single-item")]
    assert data["checks"] == OFFLINE_RULES  # links.online only with --online
    finding = data["findings"][0]
    assert finding["rule"].startswith(finding["check"] + ".")
    assert sum(data["counts"].values()) == len(data["findings"])


def test_every_documented_id_is_a_check_and_every_check_is_documented() -> None:
    text = (REPO / "docs/check.md").read_text()
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", text, re.M))
    assert documented == set(RULES)


def test_a_disabled_check_is_skipped_and_its_reason_printed(sample_ws: Workspace) -> None:
    toml = sample_ws.root / "newsletter.toml"
    toml.write_text(toml.read_text() + '\n[checks]\ndisable = [\n'
                    '  {id = "content.study-type", reason = "Imported summaries have none"},\n'
                    '  {id = "plaintext", reason = "We send HTML only"},\n]\n')
    result = invoke(sample_ws.root, "check", "2026-05", "--strict")
    assert result.exit_code == 0, result.output
    assert "content.study-type" not in result.stdout.split("Skipped")[0]
    assert "Skipped content.study-type: Imported summaries have none" in result.stdout
    assert "Skipped plaintext: We send HTML only" in result.stdout
    assert f"({len(OFFLINE_RULES) - 4} checks run, 2 skipped)" in result.stdout.splitlines()[-1]
    data = json.loads(invoke(sample_ws.root, "check", "2026-05", "--json").stdout)
    assert data["skipped"][0] == {"id": "content.study-type",
                                  "reason": "Imported summaries have none"}
    assert not any(c.startswith("plaintext.") or c == "content.study-type"
                   for c in data["checks"])


def test_an_unknown_disabled_id_is_a_config_error(make_ws: WorkspaceFactory) -> None:
    ws = clean_ws(make_ws)
    with (ws.root / "newsletter.toml").open("a") as toml:
        toml.write('[checks]\ndisable = [{id = "contrast", reason = "x"}, {id = "links.href"}]\n')
    result = invoke(ws.root, "check", "2026-05")
    assert result.exit_code == 1
    assert "checks.disable[0].id: unknown check id 'contrast'; did you mean " \
           "'accessibility.contrast'?" in result.output
    assert "known ids: size, disclaimer," in result.output
    assert "checks.disable[1].reason: is required" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_service_is_a_usage_error(sample_ws: Workspace) -> None:
    for name in ("nosuch", "all"):  # a check reads one export at a time
        result = invoke(sample_ws.root, "check", "2026-05", "--service", name)
        assert result.exit_code == 2
        assert f"unknown service '{name}'" in result.output
        assert "available: brevo, campaign-monitor, eml, listmonk, mailchimp," in result.output


def test_issue_id_and_range_together_is_a_usage_error(sample_ws: Workspace) -> None:
    result = invoke(sample_ws.root, "check", "2026-05", "--from", "2026-05-01", "--to",
                    "2026-05-31")
    assert result.exit_code == 2


def test_build_prints_the_counts_and_does_not_fail_on_findings(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(**CLEAN)
    (ws.root / "newsletter.toml").write_text(NO_ADDRESS)
    result = invoke(ws.root, "build", "--from", "2026-05-01", "--to", "2026-05-31")
    assert result.exit_code == 0, result.output
    assert re.search(r"^Checks: 1 error, 0 warnings, \d+ info \(details: newsletter check --from "
                     r"2026-05-01 --to 2026-05-31\)$", result.stderr, re.M)  # stdout: the files
    assert (ws.root / "output/2026-05/email.html").is_file()


def test_build_of_the_sample_prints_its_counts(sample_ws: Workspace, tmp_path: Path) -> None:
    result = invoke(sample_ws.root, "build", "2026-05", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Checks: 0 errors, 1 warning, 32 info (details: newsletter check 2026-05)\n" \
        in result.stderr


def test_an_oversized_issue_is_a_size_finding_in_check_and_fails_build(
        make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries=many_summaries(200))
    result = invoke(ws.root, "check", "2026-05", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    errors = [f for f in data["findings"] if f["level"] == "error"]
    assert [f["rule"] for f in errors] == ["size.html"]
    assert "max_per_section" in errors[0]["fix"]
    assert data["checks"] == OFFLINE_RULES  # every other check ran too
    build = invoke(ws.root, "build", "2026-05")
    assert build.exit_code == 1 and "Gmail clips" in build.output
    assert not (ws.root / "output").exists()


def test_help_has_an_example_and_lists_every_check() -> None:
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    for rule_id in RULES:
        assert rule_id in result.output
