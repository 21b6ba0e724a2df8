"""Editing issue files: every op, validation before writing, versions, comments kept, and the
new keys (include, [move], [order]) as the build sees them."""

from __future__ import annotations

import hashlib
import textwrap

import pytest
from click.testing import CliRunner

from newsletter.build import prepare
from newsletter.cli import main
from newsletter.errors import IssueFileError, SelectionError
from newsletter.issue.edit import (
    UNCHECKED,
    EditError,
    VersionConflict,
    apply_edits,
    candidates,
    file_version,
    write_version,
)
from newsletter.summaries.library import load_library
from newsletter.workspace import Workspace

# A hand-written issue file with comments, odd spacing and a table, as staff write them.
HAND_WRITTEN = textwrap.dedent('''\
    # May issue: written by hand.
    from = 2026-05-01   # first day
    to = 2026-05-31

    # Keep the intro short.
    intro = """
    Welcome to **May**.
    """
    featured = [ "remyelination-drug-visual-signals" ]  # the lead story
    exclude = []

    [order]
    # the trial first
    treatments = ["stem-cell-transplant-five-year-outcomes"]
    ''')

MAY_OUTSIDE = "btk-inhibitor-relapse-trial"  # published in April


def write_issue(ws: Workspace, text: str = HAND_WRITTEN) -> None:
    (ws.issues_path / "2026-05.toml").write_text(text, encoding="utf-8")


def plan_of(ws: Workspace):
    return prepare(ws, "2026-05").plan


def section_of(plan, summary_id: str) -> str | None:
    for section in plan.sections:
        if any(e.summary.id == summary_id for e in section.entries):
            return section.theme.id
    return None


