"""Every sample summary's theme, pinned: a change to the classifier's keywords or scoring shows
exactly which summaries move to another section.

For each summary of the repository's sample archive (`summaries/`) the table gives the section it
lands in (front matter first, then keywords) and the theme its keywords alone would give (front
matter ignored), so the keyword classifier is pinned on every file, not only on those without
front-matter themes. The two seed pages (../shared/seeds) are imported as the site's pages and
pinned the same way.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from helpers import REPO, WorkspaceFactory, seed_pages
from helpers.importing import run_import

from newsletter.issue.classify import classify_theme
from newsletter.summaries.library import load_library
from newsletter.summaries.model import Summary
from newsletter.workspace import Workspace, open_workspace

# id: (section, theme by keywords alone)
SAMPLE_THEMES: dict[str, tuple[str, str]] = {
    "adapted-yoga-balance-falls": ("living", "living"),
    "autoimmune-encephalitis-memory-recovery": ("related", "related"),
    "bladder-symptoms-working-life": ("living", "living"),
    "brain-atrophy-ageing-progressive-ms": ("progression", "progression"),
    "btk-inhibitor-relapse-trial": ("treatments", "treatments"),
    "caregiver-wellbeing-support-commentary": ("living", "living"),
    "central-vein-sign-diagnosis-accuracy": ("diagnosis", "diagnosis"),
    "cooling-vest-heat-fatigue": ("living", "living"),
    "de-escalating-therapy-stable-ms": ("treatments", "treatments"),
    "ebv-antibodies-before-ms-onset": ("research", "research"),
    "epstein-barr-t-cells-brain": ("research", "research"),
    "everyday-eating-advice-commentary": ("living", "living"),
    "extended-interval-anti-cd20-dosing": ("treatments", "treatments"),
    "fatigue-app-pacing-coaching": ("living", "living"),
    "flexible-work-fatigue-survey": ("living", "living"),
    "gut-bacteria-identical-twins": ("research", "research"),
    "gut-bacteria-transfer-mice": ("research", "research"),
    "ham-tsp-care-gaps-commentary": ("related", "related"),
    "kappa-free-light-chains-review": ("diagnosis", "diagnosis"),
    "microglia-iron-inflammation-lab": ("research", "research"),
    "mog-antibody-persistence-relapse-risk": ("related", "related"),
    "mogad-relapse-steroid-taper": ("related", "related"),
    "ms-risk-genes-b-cells": ("research", "research"),
    "neurofilament-light-home-sampling": ("diagnosis", "diagnosis"),
    "nmosd-b-cell-therapy-infections": ("related", "treatments"),
    "nmosd-pregnancy-attack-risk": ("related", "related"),
    "online-mindfulness-anxiety-mood": ("living", "living"),
    "paramagnetic-rim-lesions-software": ("diagnosis", "diagnosis"),
    "processing-speed-progressive-ms": ("progression", "progression"),
    "remyelination-drug-visual-signals": ("treatments", "treatments"),
    "retinal-layer-thinning-oct-scans": ("diagnosis", "diagnosis"),
    "secondary-progressive-transition-timing": ("progression", "progression"),
    "sgfap-blood-test-progression-risk": ("diagnosis", "diagnosis"),
    "silent-progression-early-relapsing-ms": ("progression", "progression"),
    "sleep-apnoea-daytime-fatigue": ("living", "living"),
    "slowly-expanding-lesions-progression": ("progression", "progression"),
    "spinal-cord-atrophy-walking-decline": ("progression", "progression"),
    "spinal-cord-mri-faster-diagnosis": ("diagnosis", "diagnosis"),
    "stem-cell-transplant-five-year-outcomes": ("treatments", "treatments"),
    "stopping-therapy-after-sixty": ("treatments", "treatments"),
    "under-skin-injection-versus-infusion": ("treatments", "treatments"),
    "upper-limb-function-progressive-ms": ("progression", "progression"),
}

SEED_THEMES: dict[str, tuple[str, str]] = {
    "000_f4075abe916434a1.txt": ("treatments", "treatments"),  # dimethyl fumarate and HAM/TSP
    "001_1cdd9ff4ead9b49f.txt": ("progression", "progression"),  # HAM/TSP and progressive MS
}


def themes_of(ws: Workspace, summaries: list[Summary]) -> dict[str, tuple[str, str]]:
    themes, fallback = ws.config.themes, ws.config.fallback_theme
    return {s.id: (classify_theme(s, themes, fallback).label or "",
                   classify_theme(dataclasses.replace(s, themes=()), themes, fallback).label or "")
            for s in summaries}


def moved(expected: dict[str, tuple[str, str]], actual: dict[str, tuple[str, str]]) -> list[str]:
    lines = [f"{key}: pinned {expected.get(key)}, now {actual.get(key)}"
             for key in sorted(set(expected) | set(actual)) if expected.get(key) != actual.get(key)]
    return lines


def test_every_sample_summary_keeps_its_theme() -> None:
    ws = open_workspace(REPO)
    actual = themes_of(ws, load_library(ws, use_cache=False).summaries)
    changes = moved(SAMPLE_THEMES, actual)
    assert not changes, ("summaries moved (update the table if the change is intended):\n"
                         + "\n".join(changes))


def test_the_sample_covers_every_default_section() -> None:
    sections = {section for section, _ in SAMPLE_THEMES.values()}
    assert sections == {"treatments", "progression", "diagnosis", "living", "related", "research"}


def test_the_seed_pages_keep_their_themes(tmp_path: Path) -> None:
    ws = WorkspaceFactory(tmp_path / "ws")()
    folder = tmp_path / "pages"
    folder.mkdir()
    names = {}
    for number, seed in enumerate(seed_pages()):
        target = folder / f"2026-05-0{number + 6}-seed-{number}.txt"
        shutil.copy(seed, target)
        names[f"seed-{number}"] = seed.name
    result = run_import(ws, folder, base_url="https://example.org/summaries")
    assert result.invalid == 0
    imported = themes_of(ws, load_library(ws, use_cache=False).summaries)
    actual = {names[key]: value for key, value in imported.items()}
    changes = moved(SEED_THEMES, actual)
    assert not changes, "seed pages moved:\n" + "\n".join(changes)

