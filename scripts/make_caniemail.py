#!/usr/bin/env python3
"""Convert the npm package `caniemail` (data/caniemail.json) into the compact snapshot that the
`compat` check reads (newsletter/checks/data/caniemail.json, shipped inside the package).

    make caniemail            # npm pack caniemail, then this script; never at run time
    .venv/bin/python scripts/make_caniemail.py --package DIR [--out FILE]

DIR is the unpacked package (the folder holding package.json, LICENSE and data/caniemail.json).

What is kept, per feature: slug, title, url, the date it was last tested, what the extractor
(newsletter/checks/features.py) looks for (`kind` and `keys`, see KINDS below) and, for each of
our client ids, the support of the *latest* version the data lists (the last version key, in the
data's own order: the data lists versions oldest first; sorting them as strings would put
"2021" after "16.80" for Outlook macOS) with its version and its notes (Markdown as in the
data): [status, version, note, ...].

A feature whose title this script cannot map to something the extractor finds is left out and
named in the header (`unmapped`), and printed, so that a refresh shows new features to map.
The client ids are those of `[checks] clients` (newsletter.values.EMAIL_CLIENTS).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter.values import EMAIL_CLIENTS  # noqa: E402

SNAPSHOT = ROOT / "newsletter" / "checks" / "data" / "caniemail.json"

# Our stable client ids -> (family, platform) in the data. "Yahoo" is Yahoo! Mail on the web
# (desktop-webmail); its apps (yahoo.ios / yahoo.android) are not in the staff list.
CLIENTS: dict[str, tuple[str, str, str]] = {
    "gmail-web": ("gmail", "desktop-webmail", "Gmail web"),
    "gmail-android": ("gmail", "android", "Gmail Android"),
    "gmail-ios": ("gmail", "ios", "Gmail iOS"),
    "outlook-windows": ("outlook", "windows", "Outlook Windows"),
    "outlook-macos": ("outlook", "macos", "Outlook macOS"),
    "outlook-com": ("outlook", "outlook-com", "Outlook.com"),
    "outlook-ios": ("outlook", "ios", "Outlook iOS"),
    "outlook-android": ("outlook", "android", "Outlook Android"),
    "apple-mail-macos": ("apple-mail", "macos", "Apple Mail macOS"),
    "apple-mail-ios": ("apple-mail", "ios", "Apple Mail iOS"),
    "yahoo": ("yahoo", "desktop-webmail", "Yahoo Mail web"),
    "samsung-email": ("samsung-email", "android", "Samsung Email"),
}

if tuple(CLIENTS) != EMAIL_CLIENTS:  # pragma: no cover - caught by tests/checks
    raise SystemExit("CLIENTS here and newsletter.values.EMAIL_CLIENTS differ: keep them equal")

# kind -> what the extractor (newsletter/checks/features.py) emits for it:
#   element        tag name (lower case)
#   attribute      attribute name, on any element
#   element-attr   "tag[attr=value]" or "tag[attr^=prefix]" (the few the data names)
#   doctype        "html5"
#   html-comment   "*"
#   property       CSS property name; a key ending in "-*" matches a prefix ("animation-*")
#   value          "property:keyword" (display:flex)
#   important      "!important"
#   function       CSS function name (calc, var, linear-gradient, rgb)
#   unit           a dimension unit or "%"
#   keyword        an identifier in a value (system-ui, fit-content, initial)
#   at-rule        at-rule name without "@" (media, font-face)
#   media-feature  a media feature inside @media (prefers-color-scheme)
#   selector       descendant, child, adjacent-sibling, general-sibling, attribute, class, id,
#                  type, universal, grouping, chaining, nesting
#   pseudo         pseudo-class or pseudo-element name without colons (hover, before)
#   css-comment    "*"
#   image-format   file extension of an image source, or "data:" for a data URI
KINDS = ("element", "attribute", "element-attr", "doctype", "html-comment", "property", "value",
         "important", "function", "unit", "keyword", "at-rule", "media-feature", "selector",
         "pseudo", "css-comment", "image-format")

# Features whose title does not say it all.
OVERRIDES: dict[str, tuple[str, list[str]]] = {
    "amp": ("element-attr", ["html[amp4email]", "html[\u26a14email]"]),
    "css-at-media-device-pixel-ratio": ("media-feature", [
        "-webkit-device-pixel-ratio", "-webkit-min-device-pixel-ratio",
        "-webkit-max-device-pixel-ratio"]),
    "css-at-media-hover": ("media-feature", ["hover", "any-hover"]),
    "css-at-media-orientation": ("media-feature", ["orientation"]),
    "css-at-media-prefers-color-scheme": ("media-feature", ["prefers-color-scheme"]),
    "css-at-media-prefers-reduced-motion": ("media-feature", ["prefers-reduced-motion"]),
    "css-animation": ("property", ["animation", "animation-*"]),
    "css-transition": ("property", ["transition", "transition-*"]),
    "css-border": ("property", ["border", "border-width", "border-style", "border-color",
                                "border-top", "border-right", "border-bottom", "border-left",
                                "border-top-width", "border-top-style", "border-top-color",
                                "border-right-width", "border-right-style", "border-right-color",
                                "border-bottom-width", "border-bottom-style",
                                "border-bottom-color", "border-left-width", "border-left-style",
                                "border-left-color"]),
    "css-margin": ("property", ["margin", "margin-top", "margin-right", "margin-bottom",
                                "margin-left"]),
    "css-padding": ("property", ["padding", "padding-top", "padding-right", "padding-bottom",
                                 "padding-left"]),
    "css-overflow": ("property", ["overflow", "overflow-x", "overflow-y", "overflow-block",
                                  "overflow-inline"]),
    "css-inset": ("property", ["inset", "inset-*"]),
    "css-left-right-top-bottom": ("property", ["left", "right", "top", "bottom"]),
    "css-scroll-snap": ("property", ["scroll-snap-*"]),
    "css-text-emphasis": ("property", ["text-emphasis", "text-emphasis-color",
                                       "text-emphasis-style"]),
    "css-grid-template": ("property", ["grid-template", "grid-template-*"]),
    "css-block-inline-size": ("property", ["block-size", "inline-size"]),
    "css-border-inline-block": ("property", ["border-inline", "border-block"]),
    "css-border-inline-block-individual": ("property", [
        "border-inline-start", "border-inline-end", "border-block-start", "border-block-end",
        "border-inline-color", "border-block-color", "border-inline-style", "border-block-style",
        "border-inline-width", "border-block-width"]),
    "css-border-inline-block-longhand": ("property", [
        f"border-{axis}-{side}-{what}" for axis in ("inline", "block")
        for side in ("start", "end") for what in ("color", "style", "width")]),
    "css-border-radius-logical": ("property", [
        "border-start-start-radius", "border-start-end-radius", "border-end-start-radius",
        "border-end-end-radius"]),
    "css-column-layout-properties": ("property", [
        "columns", "column-count", "column-fill", "column-gap", "column-rule",
        "column-rule-color", "column-rule-style", "column-rule-width", "column-span",
        "column-width"]),
    "css-gap": ("property", ["gap", "column-gap", "row-gap"]),
    "css-margin-block-start-end": ("property", ["margin-block-start", "margin-block-end"]),
    "css-margin-inline-block": ("property", ["margin-inline", "margin-block"]),
    "css-margin-inline-start-end": ("property", ["margin-inline-start", "margin-inline-end"]),
    "css-padding-block-start-end": ("property", ["padding-block-start", "padding-block-end"]),
    "css-padding-inline-block": ("property", ["padding-inline", "padding-block"]),
    "css-padding-inline-start-end": ("property", ["padding-inline-start", "padding-inline-end"]),
    "css-color-scheme": ("property", ["color-scheme"]),
    "css-inert-attribute": ("attribute", ["inert"]),
    "css-display-flex": ("value", ["display:flex", "display:inline-flex"]),
    "css-display-grid": ("value", ["display:grid", "display:inline-grid"]),
    "css-display-none": ("value", ["display:none"]),
    "css-flex-direction": ("value", ["flex-direction:column", "flex-direction:column-reverse"]),
    "css-flex-wrap": ("value", ["flex-wrap:wrap", "flex-wrap:wrap-reverse"]),
    "css-important": ("important", ["!important"]),
    "css-intrinsic-size": ("keyword", ["fit-content", "min-content", "max-content"]),
    "css-sytem-ui": ("keyword", ["system-ui", "ui-serif", "ui-sans-serif", "ui-rounded",
                                 "ui-monospace"]),
    "css-unit-initial": ("keyword", ["initial"]),
    "css-unit-calc": ("function", ["calc"]),
    "css-variables": ("function", ["var"]),
    "css-modern-color": ("function", ["lch", "oklch", "lab", "oklab"]),
    "css-pseudo-class-lang": ("pseudo", ["lang"]),
    "css-pseudo-class-not": ("pseudo", ["not"]),
    "css-pseudo-class-has": ("pseudo", ["has"]),
    "css-comments": ("css-comment", ["*"]),
    "css-nesting": ("selector", ["nesting"]),
    "css-selector-adjacent-sibling": ("selector", ["adjacent-sibling"]),
    "css-selector-attribute": ("selector", ["attribute"]),
    "css-selector-chaining": ("selector", ["chaining"]),
    "css-selector-child": ("selector", ["child"]),
    "css-selector-class": ("selector", ["class"]),
    "css-selector-descendant": ("selector", ["descendant"]),
    "css-selector-general-sibling": ("selector", ["general-sibling"]),
    "css-selector-grouping": ("selector", ["grouping"]),
    "css-selector-id": ("selector", ["id"]),
    "css-selector-type": ("selector", ["type"]),
    "css-selector-universal": ("selector", ["universal"]),
    "html-address": ("element", ["address"]),
    "html-base": ("element", ["base"]),
    "html-h1-h6": ("element", ["h1", "h2", "h3", "h4", "h5", "h6"]),
    "html-lists": ("element", ["ul", "ol", "dl"]),
    "html-semantics": ("element", ["article", "aside", "details", "figcaption", "figure",
                                   "footer", "header", "main", "mark", "nav", "section",
                                   "summary", "time"]),
    "html-image-maps": ("element", ["map", "area"]),
    "html-svg": ("element", ["svg"]),
    "html-doctype": ("doctype", ["html5"]),
    "html-comments": ("html-comment", ["*"]),
    "html-srcset": ("attribute", ["srcset", "sizes"]),
    "html-anchor-links": ("element-attr", ["a[href^=#]"]),
    "html-mailto-links": ("element-attr", ["a[href^=mailto:]"]),
    "html-meta-color-scheme": ("element-attr", ["meta[name=color-scheme]"]),
    "image-apng": ("image-format", ["apng"]),
    "image-avif": ("image-format", ["avif"]),
    "image-base64": ("image-format", ["data:"]),
    "image-bmp": ("image-format", ["bmp"]),
    "image-gif": ("image-format", ["gif"]),
    "image-heif": ("image-format", ["heif", "heic"]),
    "image-ico": ("image-format", ["ico"]),
    "image-jpg": ("image-format", ["jpg", "jpeg"]),
    "image-mp4": ("image-format", ["mp4"]),
    "image-png": ("image-format", ["png"]),
    "image-svg": ("image-format", ["svg"]),
    "image-tiff": ("image-format", ["tif", "tiff"]),
    "image-webp": ("image-format", ["webp"]),
}
# Nothing in the HTML shows them (BIMI is DNS and headers; HDR is inside the image file).
SKIP = {"bimi", "image-hdr"}


def derive(feature: dict) -> tuple[str, list[str]] | None:
    """(kind, keys) from the slug and title, or None when nothing in the HTML can show it."""
    slug, title = feature["slug"], feature["title"].strip()
    if slug in OVERRIDES:
        return OVERRIDES[slug]
    if slug in SKIP:
        return None
    if slug.startswith("css-at-"):
        return "at-rule", [title.lstrip("@").split()[0]]
    if slug.startswith("css-pseudo-"):
        return "pseudo", [title.strip(":").removesuffix("()")]
    if slug.startswith("css-unit-"):
        unit = title.removesuffix(" unit")
        return "unit", [unit]
    if title.endswith("()"):
        return "function", [title.removesuffix("()")]
    if slug.startswith("css-"):
        name = re.sub(r" (property|shorthand|CSS property)$", "", title).strip()
        if re.fullmatch(r"-?[a-z][a-z-]*", name):
            return "property", [name]
        return None
    if slug.startswith("html-"):
        m = re.fullmatch(r"<(\w+) (\w+)=\"(\w+)\"> element", title)
        if m:
            return "element-attr", [f"{m[1]}[{m[2]}={m[3]}]"]
        m = re.fullmatch(r"<(\w+)>(?: element)?", title)
        if m:
            return "element", [m[1].lower()]
        m = re.fullmatch(r"([a-z-]+) attribute", title)
        if m:
            return "attribute", [m[1]]
    return None


def latest(versions: dict[str, str]) -> tuple[str, str, list[int]]:
    """(status, version, note numbers) of the last version listed (the data's order)."""
    version, raw = list(versions.items())[-1]
    parts = raw.split()
    status = parts[0] if parts and parts[0] in ("y", "n", "a", "u") else "u"
    notes = [int(p[1:]) for p in parts[1:] if re.fullmatch(r"#\d+", p)]
    return status, version, notes


def convert(data: dict, package: dict, licence: str, today: str) -> dict:
    features, unmapped = [], []
    for feature in data["data"]:
        mapped = derive(feature)
        if mapped is None:
            unmapped.append(feature["slug"])
            continue
        kind, keys = mapped
        assert kind in KINDS, (feature["slug"], kind)
        support = {}
        for client, (family, platform, _label) in CLIENTS.items():
            versions = feature["stats"].get(family, {}).get(platform)
            if not versions:
                continue  # not tested in that client: the check treats it as unknown
            status, version, numbers = latest(versions)
            notes = [(feature.get("notes_by_num") or {}).get(str(n)) for n in numbers]
            # [status, version, note, note, ...]: each note on its own, as the data words it
            support[client] = [status, version] + [n.strip() for n in notes if n]
        features.append({
            "slug": feature["slug"], "title": feature["title"].strip(), "kind": kind,
            "keys": keys, "url": feature["url"], "tested": feature.get("last_test_date"),
            "support": support,
        })
    return {
        "source": {
            "name": "Can I email (caniemail.com), via the npm package caniemail",
            "package": f"{package['name']}@{package['version']}",
            "data_updated": data.get("last_update_date"),
            "api_version": data.get("api_version"),
            "snapshot_date": today,
            "licence": package.get("license"),
            "licence_text": licence.strip(),
        },
        "clients": {cid: {"family": fam, "platform": plat, "name": label}
                    for cid, (fam, plat, label) in CLIENTS.items()},
        "statuses": {"y": "supported", "a": "partly supported", "n": "not supported",
                     "u": "unknown"},
        "unmapped": unmapped,
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, required=True,
                        help="the unpacked npm package (holds package.json, LICENSE, data/)")
    parser.add_argument("--out", type=Path,
                        default=SNAPSHOT)
    args = parser.parse_args(argv)
    package = json.loads((args.package / "package.json").read_text(encoding="utf-8"))
    data = json.loads((args.package / "data" / "caniemail.json").read_text(encoding="utf-8"))
    licence = (args.package / "LICENSE").read_text(encoding="utf-8")
    snapshot = convert(data, package, licence, datetime.now(UTC).date().isoformat())
    text = json.dumps(snapshot, ensure_ascii=False, indent=None, separators=(",", ":"))
    # one feature a line: small diffs when the data is refreshed
    text = text.replace(',{"slug"', ',\n{"slug"')
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(args.out.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    partial.replace(args.out)  # never a half-written snapshot
    print(f"{args.out}: {len(snapshot['features'])} features from {snapshot['source']['package']}"
          f" (data updated {snapshot['source']['data_updated']}), {len(text) // 1024} KB",
          file=sys.stderr)
    if snapshot["unmapped"]:
        print(f"left out (nothing in the HTML shows them, or not mapped yet): "
              f"{', '.join(snapshot['unmapped'])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