def test_each_op_changes_the_file_and_the_plan(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    ops = [
        {"op": "feature", "id": "stopping-therapy-after-sixty"},
        {"op": "exclude", "id": "bladder-symptoms-working-life"},
        {"op": "include", "id": MAY_OUTSIDE},
        {"op": "move", "id": "adapted-yoga-balance-falls", "theme": "progression"},
        {"op": "order", "theme": "progression",
         "ids": ["adapted-yoga-balance-falls", "brain-atrophy-ageing-progressive-ms"]},
        {"op": "theme_order", "themes": ["living", "treatments"]},
        {"op": "set", "field": "subject", "value": "Our May issue"},
        {"op": "set", "field": "max_per_section", "value": 6},
    ]
    result = apply_edits(sample_ws, "2026-05", ops)
    assert result.changes == [
        "featured: + stopping-therapy-after-sixty",
        "exclude: + bladder-symptoms-working-life",
        f"include: + {MAY_OUTSIDE}",
        "move: adapted-yoga-balance-falls -> progression",
        "order.progression: adapted-yoga-balance-falls, brain-atrophy-ageing-progressive-ms",
        "theme_order: living, treatments",
        "subject: Our May issue",
        "max_per_section: 6",
    ]
    plan = plan_of(sample_ws)
    assert [e.summary.id for e in plan.highlights] == [
        "remyelination-drug-visual-signals", "stopping-therapy-after-sixty"]
    assert "bladder-symptoms-working-life" in [s.id for s in plan.excluded]
    assert MAY_OUTSIDE in [e.summary.id for e in plan.entries]
    progression = next(s for s in plan.sections if s.theme.id == "progression")
    assert [e.summary.id for e in progression.entries][:2] == [
        "adapted-yoga-balance-falls", "brain-atrophy-ageing-progressive-ms"]
    assert progression.entries[0].theme.reason() == "moved here by this issue's [move]"
    assert [s.theme.id for s in plan.sections][:2] == ["living", "treatments"]
    assert plan.subject == "Our May issue"


def test_untouched_lines_and_comments_are_kept(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    apply_edits(sample_ws, "2026-05", [{"op": "feature", "id": "stopping-therapy-after-sixty"},
                                       {"op": "set", "field": "preheader", "value": "Hello"}])
    after = (sample_ws.issues_path / "2026-05.toml").read_text().splitlines()
    before = HAND_WRITTEN.splitlines()
    untouched = [line for line in before if not line.startswith("featured")]
    assert [line for line in after if line in untouched] == untouched  # same lines, same order
    assert ('featured = [ "remyelination-drug-visual-signals", '
            '"stopping-therapy-after-sixty" ]  # the lead story') in after
    assert 'preheader = "Hello"' in after


def test_a_bad_op_names_itself_and_writes_nothing(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    path = sample_ws.issues_path / "2026-05.toml"
    cases = [
        ({"op": "feature", "id": "stoping-therapy-after-sixty"},
         "op 2 (feature): no summary has the id 'stoping-therapy-after-sixty' "
         "(did you mean 'stopping-therapy-after-sixty'?)"),
        ({"op": "move", "id": "adapted-yoga-balance-falls", "theme": "progresion"},
         "op 2 (move): unknown theme 'progresion' (did you mean 'progression'?)"),
        ({"op": "fly", "id": "x"}, "op 2: unknown op 'fly'"),
        ({"op": "set", "field": "from", "value": "2026-01-01"}, "op 2 (set): \"field\" must be"),
        ({"op": "set", "field": "max_per_section", "value": 0}, "op 2 (set): max_per_section"),
        ({"op": "order", "theme": "living", "ids": "abc"}, "op 2 (order): needs \"ids\""),
    ]
    for bad, message in cases:
        with pytest.raises(EditError) as exc:
            apply_edits(sample_ws, "2026-05", [{"op": "restore", "id": "bladder-symptoms-working-life"},
                                               bad])
        assert message in str(exc.value)
        assert path.read_text() == HAND_WRITTEN


def test_a_result_that_is_not_a_valid_issue_is_refused(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    # April's summary may be featured only once it is included
    with pytest.raises(EditError, match="add it to include"):
        apply_edits(sample_ws, "2026-05", [{"op": "feature", "id": MAY_OUTSIDE}])
    result = apply_edits(sample_ws, "2026-05", [{"op": "include", "id": MAY_OUTSIDE},
                                                {"op": "feature", "id": MAY_OUTSIDE}])
    assert result.changed


def test_versions_guard_against_hand_edits(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    path = sample_ws.issues_path / "2026-05.toml"
    version = hashlib.sha256(HAND_WRITTEN.encode()).hexdigest()
    assert file_version(path) == version
    result = apply_edits(sample_ws, "2026-05", [{"op": "set", "field": "subject", "value": "A"}],
                         expected_version=version)
    assert result.version == file_version(path) != version
    with pytest.raises(VersionConflict) as exc:  # the caller still holds the old version
        apply_edits(sample_ws, "2026-05", [{"op": "set", "field": "subject", "value": "B"}],
                    expected_version=version)
    assert exc.value.current == result.version
    assert 'subject = "A"' in path.read_text()


def test_the_first_edit_of_a_month_creates_its_file(sample_ws: Workspace) -> None:
    path = sample_ws.issues_path / "2026-06.toml"
    assert file_version(path) is None
    result = apply_edits(sample_ws, "2026-06", [{"op": "exclude", "id": "flexible-work-fatigue-survey"}],
                         expected_version=None)
    assert result.created and path.is_file()
    text = path.read_text()
    assert "from = 2026-06-01" in text and 'exclude = ["flexible-work-fatigue-survey"]' in text
    assert "# subject = " in text  # computed, shown as a comment
    with pytest.raises(VersionConflict):  # someone expecting no file
        apply_edits(sample_ws, "2026-06", [{"op": "restore", "id": "flexible-work-fatigue-survey"}],
                    expected_version=None)


def test_undo_and_redo_put_exact_bytes_back(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    path = sample_ws.issues_path / "2026-05.toml"
    edit = apply_edits(sample_ws, "2026-05", [{"op": "set", "field": "intro", "value": "Hi\nthere"}])
    undo = write_version(sample_ws, "2026-05", edit.before, expected_version=edit.version)
    assert path.read_text() == HAND_WRITTEN and undo.version == file_version(path)
    redo = write_version(sample_ws, "2026-05", edit.after, expected_version=undo.version)
    assert path.read_bytes() == edit.after and redo.version == edit.version
    with pytest.raises(VersionConflict):
        write_version(sample_ws, "2026-05", edit.before, expected_version=undo.version)
    created = apply_edits(sample_ws, "2026-06", [{"op": "set", "field": "subject", "value": "J"}],
                          expected_version=None)
    write_version(sample_ws, "2026-06", None, expected_version=created.version)
    assert not created.path.exists()


def test_setting_a_text_to_empty_removes_the_key(sample_ws: Workspace) -> None:
    write_issue(sample_ws, 'subject = "Fixed"\n' + HAND_WRITTEN)
    plan_before = plan_of(sample_ws)
    assert plan_before.subject == "Fixed"
    result = apply_edits(sample_ws, "2026-05", [{"op": "set", "field": "subject", "value": ""}])
    assert result.changes == ["subject: removed (computed at build)"]
    assert plan_of(sample_ws).subject.startswith("MS Research Digest: research news for May")
    again = apply_edits(sample_ws, "2026-05", [{"op": "set", "field": "subject", "value": None}],
                        expected_version=UNCHECKED)
    assert again.changes == [] and not again.changed


def test_moving_a_card_takes_it_out_of_its_old_order(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    result = apply_edits(sample_ws, "2026-05", [
        {"op": "move", "id": "stem-cell-transplant-five-year-outcomes", "theme": "research"}])
    assert result.changes == ["order.treatments: - stem-cell-transplant-five-year-outcomes",
                              "move: stem-cell-transplant-five-year-outcomes -> research"]
    assert section_of(plan_of(sample_ws), "stem-cell-transplant-five-year-outcomes") == "research"


def test_candidates_are_the_excluded_and_the_neighbours(sample_ws: Workspace) -> None:
    write_issue(sample_ws, HAND_WRITTEN.replace("exclude = []",
                                                'exclude = ["bladder-symptoms-working-life"]'))
    plan = plan_of(sample_ws)
    found = [s.id for s in candidates(sample_ws, plan, load_library(sample_ws))]
    assert found[0] == "bladder-symptoms-working-life"
    shown = {e.summary.id for e in plan.entries}
    assert not shown & set(found)
    library = load_library(sample_ws)
    for summary_id in found[1:]:
        day = library.get(summary_id).date
        assert day.isoformat() >= "2026-04-17" and day.isoformat() <= "2026-06-14"


def test_summaries_cut_by_max_per_section_are_not_candidates(sample_ws: Workspace) -> None:
    """They are in the issue (behind "N more"): only what the issue does not take is offered."""
    write_issue(sample_ws, HAND_WRITTEN.replace("exclude = []",
                                                "exclude = []\nmax_per_section = 1"))
    plan = plan_of(sample_ws)
    progression = next(s for s in plan.sections if s.theme.id == "progression")
    assert [e.summary.id for e in progression.entries] == ["upper-limb-function-progressive-ms"]
    assert progression.more == 2
    cut = {s.id for s in plan.cut}
    assert {"brain-atrophy-ageing-progressive-ms", "slowly-expanding-lesions-progression"} <= cut
    assert not cut & {e.summary.id for e in plan.entries}
    found = {s.id for s in candidates(sample_ws, plan, load_library(sample_ws))}
    assert not found & cut
    assert not found & {e.summary.id for e in plan.entries}


# --- the issue file's new keys, written by hand --------------------------------------------------


def test_new_keys_are_validated_with_did_you_mean(sample_ws: Workspace) -> None:
    write_issue(sample_ws, HAND_WRITTEN + '\n[move]\n"adapted-yoga-balance-falls" = "livng"\n')
    with pytest.raises(IssueFileError) as exc:
        prepare(sample_ws, "2026-05")
    assert "unknown theme id 'livng'" in str(exc.value) and "did you mean 'living'?" in str(exc.value)
    write_issue(sample_ws, HAND_WRITTEN + '\n[move]\n"adapted-yoga-balance-fals" = "living"\n')
    with pytest.raises(SelectionError) as exc:
        prepare(sample_ws, "2026-05")
    assert "no summary has the id 'adapted-yoga-balance-fals'" in str(exc.value)
    assert "did you mean 'adapted-yoga-balance-falls'?" in str(exc.value)
    write_issue(sample_ws, HAND_WRITTEN.replace(
        "exclude = []", f'exclude = ["{MAY_OUTSIDE}"]\ninclude = ["{MAY_OUTSIDE}"]'))
    with pytest.raises(IssueFileError, match="both include and excluded"):
        prepare(sample_ws, "2026-05")


def test_featured_order_is_the_highlights_order(sample_ws: Workspace) -> None:
    write_issue(sample_ws, HAND_WRITTEN.replace(
        'featured = [ "remyelination-drug-visual-signals" ]',
        'featured = ["stopping-therapy-after-sixty", "remyelination-drug-visual-signals"]'))
    assert [e.summary.id for e in plan_of(sample_ws).highlights] == [
        "stopping-therapy-after-sixty", "remyelination-drug-visual-signals"]


# --- newsletter edit ------------------------------------------------------------------------------


def test_edit_command_prints_what_changed(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    runner = CliRunner()
    result = runner.invoke(main, ["--root", str(sample_ws.root), "edit", "2026-05",
                                  "--feature", "stopping-therapy-after-sixty",
                                  "--move", "adapted-yoga-balance-falls=progression",
                                  "--theme-order", "living,treatments", "--subject", ""])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "featured: + stopping-therapy-after-sixty\n"
        "move: adapted-yoga-balance-falls -> progression\n"
        "theme_order: living, treatments\n"
        f"updated {sample_ws.issues_path / '2026-05.toml'}\n")  # outside the current folder
    same = runner.invoke(main, ["--root", str(sample_ws.root), "edit", "2026-05",
                                "--feature", "stopping-therapy-after-sixty"])
    assert same.exit_code == 0 and same.stdout.startswith("no change: ")


def test_edit_command_errors(sample_ws: Workspace) -> None:
    write_issue(sample_ws)
    runner = CliRunner()
    base = ["--root", str(sample_ws.root), "edit", "2026-05"]
    nothing = runner.invoke(main, base)
    assert nothing.exit_code == 2 and "give at least one change" in nothing.output
    bad_pair = runner.invoke(main, [*base, "--move", "no-equals-sign"])
    assert bad_pair.exit_code == 2 and "is not NAME=VALUE" in bad_pair.output
    unknown = runner.invoke(main, [*base, "--exclude", "nosuch-summary"])
    assert unknown.exit_code == 1
    assert "op 1 (exclude): no summary has the id 'nosuch-summary'" in unknown.stderr
    assert "Traceback" not in unknown.output
    assert (sample_ws.issues_path / "2026-05.toml").read_text() == HAND_WRITTEN
