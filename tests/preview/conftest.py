"""Fixtures of the desk's tests: a sample workspace whose compiled-HTML cache is already warm,
so that each desk starts without compiling the unchanged sample issue again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import copy_sample

from newsletter.build import build
from newsletter.storage.cache import CACHE_DIR
from newsletter.workspace import Workspace


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = copy_sample(tmp_path_factory.mktemp("warm") / "sample")
    for issue in ("2026-05", "2026-04"):
        build(ws, issue, write=False)
    return ws.root / CACHE_DIR


@pytest.fixture
def desk_ws(sample_ws: Workspace, warm_cache: Path) -> Workspace:
    shutil.copytree(warm_cache, sample_ws.root / CACHE_DIR, dirs_exist_ok=True)
    return sample_ws
