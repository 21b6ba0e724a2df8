"""The site's summary pages: the fixtures, the two real seed pages, and where date and url come from."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from helpers import seed_pages
from helpers.importing import FIXTURES, front_matter, messages, run_import

from newsletter.errors import UsageError
from newsletter.importing.readers.base import PageOptions, Source
from newsletter.importing.readers.page import file_slug, read
from newsletter.issue.classify import classify_theme
from newsletter.render.markdown import first_paragraph, render
from newsletter.summaries.library import load_library

PAGE = FIXTURES / "pages" / "2026-05-08-stem-cell-transplant-relapses.txt"


@pytest.fixture
def ws(make_ws):
    return make_ws()


def read_page(text: str, name: str = "2026-05-06-x.txt", **options: str):
    return read(Source(name, text.encode("utf-8"), name),
                PageOptions(base_url=options.get("base_url", "https://example.org/s"),
                            published=options.get("published"), url=options.get("url")))


def test_page_parts():
    result = read_page(PAGE.read_text(encoding="utf-8"), PAGE.name)
    (record,) = result.records
    assert not record.problems and not result.problems
    data = record.data
    assert data["title"].startswith("Stem cell transplant kept relapses away")
    paragraphs = data["body"].split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Researchers followed 120 people")
    assert paragraphs[2].startswith("This was not a randomised trial")
    assert "AI-generated" not in data["body"] and "Read More" not in data["body"]
    assert "Whether you" not in data["body"]
    assert "teaser" not in data
    assert data["related"] == [
        {"date": dt.date(2026, 4, 30), "teaser": "Study finds a walking programme eased fatigue "
         "for some people with MS over twelve weeks of home exe"},
        {"date": dt.date(2026, 4, 22), "teaser": "Blood marker of nerve damage rose months before "
         "relapses in a two-year study of people with relap"},
    ]
    assert data["published"] == "2026-05-08"
    assert data["url"] == "https://example.org/s/stem-cell-transplant-relapses"
    assert record.default_id == "stem-cell-transplant-relapses"
    assert not record.notes


def test_related_list_glued_to_dates_and_without_boilerplate():
    text = ("Headline\nBody paragraph.\n1/2/2026\nFirst teaser\nRead More3/4/2026\n"
            "Second teaser\nRead More\n")
    (record,) = read_page(text).records
    assert record.data["body"] == "Body paragraph."
    assert [r["date"] for r in record.data["related"]] == [dt.date(2026, 1, 2), dt.date(2026, 3, 4)]


def test_page_without_related_list_drops_the_boilerplate():
    text = ("Headline\nBody one.\nBody two.\nWhether you've recently been diagnosed with "
            "Multiple Sclerosis (MS) or are seeking more.\nHowever, not all research is created "
            "equal. More text.\n")
    (record,) = read_page(text).records
    assert record.data["body"] == "Body one.\n\nBody two."
    assert "related" not in record.data


def test_unexpected_text_after_the_related_list_is_reported():
    text = "Headline\nBody.\n1/2/2026\nTeaser\nRead MoreSomething else entirely.\n"
    (record,) = read_page(text).records
    assert record.data["body"] == "Body."
    (note,) = record.notes
    assert "1 paragraph after the related list is not the site's usual text" in note.message
    assert note.line == 5


def test_page_text_is_escaped_as_markdown():
    text = "Headline\n1. Not a list: *stars* and [brackets] stay text_as_is.\n# not a heading\n"
    (record,) = read_page(text).records
    body = record.data["body"]
    assert first_paragraph(body) == "1. Not a list: *stars* and [brackets] stay text_as_is."
    assert "<h1>" not in render(body) and "<ol" not in render(body) and "<em>" not in render(body)


def test_file_slug():
    assert file_slug("2026-05-06-stem-cell.txt") == (dt.date(2026, 5, 6), "stem-cell")
    assert file_slug("2026-02-30-x.txt") == (None, None)
    assert file_slug("000_f4075abe916434a1.txt") == (None, None)


def test_page_from_file_name_and_base_url(ws):
    result = run_import(ws, FIXTURES / "pages", base_url="https://example.org/summaries/")
    assert result.count("new") == 2
    meta, _ = front_matter(ws.summaries_path / "2026/05/brain-shrinkage-progressive-ms.md")
    assert meta["url"] == "https://example.org/summaries/brain-shrinkage-progressive-ms"
    assert meta["published"] == dt.date(2026, 5, 22)
    assert "teaser" not in meta


def test_page_options_win_over_the_file_name(ws):
    result = run_import(ws, PAGE, published="2026-05-30", url="https://example.org/other")
    (item,) = result.items
    assert item.id == "stem-cell-transplant-relapses"  # still the file's slug
    meta, _ = front_matter(ws.summaries_path / "2026/05/stem-cell-transplant-relapses.md")
    assert meta["published"] == dt.date(2026, 5, 30) and meta["url"] == "https://example.org/other"


def test_page_without_date_or_url_says_which_options_to_pass(ws, tmp_path):
    page = tmp_path / "summary.txt"
    shutil.copy(PAGE, page)
    result = run_import(ws, page)
    assert result.count("invalid") == 1
    text = "\n".join(messages(result))
    assert "published: a page does not carry its date. Fix: pass --published YYYY-MM-DD" in text
    assert "url: a page does not carry its url. Fix: pass --url URL" in text
    assert "is required" not in text  # said once, not twice
    assert not ws.summaries_path.exists() or not any(ws.summaries_path.rglob("*.md"))


def test_named_page_without_base_url_asks_for_it(ws):
    result = run_import(ws, PAGE)
    (problem,) = result.invalid_problems()
    assert problem.field == "url"
    assert problem.fix == ("pass --base-url URL (the url becomes URL/stem-cell-transplant-relapses),"
                           " or --url URL for a single page")


def test_published_and_url_need_a_single_page_source(ws):
    with pytest.raises(UsageError, match="single page source only, and this run reads 2 sources"):
        run_import(ws, FIXTURES / "pages", published="2026-05-01")
    with pytest.raises(UsageError, match="a json source"):
        run_import(ws, FIXTURES / "summaries.json", url="https://example.org/x")


def test_bad_page_options_are_usage_errors(ws):
    with pytest.raises(UsageError, match="--published: '13/45/2026' is not a real date"):
        run_import(ws, PAGE, published="13/45/2026")
    with pytest.raises(UsageError, match="--url: 'javascript:alert"):
        run_import(ws, PAGE, url="javascript:alert(1)")


# --- the two real pages from the website --------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1])
def test_seed_page_imports_cleanly(ws, index):
    seed = seed_pages()[index]
    lines = seed.read_text(encoding="utf-8").split("\n")
    result = run_import(ws, seed, published="2026-05-06", url=f"https://example.org/s/seed-{index}")
    assert result.invalid == 0, messages(result)
    (item,) = result.items
    assert item.status == "new"
    meta, body = front_matter(item.path)
    assert meta["title"] == lines[0].strip()
    assert "teaser" not in meta
    assert len(body.strip().split("\n\n")) == 3  # found, why it matters, limits
    for dropped in ("AI-generated summary", "Read More", "Whether you", "not all research",
                    "By presenting"):
        assert dropped not in body
    assert len(meta["related"]) == 6
    assert all(isinstance(r["date"], dt.date) and r["teaser"] for r in meta["related"])


def test_seed_pages_land_in_treatments_and_progression(ws, tmp_path):
    # Named as the site would name them, imported together with --base-url.
    folder = tmp_path / "pages"
    folder.mkdir()
    seeds = seed_pages()
    shutil.copy(seeds[0], folder / "2026-05-06-dmf-ham-tsp-immune-activity.txt")
    shutil.copy(seeds[1], folder / "2026-05-07-ham-tsp-progressive-ms-inflammation.txt")
    result = run_import(ws, folder, base_url="https://example.org/summaries")
    assert result.invalid == 0, messages(result)
    archive = load_library(ws)  # the "related" key is a warning, never an error
    assert [w.field for w in archive.warnings] == ["related"]
    themes = {s.id: classify_theme(s, ws.config.themes, ws.config.fallback_theme).label
              for s in archive.summaries}
    assert themes == {"dmf-ham-tsp-immune-activity": "treatments",
                      "ham-tsp-progressive-ms-inflammation": "progression"}
