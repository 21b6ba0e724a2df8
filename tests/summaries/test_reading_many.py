"""Reading thousands of files at once (a build without cache): worker processes, the record
made where the file is read, and the fast paths of the reader, each held to the slow one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from helpers import summary_text
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.summaries.parse import FileProblems, _text, parse_file, read_bytes
from newsletter.values import control_character, control_message

# Files of every kind the reader meets: clean, with a warning (an unknown key), with problems,
# non-ASCII, CRLF line ends, a body longer than one read, and YAML the fast reader leaves to
# PyYAML.
FILES = {
    "2026/05/clean.md": summary_text(title="Walking and fatigue", slug="clean",
                                     published="2026-05-03", themes="[living]"),
    "2026/05/warned.md": summary_text(title="With an unknown key", slug="warned",
                                      published="2026-05-04", mood="sunny"),
    "2026/05/broken.md": summary_text(title="", slug="broken", published="2026-05-31x"),
    "2026/05/accents.md": summary_text(title="Études, la fatigue – α", slug="accents",
                                       published="2026-05-05", teaser="Sommeil et fatigue."),
    "2026/05/crlf.md": summary_text(title="Windows line ends", slug="crlf",
                                    published="2026-05-06").replace("\n", "\r\n"),
    "2026/05/long.md": summary_text(title="A long body", slug="long", published="2026-05-07",
                                    body="Walking. " * 20_000),
    "2026/05/yaml.md": summary_text(title="'Quoted: title'", slug="yaml",
                                    published="2026-05-08T09:30:00+02:00"),
    "2026/04/bell.md": summary_text(title="A\x07bell", slug="bell", published="2026-04-01"),
}

# Loads the library in a fresh process (no thread is running there, so worker processes are
# used when asked) and prints what it read: every summary in full, every problem and warning.
SCRIPT = """
import json, sys
import newsletter.summaries.library as library
import newsletter.summaries.reading as reading
from newsletter.errors import ContentError
from newsletter.workspace import open_workspace

reading.PARALLEL_MIN = int(sys.argv[2])
from concurrent.futures import ProcessPoolExecutor
used, pools = [], []
original, start_pool = library.read_many, ProcessPoolExecutor.__init__
def read_many(files, *args):
    used.append(len(files))
    return original(files, *args)
def count_pools(self, *args, **kwargs):
    pools.append(args)
    start_pool(self, *args, **kwargs)
