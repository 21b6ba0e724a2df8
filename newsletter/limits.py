"""The mail clients' limits the build and the checks share: one definition of each."""

from __future__ import annotations

# Gmail clips a message whose HTML reaches about 102 KB: the rest, the footer (unsubscribe,
# disclaimer) and the head styles are hidden behind "[Message clipped]".
GMAIL_CLIP_BYTES = 102_400
# `check` warns from here on, so an issue near the limit is seen before it is clipped.
WARN_BYTES = 90_000
# Gmail drops every <style> block of a message whose styles exceed 16 KB.
STYLE_LIMIT_BYTES = 16 * 1024


def byte_size(text: str) -> int:
    """What the limits count: the UTF-8 bytes of the HTML."""
    return len(text.encode("utf-8"))


def is_clipped(size: int) -> bool:
    """Gmail clips the message (the build refuses it; `check` reports an error)."""
    return size >= GMAIL_CLIP_BYTES


def is_near_clip(size: int) -> bool:
    """Close enough to the clip that `check` warns (and `check --strict` fails)."""
    return size >= WARN_BYTES
