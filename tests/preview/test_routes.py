"""The desk's routes through Starlette's TestClient: who may call them (403), what a bad request
gets (400, nothing written), what a hand edit in between gets (409, nothing written), and that
no route reads or writes a path taken from the request."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import copy_sample
from starlette.testclient import TestClient

from newsletter.preview.builder import desk_server
from newsletter.preview.hooks import Action, DeskHooks, Outcome, Snapshot
from newsletter.preview.server import PreviewServer
from newsletter.storage.cache import CACHE_DIR
from newsletter.workspace import Workspace, open_workspace

GETS = ["/", "/email.html", "/email-dark.html", "/email.txt", "/email.mjml", "/status.json",
        "/api/state", "/static/desk.js", "/static/desk.css", "/favicon.ico"]
ACTIONS = ["edit", "undo", "redo", "switch", "new-issue", "render-intro", "send-test", "export"]
WRITES = ["edit", "undo", "redo", "new-issue", "send-test", "export"]
FEATURED = "remyelination-drug-visual-signals"
PLAIN = "stem-cell-transplant-five-year-outcomes"


def version_of(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


class Desk:
    """A desk server that is built but not listening: requests go through TestClient."""

    def __init__(self, ws: Workspace, issue: str | None, read_only: bool = False,
                 start: date | None = None, end: date | None = None) -> None:
        self.ws = ws
        self.server: PreviewServer = desk_server(ws.root, issue, start, end, 0, read_only)
        issue = issue or f"{start}_{end}"
        self.server.rebuild()
        self.base = f"http://127.0.0.1:{self.server.port}"
        self.client = TestClient(self.server.app(), base_url=self.base)
        self.file = ws.issues_path / f"{issue}.toml"

    def headers(self, **extra: str) -> dict[str, str]:
        return {"X-Newsletter-Token": self.server.token, **extra}

    def post(self, action: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(f"/api/{action}", json=body if body is not None else {},
                                headers=self.headers(**headers))

    def state(self) -> dict[str, Any]:
        response = self.client.get("/api/state")
        assert response.status_code == 200
        return response.json()

    def edit(self, *ops: dict[str, Any], version: Any = "current") -> Any:
        if version == "current":
            version = version_of(self.file)
        return self.post("edit", {"version": version, "ops": list(ops)})

    def close(self) -> None:
        self.client.close()
        assert self.server.desk is not None
        self.server.desk.close()  # as PreviewServer.stop does: no background check starts
        self.server.socket.close()


@pytest.fixture
def desk(desk_ws: Workspace) -> Iterator[Desk]:
    d = Desk(desk_ws, "2026-05")
    yield d
    d.close()


def shared_workspace(factory: pytest.TempPathFactory, warm_cache: Path) -> Workspace:
    """A workspace for the tests that must write nothing (each checks that it did not)."""
    ws = copy_sample(factory.mktemp("shared") / "sample")
    shutil.copytree(warm_cache, ws.root / CACHE_DIR)
    return open_workspace(ws.root)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, warm_cache: Path) -> Iterator[Desk]:
    d = Desk(shared_workspace(tmp_path_factory, warm_cache), "2026-05")
    yield d
    d.close()


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory, warm_cache: Path) -> Iterator[Desk]:
    d = Desk(shared_workspace(tmp_path_factory, warm_cache), "2026-05", read_only=True)
    yield d
    d.close()


def every_request(desk: Desk, **headers: str) -> list[tuple[str, int]]:
    """(route, status) of every GET route and every action, with the right token."""
    out = [(path, desk.client.get(path, headers=headers).status_code) for path in GETS]
    out += [(f"POST {a}", desk.post(a, {"version": None}, **headers).status_code)
            for a in ACTIONS]
    return out


# --- who may call: Host, Origin, token, read-only -----------------------------------------------


def test_the_page_and_the_routes_answer_this_server(desk: Desk) -> None:
    page = desk.client.get("/")
    assert page.status_code == 200
    assert f'<meta name="newsletter-token" content="{desk.server.token}">' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    for path in GETS[1:]:
        assert desk.client.get(path).status_code in (200, 204), path
    assert desk.client.get("/", headers={"Host": f"localhost:{desk.server.port}"}).status_code \
        == 200


def test_each_process_has_its_own_token(desk_ws: Workspace) -> None:
    one, two = Desk(desk_ws, "2026-05"), Desk(desk_ws, "2026-05")
    try:
        assert one.server.token != two.server.token and len(one.server.token) >= 32
        assert one.post("render-intro", {"markdown": "x"}, **{
            "X-Newsletter-Token": two.server.token}).status_code == 403
    finally:
        one.close()
        two.close()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1",
                                  "localhost", "127.0.0.1", "[::1]:{port}", "0.0.0.0:{port}"])
def test_a_foreign_host_is_refused_on_every_route(guarded: Desk, host: str) -> None:
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends Host: evil.example."""
    before = guarded.file.read_bytes()
    answers = every_request(guarded, Host=host.format(port=guarded.server.port))
    assert answers == [(route, 403) for route, _ in answers]
    assert guarded.file.read_bytes() == before
    assert not (guarded.ws.output_path / "_export").exists()


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1",
                                    "https://127.0.0.1:{port}", "http://localhost.evil.example"])
