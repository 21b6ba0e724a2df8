"""`pip install .` must work from any directory: the wheel carries the default theme and scaffold."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from helpers import REPO

REPO = REPO


def test_wheel_carries_templates_and_runs_from_elsewhere(tmp_path):
    wheels = tmp_path / "wheels"
    # the build backend of pyproject.toml from the venv (`make install` puts it there), not
    # fetched from the package index into a throwaway environment
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--disable-pip-version-check", "-w", str(wheels), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(wheels.glob("newsletter-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("newsletter/render/templates/email.mjml.j2", "newsletter/render/templates/email.txt.j2",
                   "newsletter/render/templates/partials/card.mjml.j2",
                   "newsletter/config/starter_files/issues/2026-05.toml",
                   "newsletter/checks/data/caniemail.json",
                   "newsletter/checks/data/resident_spamassassin.pl"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "summaries/")) for n in names)

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                    "--disable-pip-version-check", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import sys; from newsletter.cli import main; main(sys.argv[1:])"
    for args in (["init", "ws"], ["--root", "ws", "build", "2026-05"]):
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    probe = subprocess.run([sys.executable, "-c", "import newsletter; print(newsletter.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.startswith(str(target))
    assert (elsewhere / "ws" / "output" / "2026-05" / "email.html").stat().st_size > 5000
