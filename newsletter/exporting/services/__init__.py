"""The exporters, one module per mailing service, registered by name in one table.

Adding a service: write newsletter/exporting/services/<module>.py with `EXPORTER = Exporter(name,
description, export)` and add one line to `REGISTRY` below. `export(result, config)` gets the
neutral build and returns {file name: bytes}; newsletter/export.py builds, loops and writes.
A module is imported only when its service is used, so listing the names (for --help) is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsletter.exporting.services.base import Exporter

# service name (as --service takes it) -> module in this package
REGISTRY: dict[str, str] = {
    "eml": "eml",
    "mailchimp": "mailchimp",
    "sendgrid": "sendgrid",
    "mailgun": "mailgun",
    "ses": "ses",
    "brevo": "brevo",
    "listmonk": "listmonk",
    "campaign-monitor": "campaign_monitor",
}
ALL = "all"


def service_names() -> list[str]:
    """What --service takes: every registered name, and "all"."""
    return [*REGISTRY, ALL]


def get(name: str) -> Exporter:
    """The exporter registered as `name` (KeyError for an unknown one)."""
    module = importlib.import_module(f"{__name__}.{REGISTRY[name]}")
    exporter: Exporter = module.EXPORTER
    if exporter.name != name:  # pragma: no cover - a registry typo
        raise RuntimeError(f"{module.__name__} registers '{exporter.name}', not '{name}'")
    return exporter


__all__ = ["ALL", "REGISTRY", "get", "service_names"]
