"""Quality checks for an issue before it is sent (`newsletter check`, and a summary in `build`).

Each check is a small function registered by id (see base.py); the modules below register them
in the order they run and are reported.
"""

from newsletter.checks import (  # noqa: F401  (importing a module registers its checks)
    accessibility,
    compliance,
    content,
    disclaimer,
    images,
    links,
    plaintext,
    size,
)
from newsletter.checks.base import (
    LEVELS,
    RULES,
    CheckContext,
    Finding,
    Rule,
    ServiceParts,
    check,
    groups,
    known_ids,
)

__all__ = ["LEVELS", "RULES", "CheckContext", "Finding", "Rule", "ServiceParts", "check",
           "groups", "known_ids"]
