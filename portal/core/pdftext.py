"""The text of a PDF file (pypdf), as a reader sees it: for an imported draft (portal/drafts/readers.py) and the
files sent with comments (portal/comments/attachment_text.py).

Chinese PDFs written by Word, WPS or a browser often map some characters to the look-alike radicals of the Kangxi
Radicals and CJK Radicals Supplement blocks: 养⽼ (U+2F7C) for 养老, 意⻅ (U+2EC5) for 意见, 居⺠ for 居民. They show
alike and are not the same text: search, quotations and section headings would not find them. Each is read as the
ideograph it stands for: the Kangxi radicals by their compatibility decomposition (NFKC), the supplement's (which
have none) by Unicode's equivalents (EquivalentUnifiedIdeograph.txt) for those that stand alone as characters. The
dash such fonts write as a horizontal bar (―, U+2015) is read as the dash (—).
"""
from __future__ import annotations

import io
import re
import unicodedata

_KANGXI = re.compile("[\u2f00-\u2fd5]")
_SUPPLEMENT = str.maketrans({
    "\u2e81": "厂", "\u2e87": "几", "\u2e8a": "卜", "\u2e93": "幺", "\u2e9d": "月", "\u2e9f": "母", "\u2ea0": "民",
    "\u2ea9": "王", "\u2ec5": "见", "\u2ec6": "角", "\u2ec9": "贝", "\u2ecb": "车", "\u2ed3": "长", "\u2ed4": "门",
    "\u2ed7": "雨", "\u2ed8": "青", "\u2ed9": "韦", "\u2eda": "页", "\u2edb": "风", "\u2edc": "飞", "\u2edd": "食",
    "\u2ee2": "马", "\u2ee3": "骨", "\u2ee4": "鬼", "\u2ee5": "鱼", "\u2ee6": "鸟", "\u2ee7": "卤", "\u2ee8": "麦",
    "\u2ee9": "黄", "\u2eec": "齐", "\u2eee": "齿", "\u2ef0": "龙", "\u2ef3": "龟",
    "\u2015": "\u2014",  # the dash of 2023—2025 and ——, which CJK fonts give as a horizontal bar
})


class PdfUnreadable(ValueError):
    """``reason``: "encrypted" (a password is needed) or "broken" (not a PDF pypdf can read)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def unified_ideographs(text: str) -> str:
    """``text`` with the CJK radicals a PDF wrote for ideographs read as those ideographs."""
    return _KANGXI.sub(lambda found: unicodedata.normalize("NFKC", found.group()), text.translate(_SUPPLEMENT))


def pdf_pages(data: bytes, max_pages: int | None = None, max_chars: int | None = None, layout: bool = False) -> list[str]:
    """The text of each page (the first ``max_pages``; stopping once ``max_chars`` are read). ``layout``: each line
    as laid out on the page, its indentation and the gaps between a table's cells kept as spaces."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfUnreadable("encrypted")
        pages, length = [], 0
        for page in reader.pages[:max_pages]:
            pages.append(unified_ideographs((page.extract_text(extraction_mode="layout", layout_mode_scale_weight=1.5)
                                             if layout else page.extract_text()) or ""))
            length += len(pages[-1])
            if max_chars is not None and length > max_chars:
                break
    except PdfUnreadable:
        raise
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds for a broken or foreign file
        raise PdfUnreadable("broken") from error
    return pages
