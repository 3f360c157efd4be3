"""Text that XML 1.0 can carry: the Atom feed, the sitemap and the XLSX and DOCX files the portal writes."""
from __future__ import annotations

import re

# Characters XML 1.0 forbids even escaped (C0 controls but tab, CR, LF; lone surrogates; U+FFFE, U+FFFF): a title
# pasted from a word processor may hold one, and a feed or a Word file with it would not open
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str | None) -> str:
    """``value`` without the characters XML cannot carry (escaping is the writer's business)."""
    return ILLEGAL_XML.sub("", value or "")
