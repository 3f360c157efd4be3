"""Section anchors: a section's name in its URL (/consultations/ID/sections/<anchor>), e.g. s-2-1.

Pure: plain values in, plain values out, no app context.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["MAX_LENGTH", "section_anchor"]

MAX_LENGTH = 50  # the length of the column Section.anchor
_DIGEST_LENGTH = 16  # hex digits of the hash that ends a shortened anchor (64 bits)


def section_anchor(kind: str, numbers: Sequence[int]) -> str:
    """The anchor of a section: its kind and its position (1-based) at each level, from the top.
    ``section_anchor("section", (2, 1))`` is 's-2-1', ``section_anchor("appendix", (4,))`` 'appendix-4'.

    An anchor longer than MAX_LENGTH (a very deep outline with many sections side by side) keeps the
    positions that fit and ends in '-h' and a hash of the whole, e.g. 's-1001-1001-1001-1001-1001-h3f2a…':
    the same for the same section, and never one of the plain anchors, which have only digits."""
    prefix = "appendix" if kind == "appendix" else "s"
    anchor = prefix + "-" + "-".join(str(n) for n in numbers)
    if len(anchor) <= MAX_LENGTH:
        return anchor
    digest = hashlib.sha1(anchor.encode("ascii")).hexdigest()[:_DIGEST_LENGTH]
    room = MAX_LENGTH - len("-h") - _DIGEST_LENGTH
    head = anchor[:room + 1].rsplit("-", 1)[0]  # whole positions only
    return f"{head}-h{digest}"
