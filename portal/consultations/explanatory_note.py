"""The explanatory note (起草说明) as readers see it: its lines as paragraphs, its numbered headings (一、 （一）) as
headings. Pure: no app context."""
from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")
HEADING_MAX = 40  # a numbered line longer than this, or ending a sentence, is a paragraph that starts with a number


@dataclass(frozen=True)
class Block:
    level: int  # 0: a paragraph; 1: 一、; 2: （一）
    text: str


def note_blocks(text: str) -> list[Block]:
    blocks = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = HEADING.match(line)
        if match and len(line) <= HEADING_MAX and not line.endswith(("。", "；", "：")):
            blocks.append(Block(1 if match.group(0).endswith("、") else 2, line))
        else:
            blocks.append(Block(0, line))
    return blocks


def tidy(text: str) -> str:
    """The note as stored: lines without trailing spaces, at most one blank line between paragraphs."""
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
