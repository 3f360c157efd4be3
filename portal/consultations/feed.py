"""The Atom feed of published consultations (/consultations/feed.atom): the pure parts, no app context.

The feed itself is a Jinja template (templates/consultations/feed.atom.xml), autoescaped as every .xml
template is; these helpers give it text that XML 1.0 can carry and the time each entry last changed; its times are
written by portal.core.time.rfc3339.
"""
from __future__ import annotations

import re
from datetime import datetime

FEED_SIZE = 50  # entries: the consultations published last

# Characters XML 1.0 forbids even escaped (C0 controls but tab, CR, LF; lone surrogates; U+FFFE, U+FFFF): a
# title pasted from a word processor may hold one, and a feed with it would not parse
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str | None) -> str:
    """Text with the characters XML cannot carry left out (escaping is the template's: autoescape)."""
    return _NOT_XML.sub("", value or "")


def entry_updated(consultation) -> datetime:
    """When what an entry says last changed: its publication, or the latest extension of its deadline."""
    extension = consultation.latest_extension
    return max(consultation.published_at, extension.at) if extension is not None else consultation.published_at
