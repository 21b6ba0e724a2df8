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


# What an inbox list shows of a message before it opens it, in characters (the desk's "Inbox
# preview"). Clients cut by pixel width, so these are typical figures, not exact ones: Gmail's
# web inbox shows the subject and then the preheader on one row of about 110 characters after a
# sender column of about 20; a phone (Apple Mail or the Gmail app at 375 px) shows about 25
# characters of sender, one line of subject (about 41) and two lines of preheader (about 90).
INBOX_DESKTOP = {"sender": 20, "row": 110}
INBOX_PHONE = {"sender": 25, "subject": 41, "preheader": 90}
