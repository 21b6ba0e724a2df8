"""The Can I email data (caniemail.com) and matching an email's features against it.

The data ships inside the package as a snapshot, `data/caniemail.json`, made from the npm
package `caniemail` by `make caniemail` (scripts/make_caniemail.py); it is never fetched at run
time. Its header (`source`) carries the package version, the data's date and the MIT licence
notice. For each feature it keeps what the extractor looks for (`kind`, `keys`) and, per client
id of `[checks] clients`, the support in the client's latest version tested:
`[status, version, note, ...]` with status y (supported), a (partly), n (not), u (unknown).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsletter.checks.features import Use, Uses

SNAPSHOT = Path(__file__).parent / "data" / "caniemail.json"

# Gmail's apps with non-Google accounts (GANGA) have no <style> at all: said once, on <style>,
# not again on every selector, at-rule and property inside it.
GANGA = re.compile(r"non[- ]Google accounts", re.I)
CODE = re.compile(r"`([^`]+)`")


@lru_cache(maxsize=2)
def load_snapshot(path: Path = SNAPSHOT) -> dict[str, Any]:
    """The snapshot, read once per process."""
    return json.loads(path.read_text(encoding="utf-8"))


def client_ids(snapshot: dict[str, Any] | None = None) -> list[str]:
    return list((snapshot or load_snapshot())["clients"])


def client_name(snapshot: dict[str, Any], client: str) -> str:
    return str(snapshot["clients"][client]["name"])


@dataclass
class Gap:
    """One feature the email uses that some selected client does not fully support."""

    slug: str
    title: str
    kind: str
    url: str
    use: Use
    missing: list[str]                  # client ids: not supported
    partial: list[tuple[str, str]]      # (client id, the notes that apply): partly supported
    notes: dict[str, str]               # client id -> note, for the `missing` ones that have one


def used(feature: dict[str, Any], uses: Uses) -> Use | None:
    """How the email uses a feature (counts of all its keys together), or None."""
    kind = feature["kind"]
    found: Use | None = None
    for key in feature["keys"]:
        if kind == "property" and key.endswith("-*"):
            hits = [u for (kd, k), u in uses if kd == "property" and k.startswith(key[:-1])]
        else:
            hit = uses.found.get((kind, key))
            hits = [hit] if hit else []
        for hit in hits:
            if found is None:
                found = Use(hit.count, hit.first)
            else:
                found.count += hit.count
    return found


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def note_applies(note: str, feature: dict[str, Any], uses: Uses, css: str) -> bool:
    """Whether a partial-support note concerns what this email does.

    A note naming code (`rem`, `match-parent`, `<number>`, `display:none`) applies only when one
    of the named things is used: an element `<x>` in the document, anything else in the CSS
    (white space ignored). A note about negative values applies when a value of the feature's
    properties starts with "-". Other notes always apply."""
    if GANGA.search(note) and feature["slug"] != "html-style":
        return False
    if re.search(r"negative values", note, re.I) and feature["kind"] == "property":
        values = [v for key in feature["keys"] for v in uses.values.get(key, [])]
        return any(re.search(r"(^|\s)-\d", v) for v in values)
    names = CODE.findall(note)
    if not names:
        return True
    elements = uses.keys("element")
    for name in names:
        tag = re.fullmatch(r"<(\w+)>", name.strip())
        if tag:
            if tag[1].lower() in elements:
                return True
        elif _squash(name) and _squash(name) in css:
            return True
    return False


def match(uses: Uses, clients: Iterable[str], snapshot: dict[str, Any] | None = None,
          ) -> list[Gap]:
    """The features used that some of `clients` do not support (n) or only partly (a).

    Unknown support ("u", or a client the data never tested) is not reported; nor is a partial
    support none of whose notes concerns this email (see note_applies)."""
    snapshot = snapshot or load_snapshot()
    chosen = list(clients)
    css = _squash(" ".join(uses.css))
    gaps = []
    for feature in snapshot["features"]:
        use = used(feature, uses)
        if use is None:
            continue
        missing, partial, notes = [], [], {}
        for client in chosen:
            entry = feature["support"].get(client)
            if not entry:
                continue
            status, client_notes = entry[0], entry[2:]
            if status == "n":
                missing.append(client)
                if client_notes:
                    notes[client] = " ".join(client_notes)
            elif status == "a":
                applying = [n for n in client_notes if note_applies(n, feature, uses, css)]
                if applying or not client_notes:
                    partial.append((client, " ".join(applying)))
        if missing or partial:
            gaps.append(Gap(feature["slug"], feature["title"], feature["kind"], feature["url"],
                            use, missing, partial, notes))
    return gaps


def family_list(snapshot: dict[str, Any], clients: list[str]) -> str:
    """'Gmail web/Android/iOS, Outlook Windows, Outlook.com' for a list of client ids."""
    groups: dict[str, list[str]] = {}
    for client in clients:
        name = client_name(snapshot, client)
        if name.startswith("Apple Mail "):
            family, rest = "Apple Mail", name.removeprefix("Apple Mail ")
        elif name.startswith("Outlook."):
            family, rest = "Outlook", name.removeprefix("Outlook")
        elif name.startswith("Samsung") or " " not in name:
            family, rest = name, ""
        else:
            family, _, rest = name.partition(" ")
        groups.setdefault(family, []).append(rest)
    parts = []
    for family, platforms in groups.items():
        spaced = [p for p in platforms if p and not p.startswith(".")]
        if spaced or "" in platforms:
            parts.append(family + (" " + "/".join(spaced) if spaced else ""))
        parts += [family + p for p in platforms if p.startswith(".")]  # Outlook.com
    return ", ".join(parts)


def source_notice(snapshot: dict[str, Any] | None = None) -> str:
    """'Can I email data (caniemail@2.0.2, updated 2026-05-13), MIT licence'."""
    source = (snapshot or load_snapshot())["source"]
    updated = str(source.get("data_updated") or "")[:10]
    return (f"Can I email data ({source['package']}, updated {updated}), "
            f"{source.get('licence', 'MIT')} licence")