library.read_many = read_many
ProcessPoolExecutor.__init__ = count_pools
from pathlib import Path
ws = open_workspace(Path(sys.argv[1]))
archive = library.load_library(ws, skip_invalid=True, use_cache=sys.argv[3] == "cache")
print(json.dumps({
    "summaries": [[s.path, s.id, s.title, s.published.isoformat(), s.url, s.teaser, list(s.themes),
                   s.study_type, s.source, s.extra, s.body] for s in archive.summaries],
    "skipped": sorted(p.as_dict()["message"] + " @ " + p.where for p in archive.skipped),
    "warnings": sorted(p.as_dict()["message"] + " @ " + p.where for p in archive.warnings),
    "read": used,
    "pools": len(pools),
    "days": list(archive.entries.days),  # the index's dates, which select an issue's summaries
    "dates": [s.published.date().isoformat() for s in archive.summaries],
}))
"""


def _load(root, parallel_min: int, cache: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(root), str(parallel_min), cache],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_worker_processes_read_what_one_process_reads(make_ws):
    ws = make_ws(summaries=FILES)
    serial = _load(ws.root, 10_000, "no-cache")  # below the threshold: read in process
    workers = _load(ws.root, 1, "cache")  # every file read by the workers, the cache filled
    cached = _load(ws.root, 1, "cache")  # nothing read: every file from the cache
    assert serial["read"] == workers["read"] == [len(FILES)] and cached["read"] == [0]
    several = 1 if (os.cpu_count() or 1) >= 2 else 0  # one core: read in process
    assert (serial["pools"], workers["pools"], cached["pools"]) == (0, several, 0)
    for key in ("summaries", "skipped", "warnings", "days"):
        assert serial[key] == workers[key] == cached[key], key
    assert serial["days"] == serial["dates"]
    titles = [s[2] for s in serial["summaries"]]
    assert titles == ["Études, la fatigue – α", "Walking and fatigue", "Windows line ends",
                      "A long body", "With an unknown key", "Quoted: title"]
    assert serial["summaries"][3][10] == "Walking. " * 20_000 + "\n"  # the whole body
    assert serial["warnings"] == [
        "unknown front-matter key 'mood' in 1 file (kept, not used) @ summaries/2026/05/warned.md"]
    assert serial["skipped"] == [
        "cannot read '2026-05-31x' as a date @ summaries/2026/05/broken.md",
        "is required @ summaries/2026/05/broken.md",
        "this line contains the control character U+0007 (a control character) @ "
        "summaries/2026/04/bell.md",
    ]


def test_a_time_in_a_clock_changes_gap_is_dated_as_its_summary_is(make_ws):
    """In America/Nuuk clocks jump from Saturday 23:00 to Sunday 00:00: 23:30 that Saturday is
    read as 00:30 on Sunday, by the index (which selects issues) as by the summary itself."""
    ws = make_ws(summaries={
        "gap.md": summary_text(title="In the gap", slug="gap", published="2026-03-28T23:30"),
        "plain.md": summary_text(title="Before it", slug="plain", published="2026-03-28T22:30"),
    })
    config = ws.root / "newsletter.toml"
    config.write_text(config.read_text().replace('timezone = "UTC"',
                                                 'timezone = "America/Nuuk"'))
    for found in (_load(ws.root, 10_000, "no-cache"), _load(ws.root, 1, "cache"),
                  _load(ws.root, 1, "cache")):
        assert found["days"] == found["dates"] == ["2026-03-29", "2026-03-28"]


def test_a_file_longer_than_one_read_is_read_whole(tmp_path):
    path = tmp_path / "big.md"
    data = bytes(range(256)) * 1000  # 256,000 bytes: four reads of 64 KiB and a short one
    path.write_bytes(data)
    assert read_bytes(str(path)) == data
    (tmp_path / "empty.md").write_bytes(b"")
    assert read_bytes(str(tmp_path / "empty.md")) == b""


def test_an_unreadable_file_is_a_problem_of_that_file(tmp_path):
    record = parse_file(str(tmp_path / "gone.md"), "summaries/gone.md", None, ())
    assert record["summary"] is None
    assert record["problems"][0]["message"] == "cannot be read (No such file or directory)"


# --- the fast paths against the rules they shortcut -------------------------------------------

_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
TEXTS = st.text(st.characters(codec="utf-8"), max_size=40) | st.text(
    st.sampled_from(" \t\n\r\x0b\x0c\x1c\x7f\x85\xa0\u2028\u3000aZ:é"), max_size=12) | st.text(
    st.characters(max_codepoint=0x7F), max_size=40)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_the_control_character_fast_path_finds_what_the_search_finds(value):
    for multiline, pattern in ((False, _ONE_LINE), (True, _MULTILINE)):
        found = pattern.search(value)
        result = control_character(value, multiline=multiline)
        assert (result is None) == (found is None)
        if found is not None:
            assert result.startswith(f"U+{ord(found.group(0)):04X} (")


def test_every_printable_character_is_neither_white_space_nor_control():
    """The premise of _text's fast path, for every code point: a printable value holds no white
    space but the space and no control character, so only a double space needs the rules."""
    import sys

    printable = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isprintable())
    assert re.findall(r"[^\S ]", printable) == []
    assert control_character(printable, multiline=True) is None
    assert control_character(printable) is None


def _text_by_the_rules(value: str) -> tuple[str | None, list[str]]:
    """_text's rules for a text value, written out: white-space runs as one space, then no
    control character, then trimmed."""
    value = re.sub(r"\s+", " ", value)
    if message := control_message(value):
        return None, [message]
    return value.strip() or None, []


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_text_values_follow_the_rules_on_the_fast_path_too(value):
    out = FileProblems("summaries/x.md")
    got = _text({"title": value}, "title", out)
    expected, messages = _text_by_the_rules(value) if value else (None, [])
    assert (got, [p.message for p in out.problems]) == (expected, messages)


def _http_by_urlsplit(value: str, https_only: bool) -> bool:
    """is_http_url's rule, through urlsplit alone."""
    from urllib.parse import urlsplit

    if not value or re.search(r"\s", value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False  # (is_http_url lets urlsplit's error through: compared apart)
    return parts.scheme in (("https",) if https_only else ("http", "https")) and bool(parts.netloc)


URL_PARTS = st.lists(st.sampled_from(
    ["http", "https", "HTTPS", "ftp", "://", ":", "//", "/", "?", "#", "a", "Z", "0", ".", "-",
     "example.org", ":8080", "[", "]", "@", "%20", "é", "\x01", " ", "\t", "~", "!"]), max_size=8)


@settings(max_examples=500, deadline=None)
@given(URL_PARTS)
def test_the_plain_url_fast_path_gives_urlsplits_answer(parts):
    from newsletter.values import is_http_url

    value = "".join(parts)
    for https_only in (False, True):
        try:
            got = is_http_url(value, https_only=https_only)
        except ValueError:
            continue  # urlsplit refused it (an unclosed [): the fast path took no part
        assert got == _http_by_urlsplit(value, https_only), (value, https_only)
