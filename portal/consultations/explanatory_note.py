"""The explanatory note (起草说明) as readers see it: its lines as paragraphs, its numbered headings (一、 （一）) as
headings; on its page and as a Word document of its own (a separate file, as offices issue it: appended to the
draft's document it would read back as more sections of the draft). Pure: no app context."""
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


def note_title(consultation_title: str) -> str:
    return f"关于《{consultation_title}》的起草说明"


def note_filename(consultation) -> str:
    """The download's name: the consultation's title, then 起草说明 (the document is Chinese, as the note)."""
    from portal.drafts.document import file_stem

    return f"{file_stem(consultation)}（起草说明）.docx"


def note_document(consultation_title: str, text: str, link: str) -> bytes:
    """The note as a Word document (GB/T 9704 page): its title, where to read the draft and comment, its text."""
    from portal.core.official_docx import (
        body_paragraph, centred_note, document_bytes, heading_paragraph, official_document, title_paragraph,
    )

    document = official_document()
    title_paragraph(document, note_title(consultation_title))
    centred_note(document, f"在线阅读草案和发表意见：{link}")
    blocks = note_blocks(text)
    if blocks and "起草说明" in blocks[0].text and blocks[0].level == 0:
        blocks = blocks[1:]  # the note's own title line, already the document's title
    for block in blocks:
        if block.level:
            heading_paragraph(document, block.text, block.level)
        else:
            body_paragraph(document, block.text)
    return document_bytes(document)
