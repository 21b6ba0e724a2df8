"""Fixtures only; shared code lives in the `helpers` package (tests import it, not conftest)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, WorkspaceFactory, copy_sample
from helpers.pages import PagePool, PooledContext

from newsletter.workspace import Workspace


@pytest.fixture
def make_ws(tmp_path: Path) -> WorkspaceFactory:
    return WorkspaceFactory(tmp_path / "ws")


@pytest.fixture
def sample_ws(tmp_path: Path) -> Workspace:
    """A copy of the repository's own sample workspace (so tests may change it)."""
    return copy_sample(tmp_path / "sample")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Debian chromium for a test module (launching one costs about a second and a half);
    each test takes its pages from the module's pool (`browser_context`), reset after it.
    Module scope, not session: Playwright's sync API runs an event loop that must not outlive
    the module's tests into others that run their own."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("NEWSLETTER_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page_pool(chromium: Any) -> PagePool:
    return PagePool(chromium)


@pytest.fixture
def browser_context(page_pool: PagePool) -> Iterator[Callable[..., PooledContext]]:
    """`browser_context(**options).new_page()`: a page in a browser context made with `options`
    (viewport, color_scheme, ...), its own cookies and storage; reset and given back to the
    module's pool after the test (helpers/pages.py: a new page costs a renderer process)."""
    taken: list[Any] = []

    def new_context(**options: Any) -> PooledContext:
        return PooledContext(page_pool, options, taken)

    yield new_context
    for context, page, options in taken:
        page_pool.give_back(context, page, options)



@pytest.fixture
def spamassassin() -> str:
    """The spamassassin program; skips without it (fails under `make test`, which installs it),
    and under `make mutate` (see _no_spamassassin_under_mutmut)."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        pytest.skip("SpamAssassin is left out of mutation runs (seconds per run)")
    found = shutil.which("spamassassin")
    if found is None:
        if os.environ.get("NEWSLETTER_REQUIRE_SPAMASSASSIN"):
            pytest.fail("spamassassin is missing: `make spamassassin` installs Debian's package")
        pytest.skip("SpamAssassin is not installed (make spamassassin)")
    return found


@pytest.fixture
def link_server() -> Iterator[str]:
    """http://127.0.0.1:PORT of the links.online test server (tests/helpers/linkserver.py)."""
    from helpers.linkserver import http_server

    with http_server() as base:
        yield base


@pytest.fixture(autouse=True)
def _fresh_memos_under_mutmut() -> None:
    """Under `make mutate` (mutmut sets MUTANT_UNDER_TEST), empty every lru_cache of the package
    before each test: otherwise the first test fills a memo, mutmut credits only that test with
    the memoised function, and a mutant there meets none of the tests that would catch it."""
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return
    import sys

    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "newsletter" and module is not None:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


@pytest.fixture(autouse=True)
def _no_spamassassin_under_mutmut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `make mutate`, the spam check finds no SpamAssassin (one info instead of a score):
    each run costs 2-3 s of CPU, which the tests of a build's mutant paid again and again (no
    module of the mutation scope decides a score; the spam rule and its tests are outside it)."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        from newsletter.checks import spamassassin

        monkeypatch.setattr(spamassassin, "find", lambda: None)
