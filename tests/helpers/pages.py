"""Browser pages kept from one test to the next within a module.

A new page costs a renderer process (0.2-0.4 s on the CI machine, a quarter of a short browser
test); a page given back is reset instead, so the next test finds it as new: its routes removed,
its context's cookies cleared, its viewport as the options say, on about:blank. Each page has its
own context (made with the test's options), so no two pages share cookies or storage; the servers
the tests open listen on new ports, so no origin's storage is seen twice either.
"""

from __future__ import annotations

from typing import Any


def _key(options: dict[str, Any]) -> str:
    return repr(sorted(options.items()))


class PagePool:
    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.free: dict[str, list[tuple[Any, Any]]] = {}

    def take(self, options: dict[str, Any]) -> tuple[Any, Any]:
        """A (context, page) made with `options`: a free one, else a new one."""
        free = self.free.setdefault(_key(options), [])
        if free:
            return free.pop()
        context = self.browser.new_context(**options)
        return context, context.new_page()

    def give_back(self, context: Any, page: Any, options: dict[str, Any]) -> None:
        """Reset the page for the next test; one that cannot be reset (the test closed it, say)
        is closed with its context instead."""
        try:
            if page.is_closed():
                raise RuntimeError("closed by the test")
            page.unroute_all(behavior="ignoreErrors")
            context.unroute_all(behavior="ignoreErrors")
            page.goto("about:blank")
            context.clear_cookies()
            if "viewport" in options:
                page.set_viewport_size(options["viewport"])
        except Exception:  # any failure: not reused
            context.close()
            return
        self.free.setdefault(_key(options), []).append((context, page))


class PooledContext:
    """What `browser_context(**options)` gives a test: `new_page()` takes a page of the pool."""

    def __init__(self, pool: PagePool, options: dict[str, Any], taken: list[Any]) -> None:
        self.pool, self.options, self.taken = pool, options, taken

    def new_page(self) -> Any:
        context, page = self.pool.take(self.options)
        self.taken.append((context, page, self.options))
        return page
