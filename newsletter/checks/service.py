"""The seam to the exporters: the parts of an issue as one mailing service will send them.

`newsletter check --service NAME` checks an export, not the generic build. The exporters live
in `newsletter.exporters` (another part of the project), looked up lazily so that the checks
work without them. What this module expects of that registry:

    newsletter.exporters.names() -> iterable of service names
    newsletter.exporters.get(name) -> an exporter (KeyError when unknown), whose
        .render(workspace, build_result) returns an object with .html and .text (the export,
        merge tags in place) and, optionally, .merge_tags (the tags it used)

Tests and other callers may pass their own registry: a mapping of name -> function
(workspace, build_result) -> ServiceParts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from newsletter.build import BuildResult
from newsletter.checks.base import ServiceParts
from newsletter.errors import UsageError
from newsletter.workspace import Workspace

Exporter = Callable[[Workspace, BuildResult], ServiceParts]
Registry = Mapping[str, Exporter]


EXPORTERS_MODULE = "newsletter.exporters"


def _module() -> Any | None:
    try:
        return importlib.import_module(EXPORTERS_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name == EXPORTERS_MODULE:  # not in this version; anything else is a real error
            return None
        raise


def installed() -> Registry:
    """The services of `newsletter.exporters`, adapted to this module's Exporter shape."""
    module = _module()
    if module is None or not hasattr(module, "get"):
        return {}
    names = module.names() if hasattr(module, "names") else ()
    return {str(name): _adapter(module, str(name)) for name in names}


def _adapter(module: Any, name: str) -> Exporter:
    def export(ws: Workspace, result: BuildResult) -> ServiceParts:
        exported = module.get(name).render(ws, result)
        return ServiceParts(name, exported.html, exported.text,
                            tuple(getattr(exported, "merge_tags", ()) or ()))

    return export


def resolve(name: str, registry: Registry | None = None) -> Exporter:
    """The exporter of the service `name`; a UsageError names the known services."""
    services = installed() if registry is None else registry
    if name not in services:
        known = ", ".join(sorted(services)) or "none (this version has no service exporters)"
        raise UsageError(f"unknown service '{name}' for --service; available: {known}")
    return services[name]