def test_a_foreign_origin_is_refused_on_every_route(guarded: Desk, origin: str) -> None:
    """CSRF: a page elsewhere that posts (or fetches) to the desk sends its own Origin."""
    before = guarded.file.read_bytes()
    answers = every_request(guarded, Origin=origin.format(port=guarded.server.port))
    assert answers == [(route, 403) for route, _ in answers]
    assert guarded.file.read_bytes() == before


def test_the_servers_own_origin_is_accepted(desk: Desk) -> None:
    for host in (f"127.0.0.1:{desk.server.port}", f"localhost:{desk.server.port}"):
        response = desk.edit({"op": "feature", "id": PLAIN}, version=version_of(desk.file)) \
            if host.startswith("127") else desk.client.get("/api/state", headers={
                "Host": host, "Origin": f"http://{host}"})
        assert response.status_code == 200


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_every_action_needs_the_token(guarded: Desk, action: str, token: str | None) -> None:
    before = guarded.file.read_bytes()
    headers = {} if token is None else {"X-Newsletter-Token": token}
    response = guarded.client.post(f"/api/{action}", json={"version": version_of(guarded.file),
                                                        "ops": [{"op": "feature", "id": PLAIN}]},
                                headers=headers)
    assert response.status_code == 403
    assert "x-newsletter-token" in response.json()["error"]
    assert guarded.file.read_bytes() == before


@pytest.mark.parametrize("action", WRITES)
def test_read_only_write_routes_answer_403_even_with_the_token(read_only: Desk,
                                                              action: str) -> None:
    before = read_only.file.read_bytes()
    body = {"version": version_of(read_only.file), "ops": [{"op": "feature", "id": PLAIN}],
            "month": "2026-07", "service": "eml"}
    response = read_only.post(action, body)
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]
    assert read_only.file.read_bytes() == before
    assert not (read_only.ws.issues_path / "2026-07.toml").exists()
    assert not (read_only.ws.output_path / "_export").exists()


def test_read_only_still_shows_everything(read_only: Desk) -> None:
    state = read_only.state()
    assert state["read_only"] is True and state["ok"] is True
    assert state["sections"] and state["findings"] and state["highlights"]
    assert '<meta name="newsletter-mode" content="read-only">' in read_only.client.get("/").text
    assert read_only.post("switch", {"issue": "2026-04"}).status_code == 200


# --- 400: a bad request names what is wrong, and nothing is written --------------------------


