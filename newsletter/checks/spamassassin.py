"""Scoring a message with SpamAssassin's local rules, and reading its report.

What a score is (`command()`; the resident scorer of newsletter/checks/resident.py makes the same
SpamAssassin object with the same options, and loads the rules once per process):

    LC_ALL=C HOME=<throwaway dir> spamassassin -L -t -x -p <throwaway>/user_prefs \\
        --cf='use_bayes 0' --cf='bayes_auto_learn 0' \\
        --cf='ifplugin Mail::SpamAssassin::Plugin::AWL' --cf='use_auto_whitelist 0' --cf='endif' \\
        --cf='ifplugin Mail::SpamAssassin::Plugin::TxRep' --cf='use_txrep 0' --cf='endif' \\
        --cf='clear_report_template' --cf='report @@NL-SPAM score=_SCORE_ required=_REQD_' \\
        --cf='report _SUMMARY_' --cf='report @@NL-SPAM-END'  < message.eml

-L: local tests only (no DNS blocklists, URIBL, Razor, Pyzor or DCC: nothing leaves the machine);
-t: test mode, the report is appended; -x: no user_prefs created; use_bayes 0 and
bayes_auto_learn 0: no Bayes database read or written; AWL and TxRep off if a site loads them.
HOME is a temporary folder removed afterwards (SpamAssassin creates ~/.spamassassin/ even with
-x), so the user's files are never read or written. LC_ALL=C keeps the rule descriptions in
English and the report parseable. The rules are those Debian's package ships
(/usr/share/spamassassin), or `sa-update`'s if the machine ran it.

A first score takes about 2.5 seconds (1.5 of them loading the rules), a later one in the same
process the scoring only (0.1-1 s); scores are also remembered by the message (its
Date and Message-ID aside) and the installed rules: in the process, and in the workspace's cache
folder (`spam/`; NEWSLETTER_NO_CACHE=1 turns both off).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from newsletter.checks import resident
from newsletter.storage.cache import cache_folder, caching_enabled, read_entry, write_entry

WARNING_AT = 2.0
ERROR_AT = 5.0  # SpamAssassin's own default threshold
TIMEOUT = 120  # seconds; a run takes about 3 (more on a busy machine)
BEGIN, END = "@@NL-SPAM", "@@NL-SPAM-END"
RULE_DIRS = (Path("/usr/share/spamassassin"), Path("/var/lib/spamassassin"),
             Path("/etc/spamassassin"))
CACHE_KIND = "spam"
MEMO_ENTRIES = 32
_HIT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")
_VOLATILE = re.compile(rb"^(date|message-id):", re.I)
_BOUNDARY = re.compile(rb'boundary="?([^";\s]+)', re.I)
_MEMO: dict[str, SpamReport] = {}
# the --cf lines: no Bayes, no AWL or TxRep, and a report between our markers
CONFIG = ("use_bayes 0", "bayes_auto_learn 0",
          "ifplugin Mail::SpamAssassin::Plugin::AWL", "use_auto_whitelist 0", "endif",
          "ifplugin Mail::SpamAssassin::Plugin::TxRep", "use_txrep 0", "endif",
          "clear_report_template", f"report {BEGIN} score=_SCORE_ required=_REQD_",
          "report _SUMMARY_", f"report {END}")


class SpamAssassinError(Exception):
    """SpamAssassin ran but gave no report (or could not run)."""


@dataclass(frozen=True)
class RuleHit:
    name: str
    points: float
    description: str


@dataclass
class SpamReport:
    score: float
    required: float
    rules: list[RuleHit] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def level(self) -> str:
        return level_for(self.score)


def level_for(score: float) -> str:
    """error from 5 points, warning from 2, else info."""
    if score >= ERROR_AT:
        return "error"
    if score >= WARNING_AT:
        return "warning"
    return "info"


def find() -> str | None:
    return shutil.which("spamassassin")


def command(executable: str, home: str) -> list[str]:
    return [executable, "-L", "-t", "-x", "-p", os.path.join(home, "user_prefs")] + \
        [f"--cf={line}" for line in CONFIG]


def parse_report(output: str) -> SpamReport:
    """The score and rules between our markers in `spamassassin -t` output."""
    start = output.rfind(f"{BEGIN} score=")
    if start < 0:
        raise SpamAssassinError("no SpamAssassin report in its output")
    block = output[start:output.find(END, start)]
    head, *lines = block.splitlines()
    numbers = re.search(r"score=(-?[\d.]+) required=(-?[\d.]+)", head)
    if numbers is None:
        raise SpamAssassinError(f"unreadable SpamAssassin report line: {head!r}")
    rules: list[RuleHit] = []
    for line in lines:
        hit = _HIT.match(line)
        if hit:
            rules.append(RuleHit(hit[2], float(hit[1]), hit[3].strip()))
        elif line.strip() and rules and line.startswith(" " * 10):  # a wrapped description
            last = rules[-1]
            rules[-1] = RuleHit(last.name, last.points, f"{last.description} {line.strip()}")
    return SpamReport(float(numbers[1]), float(numbers[2]), rules)


def run(message: bytes, executable: str, timeout: float = TIMEOUT,
        stamp: str | None = None) -> SpamReport:
    """Score one RFC 5322 message with local rules; nothing of the user's is read or written.
    The process's resident scorer does it when `executable` can be run resident
    (newsletter/checks/resident.py), else (or when that scorer cannot start) one `spamassassin`
    run. `stamp`: rules_stamp(executable), when the caller has it already."""
    clock = time.perf_counter()
    stamp = rules_stamp(executable) if stamp is None else stamp
    setup = resident.setup_for(executable, CONFIG, stamp)
    output = None
    if setup is not None and resident.can_start(setup):
        try:
            output = resident.report(message, setup, timeout)
        except resident.StartError:
            output = None  # as before the resident scorer: one run
        except resident.ResidentError as exc:
            raise SpamAssassinError(str(exc)) from None
    if output is None:
        output = run_once(message, executable, timeout)
    report = parse_report(output)
    report.seconds = time.perf_counter() - clock
    return report


def run_once(message: bytes, executable: str, timeout: float = TIMEOUT) -> str:
    """`spamassassin -t`'s output for one message (`command()`, with a throwaway HOME)."""
    with tempfile.TemporaryDirectory(prefix="nl-spam-") as home:
        Path(home, "user_prefs").touch()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LC_ALL": "C",
               "LANG": "C"}
        try:
            done = subprocess.run(command(executable, home), input=message, capture_output=True,
                                  env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise SpamAssassinError(f"no result within {timeout:g} s") from None
        except OSError as exc:
            raise SpamAssassinError(f"cannot run {executable}: {exc.strerror}") from None
    if done.returncode != 0:
        raise SpamAssassinError(f"spamassassin exited with {done.returncode}: "
                                f"{done.stderr.decode(errors='replace').strip()[-300:]}")
    return done.stdout.decode("utf-8", errors="replace")


# --- remembering scores -------------------------------------------------------------------------


def rules_stamp(executable: str) -> str:
    """What the score depends on besides the message: the program and every rule and site file."""
    digest = hashlib.sha256(str(Path(executable).resolve()).encode())
    for folder in RULE_DIRS:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def message_key(message: bytes, executable: str, stamp: str | None = None) -> str:
    """The message without what is new on every export (Date, Message-ID, the MIME boundary),
    and the rules (`stamp`: rules_stamp(executable), when the caller has it already)."""
    message = message.replace(b"\r\n", b"\n")
    for boundary in set(_BOUNDARY.findall(message)):
        message = message.replace(boundary, b"BOUNDARY")
    head, sep, rest = message.partition(b"\n\n")
    lines, skipping = [], False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):  # a folded continuation of the previous header
            if not skipping:
                lines.append(line)
            continue
        skipping = bool(_VOLATILE.match(line))
        if not skipping:
            lines.append(line)
    digest = hashlib.sha256(b"\n".join(lines) + sep + rest)
    stamp = rules_stamp(executable) if stamp is None else stamp
    digest.update(stamp.encode() + " ".join(command(executable, "~")).encode())
    return digest.hexdigest()


def score(message: bytes, executable: str, root: Path | None = None) -> SpamReport:
    """`run`, remembered: in this process, and in the workspace cache of `root` if given."""
    if not caching_enabled():
        return run(message, executable)
    stamp = rules_stamp(executable)  # a walk of the rule folders: once a score
    key = message_key(message, executable, stamp)
    if key in _MEMO:
        return _MEMO[key]
    folder = cache_folder(root, CACHE_KIND) if root is not None else None
    stored = read_entry(folder, key, ".json")
    report = _from_json(stored) if stored is not None else None
    if report is None:
        report = run(message, executable, stamp=stamp)
        write_entry(folder, key, ".json", json.dumps(asdict(report)))
    _MEMO[key] = report
    while len(_MEMO) > MEMO_ENTRIES:
        del _MEMO[next(iter(_MEMO))]  # the oldest
    return report


def _from_json(text: str) -> SpamReport | None:
    try:
        data = json.loads(text)
        return SpamReport(float(data["score"]), float(data["required"]),
                          [RuleHit(r["name"], float(r["points"]), r["description"])
                           for r in data["rules"]], float(data.get("seconds", 0.0)))
    except (ValueError, KeyError, TypeError):
        return None
