"""The seam to the exporters: an issue as one mailing service will receive it.

`newsletter check --service NAME` checks the export, not the generic build: the exporter of
`newsletter export` runs in memory, and its files are read back (newsletter/checks/exported.py)
into the HTML and text parts with the service's merge tags in place. The tags the exporter
declares (`Exporter.merge_tags`) are passed on, so that tags in no common syntax
(Campaign Monitor's `[unsubscribe]`) are recognised too.

The exporters are looked up lazily (`newsletter.exporting.services.get(name)`), so the checks work without
them. Callers may pass their own registry instead: a mapping of name -> function
(workspace, build_result) -> ServiceParts (the tests do).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from newsletter.build import BuildResult
from newsletter.checks.model import ServiceParts
from newsletter.errors import UsageError
from newsletter.workspace import Workspace

Exporter = Callable[[Workspace, BuildResult], ServiceParts]
Registry = Mapping[str, Exporter]
EXPORTERS_MODULE = "newsletter.exporting.services"


def _module() -> Any | None:
    try:
        return importlib.import_module(EXPORTERS_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name == EXPORTERS_MODULE:  # not in this version; anything else is a real error
            return None
        raise


def installed() -> Registry:
    """Every service of `newsletter export` ("all" aside: a check reads one export)."""
    module = _module()
    if module is None:
        return {}
    names = [n for n in module.service_names() if n != getattr(module, "ALL", "all")]
    return {name: _adapter(module, name) for name in names}


def _adapter(module: Any, name: str) -> Exporter:
    def export(ws: Workspace, result: BuildResult) -> ServiceParts:
        # imported here: `build`'s counts check the build itself, not an export (email, zipfile)
        from newsletter.checks.exported import read_parts

        exporter = module.get(name)
        files = exporter.export(result, ws.config)
        html, text = read_parts(name, files)
        return ServiceParts(name, html, text, declared_tags(exporter))

    return export


def declared_tags(exporter: Any) -> tuple[str, ...]:
    """The merge tags the exporter declares (`Exporter.merge_tags`)."""
    return tuple(dict.fromkeys(getattr(exporter, "merge_tags", ())))


def available(registry: Registry | None = None) -> list[str]:
    return sorted(installed() if registry is None else registry)


def resolve(name: str, registry: Registry | None = None) -> Exporter:
    """The exporter of the service `name`; a UsageError names the known services."""
    services = installed() if registry is None else registry
    if name not in services:
        known = ", ".join(sorted(services)) or "none (this version has no service exporters)"
        raise UsageError(f"unknown service '{name}' for --service; available: {known}")
    return services[name]
