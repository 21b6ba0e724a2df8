"""Summaries shaped like the real ones, for the size budget (tests and benchmarks/bench.py).

Titles of 56-110 characters (mean about 90), teasers of 215-280 (mean about 250), a journal name
and a journal link on each, a summary URL like the site's, UTM parameters on (the defaults), the
six default themes in turn and the five study types. Deterministic: the same `count` always
gives the same files.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from newsletter.build import prepare, render_plan
from newsletter.limits import byte_size

MONTH = "2026-05"
THEMES = ("treatments", "progression", "diagnosis", "living", "related", "research")
STUDY_TYPES = ("clinical-trial", "observational", "lab", "review", "other")
JOURNALS = (
    "Multiple Sclerosis Journal", "Neurology", "Annals of Neurology", "JAMA Neurology",
    "Brain", "The Lancet Neurology", "Neurology: Neuroimmunology & Neuroinflammation",
    "Multiple Sclerosis and Related Disorders", "Journal of Neurology, Neurosurgery & Psychiatry",
    "Frontiers in Immunology", "Nature Communications", "European Journal of Neurology",
)
_VOCABULARY = """people with multiple sclerosis relapsing progressive disease took part in a trial of
an oral therapy over two years and researchers measured brain volume new lesions on MRI walking
speed fatigue scores blood levels of neurofilament light chain and the number of relapses while
a smaller group stayed on placebo the results were modest but consistent across clinics and
need confirming in larger longer studies before any change to care"""
_WORDS = tuple(_VOCABULARY.split())
CONFIG = """name = "MS Research Digest"
website_url = "https://example.org"
postal_address = "MS Research Digest, 1 Example Street, Example City, EX1 2MP"
unsubscribe_url = "https://example.org/newsletter/unsubscribe"
archive_url = "https://example.org/newsletter/archive"
"""


def _sentence(rng: random.Random, low: int, high: int, mode: int) -> str:
    """Words up to a length drawn between low and high (triangular: the mean sits near mode)."""
    target = round(rng.triangular(low, high, mode))
    words: list[str] = []
    while len(" ".join(words)) < target:
        words.append(rng.choice(_WORDS))
    text = " ".join(words)[:target].rstrip()
    text = (text[:-1] + "s") if text.endswith(" ") else text
    return text[0].upper() + text[1:]


def summary(i: int, rng: random.Random) -> str:
    title = _sentence(rng, 56, 110, 104)
    teaser = _sentence(rng, 214, 279, 257) + "."
    slug = "-".join(re.findall(r"[a-z]+", title.lower())[:7])
    journal = JOURNALS[i % len(JOURNALS)]
    return (f"---\ntitle: \"{title}\"\npublished: {MONTH}-{i % 28 + 1:02d}\n"
            f"url: https://example.org/summaries/{slug}-{i}\n"
            f"themes: [{THEMES[i % len(THEMES)]}]\nstudy_type: {STUDY_TYPES[i % len(STUDY_TYPES)]}\n"
            f"teaser: \"{teaser}\"\nsource: \"{journal}\"\n"
            f"source_url: https://doi.org/10.1177/135245852{i:06d}\n---\n"
            f"{teaser}\n")


def write_workspace(root: Path, count: int) -> Path:
    """A workspace with `count` realistic summaries in May 2026 (no issue file: the whole month)."""
    rng = random.Random(count)
    (root / "summaries" / MONTH).mkdir(parents=True, exist_ok=True)
    (root / "issues").mkdir(exist_ok=True)
    (root / "newsletter.toml").write_text(CONFIG, encoding="utf-8")
    for i in range(count):
        (root / "summaries" / MONTH / f"s{i:03d}.md").write_text(summary(i, rng), encoding="utf-8")
    return root


def html_bytes(root: Path) -> int:
    """The size of the email.html of a workspace from write_workspace (rendered, not written, so
    that a size over the limit is measured instead of refused)."""
    from newsletter.workspace import open_workspace

    ws = open_workspace(root)
    return byte_size(render_plan(ws, prepare(ws, MONTH)).html)
