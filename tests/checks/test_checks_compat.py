"""compat: features extracted from small fixtures, matched with the Can I email snapshot.

Each fixture's premise (which client lacks which feature) is read from the shipped data first,
so a data refresh that changes a premise fails loudly here instead of silently passing.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from helpers import REPO
from helpers.checks import config, context, run

from newsletter.checks import caniemail
from newsletter.checks.dom import parse
from newsletter.checks.features import extract, image_format
from newsletter.checks.rules.compat import selected_clients
from newsletter.errors import ConfigError
from newsletter.values import EMAIL_CLIENTS

SNAPSHOT = caniemail.load_snapshot()
FEATURES = {f["slug"]: f for f in SNAPSHOT["features"]}


def status(slug: str, client: str) -> str:
    return FEATURES[slug]["support"].get(client, ["u"])[0]


def page(body: str = "", style: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><style>{style}</style></head>"
            f"<body>{body}</body></html>")


def findings(html: str, clients: tuple[str, ...] = EMAIL_CLIENTS):
    cfg = config(f"[checks]\nclients = {json.dumps(list(clients))}\n")
    return run("compat.clients", context(html, cfg=cfg))


def about(found, title: str):
    return [f for f in found if f.message.startswith(f"{title}:")]


def make_caniemail() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_caniemail",
                                                  REPO / "scripts" / "make_caniemail.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the snapshot ---------------------------------------------------------------------------


def test_the_snapshot_carries_its_licence_source_and_date() -> None:
    source = SNAPSHOT["source"]
    assert source["licence"] == "MIT" and "Permission is hereby granted" in source["licence_text"]
    assert "Avi Goldman" in source["licence_text"]
    assert source["package"].startswith("caniemail@") and source["snapshot_date"]
    assert source["data_updated"][:4].isdigit()


def test_the_snapshot_clients_are_the_config_clients() -> None:
    assert tuple(SNAPSHOT["clients"]) == EMAIL_CLIENTS == tuple(make_caniemail().CLIENTS)


def test_the_latest_version_is_the_last_listed_not_the_largest_string() -> None:
    latest = make_caniemail().latest  # Outlook macOS lists 2011, 2016, 2019, 2021, 16.80
    assert latest({"2011": "n", "2021": "n", "16.80": "y #1"}) == ("y", "16.80", [1])
    assert latest({"2019-02": "a #1 #2"}) == ("a", "2019-02", [1, 2])


def test_make_caniemail_converts_a_tiny_package(tmp_path: Path) -> None:
    pkg = tmp_path / "package"
    (pkg / "data").mkdir(parents=True)
    (pkg / "package.json").write_text(json.dumps({"name": "caniemail", "version": "9.9.9",
                                                  "license": "MIT"}))
    (pkg / "LICENSE").write_text("MIT License\nCopyright X")
    (pkg / "data" / "caniemail.json").write_text(json.dumps({
        "api_version": "1", "last_update_date": "2026-01-01", "nicenames": {},
        "data": [{"slug": "css-opacity", "title": "opacity", "category": "css", "url": "u",
                  "last_test_date": "2020-01-01", "notes_by_num": {"1": "Only on tables."},
                  "stats": {"outlook": {"windows": {"2016": "n", "2019": "a #1"}}}},
                 {"slug": "bimi", "title": "BIMI", "category": "others", "url": "u",
                  "stats": {}}]}))
    out = tmp_path / "snap.json"
    assert make_caniemail().main(["--package", str(pkg), "--out", str(out)]) == 0
    snap = json.loads(out.read_text())
    assert snap["source"]["package"] == "caniemail@9.9.9" and snap["unmapped"] == ["bimi"]
    (feature,) = snap["features"]
    assert feature["kind"] == "property" and feature["keys"] == ["opacity"]
    assert feature["support"] == {"outlook-windows": ["a", "2019", "Only on tables."]}


# --- extracting -----------------------------------------------------------------------------


def test_extract_lists_elements_attributes_css_and_at_rules() -> None:
    uses = extract(parse(page(
        "<div style='display:flex;width:50%!important;background:url(\"a.webp\")'>"
        "<a href='mailto:x@example.org'>m</a><img src='https://x.example/y.png' alt=''></div>",
        "@media (prefers-color-scheme: dark){.a .b:hover>p{color:red}} /* c */ "
        "@font-face{font-family:x} h1.a.b, #i{margin:0}")))
    for expected in [("element", "div"), ("attribute", "href"),
                     ("element-attr", "a[href^=mailto:]"), ("property", "display"),
                     ("value", "display:flex"), ("important", "!important"), ("unit", "%"),
                     ("image-format", "webp"), ("image-format", "png"), ("at-rule", "media"),
                     ("at-rule", "font-face"), ("media-feature", "prefers-color-scheme"),
                     ("selector", "descendant"), ("selector", "child"), ("selector", "class"),
                     ("selector", "chaining"), ("selector", "id"), ("selector", "grouping"),
                     ("selector", "type"), ("pseudo", "hover"), ("css-comment", "*"),
                     ("doctype", "html5")]:
        assert expected in uses.found, expected
    assert ("selector", "adjacent-sibling") not in uses.found


def test_uses_are_counted_with_their_first_place() -> None:
    uses = extract(parse(page("<p style='color:red'>a</p><span style='color:red'>b</span>")))
    use = uses.found[("property", "color")]
    assert (use.count, use.first) == (2, "<p style>")


def test_outlook_conditional_comments_are_not_looked_into() -> None:
    uses = extract(parse(page("<!--[if mso]><table style='display:flex'></table><![endif]-->"
                              "<p>x</p>")))
    assert ("value", "display:flex") not in uses.found
    assert ("html-comment", "*") in uses.found


@pytest.mark.parametrize(("url", "fmt"), [("https://x.example/a.PNG?v=2", "png"),
                                          ("data:image/gif;base64,R0l", "data:"),
                                          ("https://x.example/image", None)])
def test_image_formats(url: str, fmt: str | None) -> None:
    assert image_format(url) == fmt


# --- matching and findings ------------------------------------------------------------------


def test_display_flex_names_the_clients_the_data_says_lack_it() -> None:
    lacking = [c for c in EMAIL_CLIENTS if status("css-display-flex", c) == "n"]
    assert "outlook-windows" in lacking  # the fixture's premise, from the data
    (flex,) = about(findings(page("<div style='display:flex'>x</div>")), "display:flex")
    assert flex.level == "info" and flex.check == "compat.clients"
    assert "not supported in" in flex.message and "Outlook Windows" in flex.message
    assert "caniemail.com/features/css-display-flex" in (flex.fix or "")
    assert flex.where == "email.html <div style>"


def test_prefers_color_scheme_missing_in_gmail_with_what_is_lost() -> None:
    assert status("css-at-media-prefers-color-scheme", "gmail-web") == "n"
    found = findings(page(style="@media (prefers-color-scheme: dark){p{color:#fff}}"))
    (dark,) = about(found, "@media (prefers-color-scheme)")
    assert "Gmail web" in dark.message and "dark-mode colours" in dark.message
    assert "<style> #1: @media" in dark.where


def test_a_fully_supported_fixture_has_no_finding() -> None:
    html = "<html><body><p style='color:#123456;background-color:#ffffff'>Fine</p></body></html>"
    clients = ("apple-mail-ios", "apple-mail-macos")
    uses = extract(parse(html))
    matched = [f["slug"] for f in SNAPSHOT["features"] if caniemail.used(f, uses)]
    assert "css-background-color" in matched  # the premise: the data knows these features ...
    assert all(status(slug, c) == "y" for slug in matched for c in clients)  # ... supported
    assert findings(html, clients) == []


def test_one_finding_per_feature_however_often_it_is_used() -> None:
    body = "".join("<span style='border-radius:4px'>x</span>" for _ in range(5))
    (radius,) = about(findings(page(body)), "border-radius")
    assert radius.where.endswith("(and 4 more)")


def test_clients_narrow_the_report() -> None:
    assert status("css-display-flex", "apple-mail-ios") == "y"
    html = page("<div style='display:flex'>x</div>")
    assert about(findings(html, ("apple-mail-ios",)), "display:flex") == []
    assert about(findings(html, ("outlook-windows",)), "display:flex")


def test_partial_notes_about_unused_values_are_left_out() -> None:
    note = FEATURES["css-font-size"]["support"]["outlook-windows"]
    assert note[0] == "a" and "rem" in " ".join(note[2:])  # partial only for `rem` values
    px = about(findings(page("<p style='font-size:16px'>x</p>"), ("outlook-windows",)),
               "font-size")
    rem = about(findings(page("<p style='font-size:1rem'>x</p>"), ("outlook-windows",)),
                "font-size")
    assert px == [] and len(rem) == 1 and "partly in Outlook Windows" in rem[0].message


def test_gmail_non_google_account_notes_are_given_once_on_style() -> None:
    messages = [f.message for f in findings(page("<p class='a'>x</p>", ".a{color:red}"),
                                            ("gmail-android",))]
    assert any(m.startswith("<style> element") and "non Google accounts" in m for m in messages)
    assert not any(m.startswith("Class selector") for m in messages)


def test_clients_are_grouped_by_family() -> None:
    names = caniemail.family_list(SNAPSHOT, ["gmail-web", "gmail-android", "outlook-windows",
                                             "outlook-com", "outlook-ios", "samsung-email"])
    assert names == "Gmail web/Android, Outlook Windows/iOS, Outlook.com, Samsung Email"


def test_the_html5_doctype_is_not_reported() -> None:
    assert not any("doctype" in f.message.lower() for f in findings(page("<p>x</p>")))


# --- [checks] clients ---------------------------------------------------------------------


def test_the_default_is_every_client_in_the_snapshot_order() -> None:
    assert selected_clients(context()) == list(EMAIL_CLIENTS)
    cfg = config('[checks]\nclients = ["yahoo", "gmail-web", "yahoo"]\n')
    assert selected_clients(context(cfg=cfg)) == ["gmail-web", "yahoo"]


@pytest.mark.parametrize(("value", "message"), [
    ('["gmail"]', "unknown client 'gmail'; did you mean 'gmail-web'?"),
    ('["outlook-windows", "hotmail"]', "unknown client 'hotmail'"),
    ("[]", "must name at least one client"),
    ('"gmail-web"', "must be a list of text"),
])
def test_unknown_or_empty_clients_are_config_errors(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config(f"[checks]\nclients = {value}\n")
    (problem,) = caught.value.problems
    assert problem.field == "checks.clients" and message in problem.message
    if "unknown" in message:
        assert "known: gmail-web, gmail-android" in problem.message
