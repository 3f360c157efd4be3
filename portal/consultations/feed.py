"""The Atom feed of published consultations (/consultations/feed.atom): the pure parts, no app context.

The feed itself is a Jinja template (templates/consultations/feed.atom.xml), autoescaped as every .xml
template is; this helper gives it the time each entry last changed; its times are written by
portal.core.time.rfc3339 and its text made fit for XML by portal.core.xmltext.
"""
from __future__ import annotations

from datetime import datetime

FEED_SIZE = 50  # entries: the consultations published last


def entry_updated(consultation) -> datetime:
    """When what an entry says last changed: its publication, or the latest extension of its deadline."""
    extension = consultation.latest_extension
    return max(consultation.published_at, extension.at) if extension is not None else consultation.published_at
