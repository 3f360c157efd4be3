"""The details the draft parser's warnings give in their Chinese text (the numbering found, the lines repeated, an
image's name), read back from it, so that a page in another language can say them (portal/office/review.py).

The parser (portal/drafts/parser.py) stores each warning as a code, a line and a Chinese sentence; these patterns
follow its sentences. A sentence of another form (another version of the parser) gives no details: None.
"""
from __future__ import annotations

import re

PATTERNS = {
    "image_dropped": [re.compile(r"^第\d+行是网页中的图片（(?P<name>.*)），无法导入")],
    "duplicate_text_removed": [re.compile(r"^从第(?P<first>\d+)行到第(?P<last>\d+)行是前文的重复")],
    "level_jump": [re.compile(r"^第\d+行的编号“(?P<label>.+?)”出现在“(?P<parent>.+?)”之下，"
                              r"层级顺序不寻常（(?P<higher>.+?)通常高于(?P<lower>.+)），请核对。$")],
    "numbering_gap": [
        re.compile(r"^第\d+行：“(?P<previous>.+?)”之后又出现“(?P<label>.+?)”，编号重新开始或重复"),
        re.compile(r"^第\d+行：“(?P<previous>.+?)”之后应为第(?P<expected>\d+)项，实际是“(?P<label>.+?)”，编号不连续"),
        re.compile(r"^第\d+行：这一层开头应为第(?P<expected>\d+)项，实际是“(?P<label>.+?)”，编号不连续"),
    ],
    "tracked_changes": [re.compile(r"还有 (?P<num>\d+) 处没有处理的修订")],
}


def warning_details(code: str | None, message: str) -> dict[str, str] | None:
    """The named parts of a warning's text (``{"label": "（一）", "parent": "1.", …}``), or None."""
    for pattern in PATTERNS.get(code or "", ()):
        if found := pattern.search(message):
            return found.groupdict()
    return None
