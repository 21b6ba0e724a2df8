"""images: alt text, https sources, widths."""

from __future__ import annotations

import pytest
from helpers.checks import context, levels, page, run


def img(attrs: str) -> str:
    return page(f"<h2>Pictures</h2><img {attrs}>")


def test_decorative_images_may_have_an_empty_alt() -> None:
    assert run("images.alt", context(img('src="https://x.org/a.png" alt="" width="10"'))) == []


def test_a_missing_alt_names_the_image_and_its_heading() -> None:
    findings = run("images.alt", context(img('src="https://x.org/a.png" width="10"')))
    assert levels(findings) == ["error"]
    assert findings[0].where == 'email.html <img src="https://x.org/a.png"> under "Pictures"'


@pytest.mark.parametrize(("src", "expected"), [
    ("https://x.org/a.png", []),
    ("http://x.org/a.png", ["warning"]),
    ("//x.org/a.png", ["error"]),
    ("images/a.png", ["error"]),
    ("data:image/png;base64,iVBORw0KGgo=", ["error"]),
    ("", ["error"]),
])
def test_image_sources(src: str, expected: list[str]) -> None:
    findings = run("images.src", context(img(f'src="{src}" alt="" width="10"')))
    assert levels(findings) == expected
    if src.startswith("data:"):
        assert "Gmail" in findings[0].message


@pytest.mark.parametrize(("width", "expected"), [
    ('width="552"', []), ('width="552px"', []), ('width="auto"', ["warning"]),
    ('width="0"', ["warning"]), ('style="width:552px"', ["warning"]), ("", ["warning"]),
])
def test_image_widths(width: str, expected: list[str]) -> None:
    assert levels(run("images.width", context(img(f'src="https://x.org/a" alt="" {width}')))) \
        == expected


def test_images_inside_outlook_comments_are_not_read() -> None:
    html = page('<!--[if mso]><img src="http://x.org/a.png"><![endif]-->')
    for rule in ("images.alt", "images.src", "images.width"):
        assert run(rule, context(html)) == []
