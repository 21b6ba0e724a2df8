"""`newsletter preview` parses its options and hands them to the desk (which the other tests
drive): --read-only reaches the server."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from newsletter.cli import main
from newsletter.preview import builder
from newsletter.workspace import Workspace


@pytest.mark.parametrize(("args", "read_only"), [([], False), (["--read-only"], True)])
def test_preview_passes_read_only_to_the_desk(sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch,
                                              args: list[str], read_only: bool) -> None:
    seen: dict[str, Any] = {}

    def fake_serve(root: Any, issue_id: Any, start: Any, end: Any, port: int, open_browser: bool,
                   say: Any, read_only: bool = False) -> None:
        seen.update(issue=issue_id, port=port, read_only=read_only)

    monkeypatch.setattr(builder, "serve", fake_serve)
    result = CliRunner().invoke(main, ["--root", str(sample_ws.root), "preview", "2026-05",
                                       "--port", "0", *args])
    assert result.exit_code == 0, result.output
    assert seen == {"issue": "2026-05", "port": 0, "read_only": read_only}


def test_preview_help_teaches_the_desk() -> None:
    result = CliRunner().invoke(main, ["preview", "--help"])
    assert "--read-only" in result.output and "newsletter preview 2026-05 --read-only" in result.output
    assert "newsletter edit" in result.output
