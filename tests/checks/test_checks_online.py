"""links.online against a local server on 127.0.0.1: 200, 301, 404, 500, HEAD refused, slow,
never answering, refused connections and TLS errors; the cache; `check --online`."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import WorkspaceFactory, summary_text
from helpers.checks import context, page, run
from helpers.linkserver import Handler, http_server, self_signed, silent_port

from newsletter.checks import online as lo
from newsletter.checks.dom import parse
from newsletter.checks.rules.links import online_findings
from newsletter.cli import main
from newsletter.storage.cache import CACHE_DIR


def check(urls: list[str], **options: object) -> dict[str, lo.Result]:
    options.setdefault("timeout", 2.0)
    return asyncio.run(lo.check_urls(urls, **options))  # type: ignore[arg-type]


def links_page(content: str) -> str:
    """A page whose only links are `content`'s (no footer links to example.org)."""
    return page(content, footer="")


def online_context(html: str, root: Path | None = None):
    ctx = context(html)
    ctx.online, ctx.root = True, root
    return ctx


def test_statuses_and_the_final_url_of_a_redirect(link_server: str) -> None:
    base = link_server
    r = check([f"{base}/ok", f"{base}/moved", f"{base}/chain", f"{base}/missing",
               f"{base}/error"])
    assert r[f"{base}/ok"].ok and r[f"{base}/ok"].method == "HEAD"
    moved = r[f"{base}/moved"]
    assert not moved.ok and (moved.final_url, moved.first_status) == (f"{base}/ok", 301)
    assert (r[f"{base}/chain"].final_url, r[f"{base}/chain"].first_status) == (f"{base}/ok", 302)
    assert r[f"{base}/missing"].status == 404 and r[f"{base}/error"].status == 500
    assert r[f"{base}/missing"].method == "GET"  # an error from HEAD is confirmed by a GET


def test_the_rule_reports_errors_then_redirects(link_server: str) -> None:
    base = link_server
    html = links_page(f"<h2>News</h2><p><a href='{base}/ok'>fine</a> <a href='{base}/moved#top'>old</a>"
                f" <a href='{base}/missing'>gone</a> <img src='{base}/error' alt='Chart'"
                f" width='10'> <a href='%%NL_UNSUBSCRIBE_URL%%'>u</a>"
                f" <a href='mailto:a@example.org'>m</a> <a href='{base}/missing'>again</a></p>")
    places = lo.urls_of(parse(html))
    assert set(places) == {f"{base}/ok", f"{base}/moved", f"{base}/missing", f"{base}/error"}
    found = run("links.online", online_context(html))
    assert [(f.level, f.message) for f in found] == [
        ("error", f"{base}/missing answers 404"),
        ("error", f"{base}/error answers 500"),
        ("warning", f"{base}/moved redirects (301) to {base}/ok"),
    ]
    assert found[0].where == 'email.html <a> "gone" under "News" (and 1 more)'
    assert found[1].where == 'email.html <img alt="Chart"> under "News"'
    assert all(f.check == "links.online" and f.fix for f in found)


def test_head_refused_falls_back_to_get(link_server: str) -> None:
    Handler.hits.clear()
    result = check([f"{link_server}/head-refused"])[f"{link_server}/head-refused"]
    assert result.ok and result.method == "GET"
    assert [m for m, p in Handler.hits if p == "/head-refused"] == ["HEAD", "GET"]


def test_slow_within_and_beyond_the_timeout(link_server: str) -> None:
    assert check([f"{link_server}/slow?s=0.3"])[f"{link_server}/slow?s=0.3"].ok
    started = time.perf_counter()
    result = check([f"{link_server}/slow?s=5"], timeout=0.5)[f"{link_server}/slow?s=5"]
    assert result.problem == "no answer within 0.5 s"
    assert time.perf_counter() - started < 3


def test_a_server_that_never_answers_times_out() -> None:
    with silent_port() as url:
        started = time.perf_counter()
        result = check([f"{url}/x"], timeout=0.5)[f"{url}/x"]
    assert result.problem == "no answer within 0.5 s"
    assert time.perf_counter() - started < 3
    finding, = online_findings({result.url: result}, {result.url: ["<a>"]})
    assert finding.level == "error" and "no answer within 0.5 s" in finding.message


def test_the_timeout_is_at_most_ten_seconds() -> None:
    assert lo.TIMEOUT <= 10


def test_concurrency_is_bounded_and_parallel(link_server: str) -> None:
    urls = [f"{link_server}/slow?s=0.4&n={i}" for i in range(8)]
    started = time.perf_counter()
    results = check(urls, timeout=5.0, concurrency=4)
    took = time.perf_counter() - started
    assert all(r.ok for r in results.values())
    assert 0.75 < took < 2.8  # two rounds of four: not eight in a row (3.2 s), not all at once


