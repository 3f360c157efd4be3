"""How wide text shows in a fixed-width grid, as Excel sizes a column and a PDF lays out a line: a wide (CJK)
character counts two, any other one."""
from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
