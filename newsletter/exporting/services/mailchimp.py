"""Mailchimp: a ZIP for "Import zip" and the JSON body of PUT /campaigns/{campaign_id}/content.

The ZIP holds index.html only: Mailchimp's zip import takes images from an images/ folder beside
it, but the default theme uses https images only (logo_url and summary images must be https), so
there is nothing local to pack. Mailchimp refuses to send a campaign whose content lacks *|UNSUB|*,
so both parts are checked for it here rather than at send time.
"""

from __future__ import annotations

import io
import zipfile

from newsletter.build import BuildResult
from newsletter.config.schema import Config
from newsletter.exporting.services.base import Exporter, Tags, fill, json_bytes

UNSUBSCRIBE = "*|UNSUB|*"
HTML_TAGS = Tags(unsubscribe=UNSUBSCRIBE, web_version="*|ARCHIVE|*",
                 postal_address="*|HTML:LIST_ADDRESS_HTML|*", preferences="*|UPDATE_PROFILE|*")
TEXT_TAGS = Tags(unsubscribe=UNSUBSCRIBE, web_version="*|ARCHIVE|*",
                 postal_address="*|LIST:ADDRESS|*", preferences="*|UPDATE_PROFILE|*")
# A fixed time stamp keeps the ZIP byte-identical from one export to the next.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def import_zip(html: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("index.html", date_time=ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, html.encode("utf-8"))
    return buffer.getvalue()


def export(result: BuildResult, config: Config) -> dict[str, bytes]:
    html, text = fill(result, config, "mailchimp", HTML_TAGS, TEXT_TAGS,
                      required=(UNSUBSCRIBE, UNSUBSCRIBE), syntax=["*|"])  # merge tags look like *|NAME|*
    issue = result.plan.issue.id
    return {
        f"{issue}.zip": import_zip(html),
        f"{issue}.content.json": json_bytes({"html": html, "plain_text": text}),
    }


EXPORTER = Exporter("mailchimp", "ZIP for Import zip + JSON for PUT /campaigns/{id}/content",
                    export,
                    merge_tags=HTML_TAGS.values() + TEXT_TAGS.values())
