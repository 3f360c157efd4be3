"""Spam signs and sensitive words: pure functions on text, no app context."""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

from markupsafe import Markup, escape

# a name starts where no letter, digit or hyphen comes before it: "\b" let the search try each position of a run
# like "a-a-a-…" (a boundary at each hyphen), quadratic (a 5,000-character comment took 0.8 s); and it missed a
# name right after Chinese words (加微信abc.top: no boundary between 信 and a)
LINK = re.compile(
    r"https?://|www\.|(?<![a-z0-9-])[a-z0-9-]+\.(?:com|cn|net|org|top|xyz|cc|io|info|vip|shop|site)\b", re.IGNORECASE
)
REPEATED_CHARACTER = re.compile(r"(.)\1{5,}")  # 哈哈哈哈哈哈, !!!!!!
REPEATED_PHRASE = re.compile(r"(.{2,8}?)\1{3,}")  # 加微信加微信加微信加微信


def has_link(text: str) -> bool:
    return bool(LINK.search(text))


def has_repetition(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return bool(REPEATED_CHARACTER.search(compact) or REPEATED_PHRASE.search(compact))


def address_hash(address: str | None, secret: str) -> str | None:
    """A keyed hash of the sender's address: the same sender gives the same value; the address is not kept."""
    if not address:
        return None
    return hmac.new(secret.encode(), b"client-address:" + address.encode(), hashlib.sha256).hexdigest()[:32]


def clean_words(lines: Iterable[str]) -> list[str]:
    """Words from a list or an uploaded file: one per line (or separated by commas), blanks and #comments dropped."""
    words: list[str] = []
    for line in lines:
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        for word in re.split(r"[,，、;；\t]", line):
            word = word.strip()
            if word and len(word) <= 100 and word.lower() not in {w.lower() for w in words}:
                words.append(word)
    return words


def decode_word_file(data: bytes) -> str:
    """A word-list file as text: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("undecodable")


def find_words(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of every word in ``text`` (case-insensitive), overlaps merged, in order."""
    words = {w.lower() for w in words if w}
    if not words:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer (İ): keep the offsets right
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    spans = []
    for word in words:
        start = lowered.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = lowered.find(word, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def matched_words(text: str, words: Iterable[str]) -> list[str]:
    return sorted({text[start:end] for start, end in find_words(text, words)})


def highlight(text: str, words: Iterable[str], personal: Iterable[tuple[int, int]] = ()) -> Markup:
    """``text`` escaped for HTML, every sensitive word wrapped in ``<mark>``, every piece of personal information
    (``personal``: its spans) in ``<mark class="personal">``."""
    spans = [(start, end, "") for start, end in find_words(text, words)]
    spans += [(start, end, "personal") for start, end in personal
              if not any(s < end and start < e for s, e, _kind in spans)]
    out, at = [], 0
    for start, end, kind in sorted(spans):
        out.append(escape(text[at:start]))
        opening = Markup('<mark class="personal">') if kind else Markup("<mark>")
        out.append(opening + escape(text[start:end]) + Markup("</mark>"))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)
