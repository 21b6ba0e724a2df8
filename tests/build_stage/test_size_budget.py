"""The size budget with realistic cards (titles 56-110 characters, teasers 215-280, a journal
and its link on each, UTM on): the byte counts that decide Gmail's clip, and the suggested
max_per_section that must pass `check --strict`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import realistic

from newsletter.build import build
from newsletter.cli import main
from newsletter.errors import SizeLimitError
from newsletter.limits import GMAIL_CLIP_BYTES, WARN_BYTES, byte_size
from newsletter.workspace import open_workspace

MARGINAL_MAX = 800  # bytes a realistic card adds
FIXED_MAX = 15_000  # everything else: head, header, section headings, disclaimer, footer


@pytest.fixture(scope="module")
def sizes(tmp_path_factory):
    root = tmp_path_factory.mktemp("sizes")
    return {n: realistic.html_bytes(realistic.write_workspace(root / str(n), n))
            for n in (60, 100)}


def test_realistic_cards_fit_the_budget(sizes):
    marginal = (sizes[100] - sizes[60]) / 40
    fixed = sizes[100] - 100 * marginal
    assert marginal <= MARGINAL_MAX, marginal
    assert fixed <= FIXED_MAX, fixed
    assert sizes[100] < 100_000, sizes[100]
    assert sizes[60] < 65 * 1024, sizes[60]


def test_the_realistic_content_is_what_it_claims(tmp_path):
    root = realistic.write_workspace(tmp_path / "ws", 100)
    plan = build(open_workspace(root), realistic.MONTH, write=False).plan
    titles = [len(e.summary.title) for e in plan.entries]
    teasers = [len(e.summary.teaser) for e in plan.entries]
    assert min(titles) >= 56 and max(titles) <= 110 and 85 <= sum(titles) / 100 <= 95
    assert min(teasers) >= 215 and max(teasers) <= 280 and 240 <= sum(teasers) / 100 <= 260
    assert all(e.summary.source and e.summary.source_url for e in plan.entries)


def test_a_card_keeps_what_it_shows(tmp_path):
    root = realistic.write_workspace(tmp_path / "ws", 1)
    result = build(open_workspace(root), realistic.MONTH, write=False)
    entry = result.plan.entries[0].summary
    html = result.html
    card = html[html.index("<h3"):html.index("</p>", html.index(entry.teaser[:40])) + 4]
    assert entry.title in card and entry.teaser in card and entry.date.strftime("%-d %B %Y") in card
    assert entry.study_type_label in card and entry.source in card
    assert f'href="{entry.source_url}"' in card  # the journal link
    assert 'utm_campaign=2026-05"' in card and entry.url in card  # the summary link, UTM on
    assert "class=" not in card  # every byte counts: styles inline, no class


def test_suggested_max_per_section_passes_check_strict(tmp_path):
    root = realistic.write_workspace(tmp_path / "ws", 140)
    with (root / "newsletter.toml").open("a") as config:  # this test is about size: random
        config.write('\n[checks]\ndisable = [{id = "spam", reason = "generated text trips '
                     'LONGWORDS"}]\n')  # word strings trip SpamAssassin's LONGWORDS rule
    ws = open_workspace(root)
    (root / "issues" / "2026-05.toml").write_text(
        'subject = "MS Research Digest: May 2026"\npreheader = "What is new in MS research."\n'
        "from = 2026-05-01\nto = 2026-05-31\n")
    with pytest.raises(SizeLimitError) as exc:
        build(ws, "2026-05")
    fix = exc.value.problems[0].fix or ""
    limit = int(fix.split("max_per_section = ")[1].split()[0])
    issue = root / "issues" / "2026-05.toml"
    issue.write_text(issue.read_text() + f"max_per_section = {limit}\n")
    result = build(open_workspace(root), "2026-05")
    assert byte_size(result.html) < WARN_BYTES < GMAIL_CLIP_BYTES
    checked = CliRunner().invoke(main, ["--root", str(root), "check", "2026-05", "--strict",
                                        "--json"])
    report = json.loads(checked.stdout)
    assert checked.exit_code == 0, report["findings"]
    # the largest such limit: one more per section reaches the warning
    issue.write_text(issue.read_text().replace(f"max_per_section = {limit}",
                                               f"max_per_section = {limit + 1}"))
    assert realistic.html_bytes(root) >= WARN_BYTES
