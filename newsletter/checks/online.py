"""Whether every link and image of an email answers: fetched with httpx (`check --online` only).

- The URLs: href of `<a>`/`<area>`, src and srcset of `<img>`, `background` attributes; http(s)
  only (placeholders, merge tags and mailto are not fetched); each distinct URL once, its
  #fragment dropped.
- Fetched concurrently, at most CONCURRENCY at a time, each URL within TIMEOUT seconds in all
  (HEAD, then GET when HEAD is refused), on top of httpx's per-phase timeouts, so a server that
  trickles bytes cannot hold a URL longer. Redirects are followed (at most MAX_REDIRECTS) to
  learn the final URL. GET is streamed and closed after the headers: no body is downloaded.
- HEAD is refused when it answers 405 or 501, and a GET also confirms any other 4xx/5xx before
  it is reported (some servers answer HEAD with 403 or 404 and GET with 200).
- Only successes (2xx, no redirect: they make no finding) are remembered, for a day, in the
  workspace's cache folder (`links/online.json`, a checksummed entry of newsletter/storage/
  cache.py; NEWSLETTER_NO_CACHE=1 turns it off). Errors and redirects are fetched every run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import ssl
import time
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urldefrag, urlsplit

from lxml.html import HtmlElement

from newsletter import __version__
from newsletter.checks.dom import body, elements, headings_before, short, tag
from newsletter.storage.cache import cache_folder, read_entry, write_entry

if TYPE_CHECKING:  # httpx is imported when links are fetched, not whenever the checks load
    import httpx

TIMEOUT = 10.0          # seconds per URL, HEAD and GET together
CONCURRENCY = 8
MAX_REDIRECTS = 10
TTL = 24 * 3600         # a success is trusted for a day
REFUSED = {405, 501}
USER_AGENT = f"newsletter-link-check/{__version__}"
CACHE_KIND, CACHE_KEY, CACHE_FORMAT = "links", "online", 1
DNS_FAILURES = ("Name or service not known", "nodename nor servname",
                "Temporary failure in name resolution", "No address associated")
T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    url: str
    status: int | None = None        # the final status
    final_url: str | None = None     # after redirects, when different
    first_status: int | None = None  # the first redirect's status (301, 302...)
    problem: str | None = None       # no answer in time, TLS, no connection
    method: str = "HEAD"
    cached: bool = False

    @property
    def ok(self) -> bool:
        return (self.problem is None and self.status is not None and 200 <= self.status < 300
                and self.final_url is None)


# --- the URLs of an email -------------------------------------------------------------------


def urls_of(doc: HtmlElement) -> dict[str, list[str]]:
    """{url: [where, ...]} for every http(s) link and image of a parsed document."""
    found: dict[str, list[str]] = {}
    headings = headings_before(doc)

    def add(value: str | None, where: str) -> None:
        value = (value or "").strip()
        parts = urlsplit(value)
        if parts.scheme.lower() in ("http", "https") and parts.netloc and " " not in value:
            found.setdefault(urldefrag(value)[0], []).append(where)

    for el in elements(body(doc)):
        name = tag(el)
        under = f' under "{short(headings[el], 40)}"' if el in headings else ""
        if name in ("a", "area"):
            text = short(el.text_content())
            add(el.get("href"), f'<{name}> "{text}"{under}' if text else f"<{name}>{under}")
        elif name == "img":
            alt = f' alt="{short(el.get("alt") or "", 40)}"' if el.get("alt") else ""
            add(el.get("src"), f"<img{alt}>{under}")
            for candidate in (el.get("srcset") or "").split(","):
                if candidate.strip():
                    add(candidate.split()[0], f"<img srcset>{under}")
        if el.get("background"):
            add(el.get("background"), f"<{name} background>")
    return found


# --- fetching -------------------------------------------------------------------------------


def _tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "..."


async def _head_or_get(client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    async with client.stream(method, url) as response:  # headers only: the body is not read
        return response


async def check_url(client: httpx.AsyncClient, url: str, timeout: float = TIMEOUT) -> Result:
    import httpx

    method = "HEAD"
    try:
        async with asyncio.timeout(timeout):
            response = await _head_or_get(client, method, url)
            if response.status_code in REFUSED or response.status_code >= 400:
                method = "GET"
                response = await _head_or_get(client, method, url)
    except (TimeoutError, httpx.TimeoutException):
        return Result(url, problem=f"no answer within {timeout:g} s", method=method)
    except httpx.TooManyRedirects:
        return Result(url, problem=f"more than {MAX_REDIRECTS} redirects", method=method)
    except httpx.HTTPError as exc:
        if _tls(exc):
            return Result(url, problem=f"TLS error: {_reason(exc)}", method=method)
        if any(text in str(exc) for text in DNS_FAILURES):
            return Result(url, problem="cannot connect: the host name does not resolve (DNS)",
                          method=method)
        return Result(url, problem=f"cannot connect: {_reason(exc)}", method=method)
    final = str(response.url)
    redirected = bool(response.history) and final != url
    first = response.history[0].status_code if response.history else None
    return Result(url, response.status_code, final if redirected else None, first, None, method)


async def check_urls(urls: Iterable[str], *, timeout: float = TIMEOUT,
                     concurrency: int = CONCURRENCY, verify: ssl.SSLContext | bool = True,
                     cache: LinkCache | None = None) -> dict[str, Result]:
    """Every URL checked (those the cache vouches for aside), at most `concurrency` at a time."""
    urls = list(dict.fromkeys(urls))
    results: dict[str, Result] = {}
    todo = []
    for url in urls:
        if cache is not None and cache.fresh(url):
            results[url] = Result(url, 200, cached=True)
        else:
            todo.append(url)
    if todo:
        await _fetch(todo, results, timeout, concurrency, verify)
    if cache is not None:
        cache.save([results[url] for url in todo])
    return {url: results[url] for url in urls}


async def _fetch(todo: list[str], results: dict[str, Result], timeout: float, concurrency: int,
                 verify: ssl.SSLContext | bool) -> None:
    import httpx

    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(
            follow_redirects=True, max_redirects=MAX_REDIRECTS, verify=verify,
            timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=concurrency)) as client:

        async def one(url: str) -> None:
            async with limit:
                results[url] = await check_url(client, url, timeout)

        await asyncio.gather(*(one(u) for u in todo))


def run_sync(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end, also when the caller is inside an event loop (a server)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


# --- the cache --------------------------------------------------------------------------------


class LinkCache:
    """The URLs that answered 2xx without a redirect, with when; each trusted for TTL seconds.
    One checksummed entry of the workspace cache; never the source of truth."""

    def __init__(self, folder: Path | None, ttl: float = TTL, now: float | None = None) -> None:
        self.folder, self.ttl = folder, ttl
        self.now = time.time() if now is None else now
        self.checked: dict[str, float] = {}
        stored = read_entry(folder, CACHE_KEY, ".json")
        try:
            data = json.loads(stored) if stored is not None else {}
        except ValueError:
            data = {}
        if isinstance(data, dict) and data.get("format") == CACHE_FORMAT \
                and isinstance(data.get("urls"), dict):
            self.checked = {url: when for url, when in data["urls"].items()
                            if isinstance(when, int | float) and self._young(when)}

    @classmethod
    def for_workspace(cls, root: Path | None) -> LinkCache | None:
        folder = cache_folder(root, CACHE_KIND) if root is not None else None
        return cls(folder) if folder is not None else None

    def _young(self, when: float) -> bool:
        return 0 <= self.now - when < self.ttl

    def fresh(self, url: str) -> bool:
        return url in self.checked and self._young(self.checked[url])

    def save(self, results: Iterable[Result]) -> None:
        """Remember the successes among `results` (and keep the young entries)."""
        for result in results:
            if result.ok:
                self.checked[result.url] = self.now
        text = json.dumps({"format": CACHE_FORMAT, "urls": self.checked}, sort_keys=True)
        write_entry(self.folder, CACHE_KEY, ".json", text)