@pytest.mark.parametrize(("body", "message"), [
    ({"ops": [{"op": "feature", "id": PLAIN}]}, "give \"version\""),
    ({"version": 5, "ops": [{"op": "feature", "id": PLAIN}]}, "\"version\" must be"),
    ({"version": "V", "ops": []}, "a list of operations"),
    ({"version": "V", "ops": "feature"}, "a list of operations"),
    ({"version": "V", "ops": [{"op": "feature", "id": PLAIN}, {"op": "fly", "id": PLAIN}]},
     "op 2: unknown op 'fly'"),
    ({"version": "V", "ops": [{"op": "exclude", "id": "stem-cell-transplant-5-year"}]},
     "op 1 (exclude): no summary has the id 'stem-cell-transplant-5-year' (did you mean "
     f"'{PLAIN}'?)"),
    ({"version": "V", "ops": [{"op": "move", "id": PLAIN, "theme": "progresion"}]},
     "op 1 (move): unknown theme 'progresion' (did you mean 'progression'?)"),
    ({"version": "V", "ops": [{"op": "order", "theme": "progression", "ids": "x"}]},
     "op 1 (order): needs \"ids\""),
    ({"version": "V", "ops": [{"op": "set", "field": "subject", "value": "a\nb"}]},
     "op 1 (set): subject must be one line"),
    ({"version": "V", "ops": [{"op": "set", "field": "max_per_section", "value": 0}]},
     "op 1 (set): max_per_section must be"),
    ({"version": "V", "ops": [{"op": "feature", "id": PLAIN}, {"op": "feature",
                                                              "id": "nope-nope"}]},
     "op 2 (feature): no summary has the id 'nope-nope'"),
])
def test_a_bad_edit_is_400_naming_the_op_and_writes_nothing(guarded: Desk, body: dict[str, Any],
                                                            message: str) -> None:
    before = guarded.file.read_bytes()
    if body.get("version") == "V":
        body["version"] = version_of(guarded.file)
    response = guarded.post("edit", body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert guarded.file.read_bytes() == before


def test_a_body_that_is_not_a_json_object_is_400(guarded: Desk) -> None:
    for content in (b"{not json", b"[1, 2]"):
        response = guarded.client.post("/api/edit", content=content, headers=guarded.headers())
        assert response.status_code == 400


@pytest.mark.parametrize(("action", "body", "message"), [
    ("switch", {"issue": "../../etc/passwd"}, "no issue file for '../../etc/passwd'"),
    ("switch", {"issue": "2026-03"}, "no issue file for '2026-03'"),
    ("new-issue", {"month": "../x"}, "is not a month"),
    ("new-issue", {"month": "2026-05"}, "already exists"),
    ("export", {"service": "../../tmp"}, "unknown service '../../tmp'"),
    ("render-intro", {"markdown": 3}, "give the intro"),
    ("undo", {"version": "current"}, "nothing to undo"),
    ("redo", {"version": "current"}, "nothing to redo"),
])
def test_other_bad_requests_are_400(desk: Desk, action: str, body: dict[str, Any],
                                    message: str) -> None:
    if body.get("version") == "current":
        body["version"] = version_of(desk.file)
    files = sorted(p.name for p in desk.ws.issues_path.iterdir())
    response = desk.post(action, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert sorted(p.name for p in desk.ws.issues_path.iterdir()) == files


def test_no_route_serves_a_path_from_the_request(guarded: Desk) -> None:
    for path in ("/static/../newsletter.toml", "/static/app.html", "/static/%2e%2e%2fapp.html",
                 "/issues/2026-05.toml", "/summaries/", "/api/state/../../newsletter.toml",
                 "/email.html/../../newsletter.toml"):
        assert guarded.client.get(path).status_code == 404, path


# --- 409: a hand edit in between is never overwritten ----------------------------------------


def test_a_stale_version_is_409_with_the_current_version(desk: Desk) -> None:
    seen = version_of(desk.file)
    hand = desk.file.read_text() + '\n# a note typed by hand\nexclude = ["' + PLAIN + '"]\n'
    desk.file.write_text(hand)
    response = desk.edit({"op": "feature", "id": PLAIN}, version=seen)
    assert response.status_code == 409
    assert response.json()["version"] == version_of(desk.file)
    assert desk.file.read_text() == hand
    state = desk.state()  # the state now shows the file as it is
    assert state["version"] == version_of(desk.file)
    assert PLAIN in [c["id"] for c in state["excluded"]]


def test_undo_and_redo_after_a_hand_edit_are_409(desk: Desk) -> None:
    assert desk.edit({"op": "feature", "id": PLAIN}).status_code == 200
    stale = version_of(desk.file)
    desk.file.write_text(desk.file.read_text() + "# typed by hand\n")
    hand = desk.file.read_bytes()
    for action in ("undo", "redo"):
        response = desk.post(action, {"version": stale})
        assert response.status_code == 409 and response.json()["version"] == version_of(desk.file)
    # even with the new version, undo would drop the hand edit: refused, history dropped
    response = desk.post("undo", {"version": version_of(desk.file)})
    assert response.status_code == 409 and "edited outside the desk" in response.json()["error"]
    assert desk.file.read_bytes() == hand
    assert desk.state()["can_undo"] is False


# --- 200: the answer is the new state, and the file says the same ------------------------------


def test_an_edit_answers_the_new_state_and_keeps_the_rest_of_the_file(desk: Desk) -> None:
    before = desk.file.read_text().splitlines()
    response = desk.edit({"op": "feature", "id": PLAIN}, {"op": "set", "field": "subject",
                                                          "value": "Nerve repair and more"})
    assert response.status_code == 200
    state = response.json()
    assert state["version"] == version_of(desk.file)
    assert [c["id"] for c in state["highlights"]] == [FEATURED, "stopping-therapy-after-sixty",
                                                      PLAIN]
    assert state["subject"] == "Nerve repair and more"
    assert state["changes"] == [f"featured: + {PLAIN}", "subject: Nerve repair and more"]
    after = desk.file.read_text().splitlines()
    changed = {i for i, line in enumerate(before) if line.startswith(("subject", "featured"))}
    assert [line for i, line in enumerate(before) if i not in changed] == \
        [line for line in after if not line.startswith(("subject", "featured"))]
    status = desk.client.get("/status.json").json()
    assert status["subject"] == "Nerve repair and more" and status["version"] == state["build"]


def test_undo_and_redo_put_the_exact_bytes_back(desk: Desk) -> None:
    original = desk.file.read_bytes()
    desk.edit({"op": "exclude", "id": PLAIN})
    edited = desk.file.read_bytes()
    undone = desk.post("undo", {"version": version_of(desk.file)})
    assert undone.status_code == 200 and desk.file.read_bytes() == original
    assert undone.json()["can_redo"] is True
    redone = desk.post("redo", {"version": version_of(desk.file)})
    assert redone.status_code == 200 and desk.file.read_bytes() == edited
    assert PLAIN in [c["id"] for c in redone.json()["excluded"]]


def test_a_month_without_a_file_gets_one_at_the_first_edit(desk_ws: Workspace) -> None:
    desk = Desk(desk_ws, "2026-06")
    try:
        state = desk.state()
        assert state["version"] is None and state["exists"] is False and state["ok"] is True
        assert desk.edit({"op": "feature", "id": PLAIN}, version="0" * 64).status_code == 409
        first = state["sections"][0]["summaries"][0]["id"]
        response = desk.edit({"op": "feature", "id": first}, version=None)
        assert response.status_code == 200
        assert response.json()["version"] == version_of(desk.file)
        assert f'featured = ["{first}"]' in desk.file.read_text()
        assert desk.edit({"op": "exclude", "id": first}, version=None).status_code == 409
        # undoing the edit that created the file removes it again
        assert desk.post("undo", {"version": version_of(desk.file)}).status_code == 200
        assert not desk.file.exists()
    finally:
        desk.close()


def test_a_range_without_a_file_gets_one_at_the_first_edit(desk_ws: Workspace) -> None:
    desk = Desk(desk_ws, None, start=date(2026, 5, 3), end=date(2026, 5, 20))
    try:
        assert desk.file.name == "2026-05-03_2026-05-20.toml"
        state = desk.state()
        assert state["issue"] == "2026-05-03_2026-05-20" and state["version"] is None
        refused = desk.edit({"op": "feature", "id": "nope-nope"}, version=None)
        assert refused.status_code == 400 and not desk.file.exists()  # nothing stays
        first = state["sections"][0]["summaries"][0]["id"]
        response = desk.edit({"op": "feature", "id": first}, version=None)
        assert response.status_code == 200
        text = desk.file.read_text()
        assert "from = 2026-05-03\nto = 2026-05-20" in text and f'featured = ["{first}"]' in text
        assert response.json()["version"] == version_of(desk.file)
        assert response.json()["changes"][0] == "created issues/2026-05-03_2026-05-20.toml"
        undone = desk.post("undo", {"version": version_of(desk.file)})
        assert undone.status_code == 200 and not desk.file.exists()
        assert undone.json()["ok"] is True and undone.json()["version"] is None  # the range again
    finally:
        desk.close()


def test_switch_and_new_issue(desk: Desk) -> None:
    state = desk.post("switch", {"issue": "2026-04"}).json()
    assert state["issue"] == "2026-04" and state["issues"] == ["2026-05", "2026-04"]
    assert desk.client.get("/status.json").json()["issue"] == "2026-04"
    created = desk.post("new-issue", {"month": "2026-06"})
    assert created.status_code == 200
    assert created.json()["issue"] == "2026-06"
    assert (desk.ws.issues_path / "2026-06.toml").is_file()
    assert created.json()["issues"] == ["2026-06", "2026-05", "2026-04"]


def test_render_intro_is_sanitised(desk: Desk) -> None:
    html = desk.post("render-intro", {"markdown": "**Hi** <script>x</script> "
                                      "[a](javascript:alert(1)) [b](https://example.org)"})
    body = html.json()["html"]
    assert "<strong>Hi</strong>" in body and "<script>" not in body
    assert 'href="javascript' not in body and '<a href="https://example.org">b</a>' in body


# --- the server alone: it knows nothing of the pipeline ----------------------------------------


def test_the_server_takes_any_builder_and_hooks() -> None:
    def boom(_payload: dict[str, Any]) -> Outcome:
        raise RuntimeError("a bug")

    hooks = DeskHooks(state=lambda: {"issue": "x"},
                      actions={"echo": Action(lambda payload: Outcome(payload), writes=False),
                               "rebuild": Action(lambda _p: Outcome({"did": 1}, rebuild=True)),
                               "boom": Action(boom)})
    builds: list[set[Path] | None] = []

    def builder(changed: set[Path] | None) -> Snapshot:
        builds.append(changed)
        return Snapshot(True, "<p>email</p>", "text", "<mjml></mjml>", {"issue": "x"})

    server = PreviewServer(builder, [], 0, desk=hooks)
    client = TestClient(server.app(), base_url=f"http://127.0.0.1:{server.port}")
    headers = {"X-Newsletter-Token": server.token}
    try:
        server.rebuild()
        assert client.get("/email.html").text == "<p>email</p>"
        assert client.get("/api/state").json() == {"issue": "x", "build": 1, "read_only": False}
        assert client.post("/api/echo", json={"a": 1}, headers=headers).json() == {"a": 1}
        rebuilt = client.post("/api/rebuild", json={}, headers=headers).json()
        assert rebuilt == {"issue": "x", "build": 2, "read_only": False, "did": 1}
        assert builds == [None, set()]
        failed = client.post("/api/boom", json={}, headers=headers)
        assert failed.status_code == 500 and "unexpected RuntimeError: a bug" in failed.json()["error"]
        assert client.post("/api/nothing", json={}, headers=headers).status_code == 404
    finally:
        client.close()
        server.socket.close()


def test_the_checks_are_those_of_newsletter_check_the_spam_score_in_the_background(
        spamassassin: str, desk: Desk) -> None:
    """The panel shows the build's findings at once and the SpamAssassin score when it is in
    (seconds): then the findings are exactly what `newsletter check --json` reports."""
    import json
    import time

    from click.testing import CliRunner

    from newsletter.cli import main

    state = desk.state()
    deadline = time.monotonic() + 60
    while state["checks_pending"] and time.monotonic() < deadline:
        time.sleep(0.2)
        state = desk.state()
    assert not state["checks_pending"]
    checked = CliRunner().invoke(main, ["--root", str(desk.ws.root), "check", "2026-05", "--json"])
    report = json.loads(checked.stdout)
    shown = [{k: f[k] for k in ("level", "rule", "where", "message", "fix")}
             for f in state["findings"]]
    assert shown == [{k: f[k] for k in ("level", "rule", "where", "message", "fix")}
                     for f in report["findings"]]
    assert state["counts"] == report["counts"]
    assert "spam.score" in [f["rule"] for f in shown]


def test_a_stopped_desk_starts_no_background_check(desk_ws: Workspace,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """SpamAssassin costs seconds of CPU: once the server stops, no score is started."""
    import time

    from newsletter.preview import desk as desk_module

    scored: list[str] = []
    monkeypatch.setattr(desk_module, "SETTLE_SECONDS", 0.2)
    monkeypatch.setattr(desk_module, "check_apart", lambda ws, result: scored.append("run"))
    stopped = Desk(desk_ws, "2026-05")
    assert stopped.state()["checks_pending"] is True  # the score waits for the desk to settle
    stopped.close()
    time.sleep(0.6)
    assert scored == []
    running = Desk(desk_ws, "2026-05")
    running.state()
    time.sleep(0.6)
    running.close()
    assert scored == ["run"]  # the control: a desk left running does score


def test_a_background_result_that_arrives_while_the_state_is_made_shows_next_time(
        desk_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The background check may finish at any moment, even while a state is being made: that
    state says pending, and the next one shows the result (never an error, never stuck)."""
    from newsletter.checks.model import Finding
    from newsletter.checks.runner import CheckReport
    from newsletter.preview import desk as desk_module

    monkeypatch.setattr(desk_module, "SETTLE_SECONDS", 30)  # the real thread stays asleep
    real = desk_module.desk_state
    late = CheckReport("2026-05", None, [Finding("info", "the eml export", "scored late",
                                                 check="spam.score")], ["spam.score"])

    def racing(built: Any, classified: Any) -> dict[str, Any]:
        made = real(built, classified)
        built.apart = late  # finished after the state was made, before it was stored
        return made

    monkeypatch.setattr(desk_module, "desk_state", racing)
    desk = Desk(desk_ws, "2026-05")
    try:
        assert desk.state()["checks_pending"] is True
        monkeypatch.setattr(desk_module, "desk_state", real)
        state = desk.state()
        assert state["checks_pending"] is False
        assert [f["message"] for f in state["findings"] if f["rule"] == "spam.score"] == [
            "scored late"]
    finally:
        desk.close()
