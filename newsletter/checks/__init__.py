"""Quality checks for an issue before it is sent (`newsletter check`, and a summary in `build`).

Each rule is a small function in `rules/`; `registry.py` lists them in the order they run and
are reported. `runner.py` runs them on a build, `report.py` formats the findings.
"""
