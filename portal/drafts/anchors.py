"""Section anchors: a section's name in its URL (/consultations/ID/sections/<anchor>), e.g. s-2-1.

Pure: plain values in, plain values out, no app context.
"""
from __future__ import annotations

from collections.abc import Sequence

__all__ = ["section_anchor"]


def section_anchor(kind: str, numbers: Sequence[int]) -> str:
    """The anchor of a section: its kind and its position (1-based) at each level, from the top.
    ``section_anchor("section", (2, 1))`` is 's-2-1', ``section_anchor("appendix", (4,))`` 'appendix-4'."""
    prefix = "appendix" if kind == "appendix" else "s"
    return prefix + "-" + "-".join(str(n) for n in numbers)
