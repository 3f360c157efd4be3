"""A comment's quotation of the draft (引用原文): the words a citizen selected, or pasted, to say which sentence
their comment is about.

A quotation is checked to be in what the commenter was reading: the section commented on with its subsections
(the section's page shows them), or the whole current draft for a comment on the whole draft. The check
ignores white space and line breaks (a selection across paragraphs holds them, a copy from a phone may not)
and the difference between full-width and half-width forms (NFKC: "，" and ","), so a quotation copied from
the page is always found and a sentence the draft does not hold never is. The quotation is kept as the
commenter sent it, its white space tidied (``clean_quote``): it records what the comment was about when it was
written, also after a revision changes the section.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from portal.drafts.models import DraftTable, Section
from portal.extensions import db

QUOTE_MAX = 300  # characters: a sentence or a short paragraph, not a copy of the section
_SPACES = re.compile(r"[^\S\n]+")
_WHITE = re.compile(r"\s+")


def clean_quote(text: str | None) -> str | None:
    """The quotation as kept: each line's white space tidied, empty lines dropped; None when nothing is left."""
    lines = [_SPACES.sub(" ", line).strip() for line in (text or "").replace("\r", "\n").split("\n")]
    cleaned = "\n".join(line for line in lines if line)
    return cleaned or None


def squeezed(text: str) -> str:
    """``text`` as the check compares it: NFKC, without any white space."""
    return _WHITE.sub("", unicodedata.normalize("NFKC", text))


def _pieces(section, tables: dict[int, list]) -> list[str]:
    parts = [section.label, section.heading, section.text]
    for table in tables.get(section.id, []):
        parts.append(table.title or "")
        parts.extend(str(cell) for cell in table.header or [])
        parts.extend(str(cell) for row in table.rows or [] for cell in row)
    return parts


def draft_words(draft_id: int, section_id: int | None = None) -> str:
    """The words a reader of the section ``section_id`` (with its subsections, in document order) or, when None,
    of the whole draft sees, squeezed (``squeezed``); two queries."""
    sections = Section.__table__
    rows = db.session.execute(
        select(sections.c.id, sections.c.parent_id, sections.c.label, sections.c.heading, sections.c.text)
        .where(sections.c.draft_id == draft_id).order_by(sections.c.position)).all()
    table_rows = DraftTable.__table__
    tables: dict[int, list] = {}
    for table in db.session.execute(
            select(table_rows.c.section_id, table_rows.c.title, table_rows.c.header, table_rows.c.rows)
            .where(table_rows.c.draft_id == draft_id).order_by(table_rows.c.position)):
        tables.setdefault(table.section_id, []).append(table)
    if section_id is None:
        chosen = rows
    else:
        inside: set[int] = {section_id}
        chosen = []
        for row in rows:  # document order: a subsection comes after its parent
            if row.id in inside or row.parent_id in inside:
                inside.add(row.id)
                chosen.append(row)
    return squeezed("".join(part for row in chosen for part in _pieces(row, tables)))


def quote_found(draft_id: int | None, section_id: int | None, quote: str) -> bool:
    """Whether ``quote`` is in the section ``section_id`` (with its subsections, in its own draft) or, when None,
    in the draft ``draft_id`` (the consultation's current one)."""
    if section_id is not None:
        draft_id = db.session.scalar(select(Section.__table__.c.draft_id).where(Section.__table__.c.id == section_id))
    if draft_id is None:
        return False
    words = squeezed(quote)
    return bool(words) and words in draft_words(draft_id, section_id)


QUERY_ARG = "quote"  # /consultations/ID/sections/ANCHOR?quote=…: the section's page with its form quoting these words


def asked_quote(section_id: int) -> str | None:
    """The quotation a section page's link asks its comment form to start with (the draft's script sends a
    reader who selected words of a subsection, or on the overview, to that subsection's page); None when there
    is none, or the section does not hold it (the link was edited, or the draft revised since)."""
    from flask import request

    quote = clean_quote(request.args.get(QUERY_ARG))
    if quote is None or len(quote) > QUOTE_MAX or not quote_found(None, section_id, quote):
        return None
    return quote