def test_a_refused_connection_is_an_error() -> None:
    with silent_port() as url:
        pass  # closed: nothing listens any more
    result = check([f"{url}/x"])[f"{url}/x"]
    assert (result.problem or "").startswith("cannot connect")


def test_a_tls_error_is_an_error(tmp_path: Path) -> None:
    context_ = self_signed(tmp_path)
    if context_ is None:
        pytest.skip("no openssl command to make a certificate")
    with http_server(context_) as url:
        result = check([f"{url}/ok"], timeout=5.0)[f"{url}/ok"]
    assert (result.problem or "").startswith("TLS error")
    assert "CERTIFICATE_VERIFY_FAILED" in (result.problem or "")
    finding, = online_findings({result.url: result}, {result.url: ["<img>"]})
    assert finding.level == "error"


def test_an_offline_machine_gives_one_finding() -> None:
    dns = "cannot connect: the host name does not resolve (DNS)"
    results = {f"https://h{i}.invalid/": lo.Result(f"https://h{i}.invalid/", problem=dns)
               for i in range(5)}
    finding, = online_findings(results, {})
    assert finding.level == "error" and "none of the 5 links and images" in finding.message


def test_the_rule_does_nothing_without_online(link_server: str) -> None:
    Handler.hits.clear()
    assert run("links.online", context(page(f"<a href='{link_server}/missing'>x</a>"))) == []
    assert Handler.hits == []


# --- the cache ------------------------------------------------------------------------------


def test_only_successes_are_remembered_for_a_day(link_server: str, tmp_path: Path) -> None:
    base, now = link_server, time.time()
    folder = tmp_path / "links"
    check([f"{base}/ok", f"{base}/missing", f"{base}/moved"], cache=lo.LinkCache(folder, now=now))
    stored = json.loads((folder / "online.json").read_text().split("\n", 1)[1])  # checksum line
    assert stored["format"] == 1 and list(stored["urls"]) == [f"{base}/ok"]
    Handler.hits.clear()
    r = check([f"{base}/ok", f"{base}/missing"], cache=lo.LinkCache(folder, now=now + 3600))
    assert r[f"{base}/ok"].cached and not r[f"{base}/missing"].cached
    assert [p for _, p in Handler.hits] == ["/missing", "/missing"]  # only the error again
    r = check([f"{base}/ok"], cache=lo.LinkCache(folder, now=now + 25 * 3600))
    assert not r[f"{base}/ok"].cached  # fetched again after a day


def test_a_damaged_cache_is_ignored(link_server: str, tmp_path: Path) -> None:
    folder = tmp_path / "links"
    folder.mkdir()
    (folder / "online.json").write_text("0000\n{not json")
    r = check([f"{link_server}/ok"], cache=lo.LinkCache(folder))
    assert r[f"{link_server}/ok"].ok and not r[f"{link_server}/ok"].cached
    assert lo.LinkCache(folder).fresh(f"{link_server}/ok")  # rewritten with the success


def test_the_workspace_cache_and_its_switch(link_server: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    html = links_page(f"<a href='{link_server}/ok'>fine</a>")
    assert run("links.online", online_context(html, tmp_path)) == []
    assert (tmp_path / CACHE_DIR / "links" / "online.json").is_file()
    monkeypatch.setenv("NEWSLETTER_NO_CACHE", "1")
    assert lo.LinkCache.for_workspace(tmp_path) is None


# --- `newsletter check --online` ------------------------------------------------------------


def test_check_online_reports_broken_links_of_the_issue(link_server: str,
                                                        make_ws: WorkspaceFactory) -> None:
    base = link_server
    files = {f"2026/05/{slug}.md": summary_text(title=f"Study {slug}", slug=slug,
                                                url=f"{base}/{path}", themes="[living]",
                                                study_type="observational")
             for slug, path in (("walking", "ok"), ("sleep", "missing"), ("diet", "moved"))}
    ws = make_ws(summaries=files)
    (ws.root / "newsletter.toml").write_text(
        f'name = "Test Digest"\nwebsite_url = "{base}/ok"\n'
        f'postal_address = "1 Test Street, Testville"\nunsubscribe_url = "{base}/ok?u=1"\n'
        '[utm]\nsource = "n"\n[checks]\ndisable = [{id = "spam", reason = "not this test"}]\n')
    offline = CliRunner().invoke(main, ["--root", str(ws.root), "check", "2026-05", "--json"])
    assert "links.online" not in json.loads(offline.stdout)["checks"]
    result = CliRunner().invoke(main, ["--root", str(ws.root), "check", "2026-05", "--online",
                                       "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert "links.online" in data["checks"]
    online = [(f["level"], f["message"].split("?")[0]) for f in data["findings"]
              if f["rule"] == "links.online"]
    assert online == [("error", f"{base}/missing"), ("warning", f"{base}/moved")]
