"""Found by the property test (issue 14): mjml-python decodes the entities of an attribute and
writes the value back unescaped, and copies mj-title into an aria-label attribute escaped without
its quotes. A subject, a preheader, the name or the logo and website URLs holding quotes and
markup must come out as text, never as markup."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from helpers.hardening import ISSUE, fresh_workspace, run, set_config, set_issue

HOSTILE = '"><x-inject x-inject="1"> & \'q\''


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parsed(root) -> Collect:
    collect = Collect()
    collect.feed((root / "output" / ISSUE / "email.html").read_text(encoding="utf-8"))
    return collect


@pytest.fixture
def root(tmp_path):
    root = fresh_workspace(tmp_path / "ws")
    set_config(root, unsubscribe_url="https://example.org/u")
    return root


def assert_no_markup(collect: Collect) -> None:
    for tag, attrs in collect.tags:
        assert "x-inject" not in tag and not any("x-inject" in name for name in attrs), (tag, attrs)


def test_a_subject_and_preheader_with_quotes_and_markup_stay_text(root):
    set_issue(root, "subject", '"S ' + HOSTILE.replace('"', '\\"') + '"')
    set_issue(root, "preheader", '"P ' + HOSTILE.replace('"', '\\"') + '"')
    assert run(root, "build", ISSUE).clean().exit_code == 0
    collect = parsed(root)
    assert_no_markup(collect)
    assert collect.title.strip() == "S " + HOSTILE
    labels = [a["aria-label"] for _t, a in collect.tags if "aria-label" in a]
    assert labels == ["S " + HOSTILE]


def test_the_logo_its_alt_text_and_link_stay_attribute_values(root):
    set_config(root, name="Digest " + HOSTILE.replace('"', '\\"'),
               logo_url="https://example.org/logo.png?a=1&b=\\\"><x-inject>",
               website_url="https://example.org/?a=1&b=\\\"><x-inject/x-inject=1>")
    assert run(root, "build", ISSUE).clean().exit_code == 0
    collect = parsed(root)
    assert_no_markup(collect)
    (image,) = [a for t, a in collect.tags if t == "img"]
    assert image["src"] == 'https://example.org/logo.png?a=1&b="><x-inject>'
    assert image["alt"] == "Digest " + HOSTILE
    links = [a["href"] for t, a in collect.tags if t == "a" and "x-inject" in (a.get("href") or "")]
    assert links == ['https://example.org/?a=1&b="><x-inject/x-inject=1>']


def test_an_unsubscribe_url_with_markup_characters_is_percent_encoded_in_the_header(root):
    import email
    from email import policy

    set_config(root, unsubscribe_url='https://example.org/s/<img%20src=x%20onerror=\\"a\\">')
    assert run(root, "export", ISSUE, "--service", "eml").clean().exit_code == 0
    (path,) = (root / "output" / "_export" / ISSUE / "eml").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert str(message["List-Unsubscribe"]) == \
        "<https://example.org/s/%3Cimg%20src=x%20onerror=%22a%22%3E>"
