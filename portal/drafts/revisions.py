"""Store a revised text of a consultation's draft: match its sections and keep the comments attached.

Flushes, never commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.drafts.matching import SectionKey, match_sections, text_changes
from portal.drafts.models import Draft, Section
from portal.drafts.services import add_draft
from portal.extensions import db


def section_key(section: Section) -> SectionKey:
    path = tuple(s.label for s in section.ancestors()) + (section.label,)
    return SectionKey(path=path, content=f"{section.heading}\n{section.text}")


def add_revision(
    consultation: Consultation, parsed: dict, source_text: str, filename: str | None, change_note: str | None = None
) -> Draft:
    """Add a new version; link each section to its match in the previous one; move comments to it.

    A comment keeps the section it was written on in ``original_section_id``. A comment on a section
    that was taken out moves to the nearest matched parent, else to the draft as a whole. A section's key points
    (要点) go to its match when its heading and text are unchanged (else they would say what the text no longer
    does: the office writes them again).
    """
    previous = consultation.current_draft
    draft = add_draft(consultation, parsed, source_text, filename)
    draft.change_note = (change_note or "").strip() or None
    if previous is None:
        return draft
    old_sections, new_sections = list(previous.sections), list(draft.sections)
    matches = match_sections([section_key(s) for s in old_sections], [section_key(s) for s in new_sections])
    successor: dict[int, Section] = {}
    for new_index, old_index in matches.items():
        new, old = new_sections[new_index], old_sections[old_index]
        new.previous_id = old.id
        successor[old.id] = new
        if old.key_points and section_key(new).content == section_key(old).content:
            new.key_points = old.key_points  # the office's plain words still say what the unchanged text says

    def target(section: Section | None) -> Section | None:
        while section is not None:
            if section.id in successor:
                return successor[section.id]
            section = section.parent
        return None

    old_ids = [s.id for s in old_sections]
    comments = db.session.scalars(
        select(Comment).where(Comment.consultation_id == consultation.id, Comment.section_id.in_(old_ids))
    ).all()
    for comment in comments:
        new_section = target(comment.section)
        comment.original_section_id = comment.original_section_id or comment.section_id
        comment.section_id = new_section.id if new_section is not None else None
    db.session.flush()
    return draft


def current_section_of(section_id: int, current_draft_id: int) -> int | None:
    """The section of the current draft that section ``section_id`` of an earlier one became, revision after revision
    (``previous_id``), else what its nearest parent became, else None (the whole draft): where ``add_revision`` moves
    a comment written on it. A section taken out by a later revision goes by the parent it had in the last version
    that held it, as that revision moved its comments: moved under another part (二、（一） become 一、（二）), then taken
    out, it is under 一、, not under 二、 where it first stood."""
    sections = Section.__table__
    while section_id is not None:
        ids = [section_id]
        for _revision in range(100):
            rows = db.session.execute(select(sections.c.id, sections.c.draft_id)
                                      .where(sections.c.previous_id.in_(ids))).all()
            if not rows:
                break
            for found, draft_id in rows:
                if draft_id == current_draft_id:
                    return found
            ids = [found for found, _draft in rows]
            section_id = ids[0]  # each section is matched once a revision: the one it became in the next version
        section_id = db.session.scalar(select(sections.c.parent_id).where(sections.c.id == section_id))
    return None


@dataclass
class SectionChange:
    section: Section | None  # in the newer version (None: taken out)
    previous: Section | None  # in the older version (None: new)
    status: str  # "new", "changed", "unchanged", "removed"
    heading_parts: list[tuple[str, str]]  # of the label and heading
    text_parts: list[tuple[str, str]]

    @property
    def continues_heading(self) -> bool:
        """The text reads on from the heading ("……补贴力度" + "，特别是……") in either version: shown after its heading,
        as the section page shows it, never from a bare comma."""
        return any(s is not None and s.continues_heading for s in (self.section, self.previous))


def draft_changes(draft: Draft) -> list[SectionChange]:
    """Per section of ``draft``: what changed from the version before it; sections taken out come last."""
    previous_draft = db.session.scalar(
        select(Draft).where(Draft.consultation_id == draft.consultation_id, Draft.version == draft.version - 1)
    )
    return section_changes(draft.sections, previous_draft.sections if previous_draft is not None else [],
                           lambda section: section.previous)


def drafts_compared(old: Draft, new: Draft) -> list[SectionChange]:
    """What changed from ``old`` to ``new``, drafts of two consultations (two rounds, 再次征求意见): their sections
    matched as a revision matches them, without storing the match."""
    old_sections, new_sections = list(old.sections), list(new.sections)
    matches = match_sections([section_key(s) for s in old_sections], [section_key(s) for s in new_sections])
    previous = {new_sections[n].id: old_sections[o] for n, o in matches.items()}
    return section_changes(new_sections, old_sections, lambda section: previous.get(section.id))


def section_changes(sections, previous_sections, previous_of) -> list[SectionChange]:
    """Per section of ``sections``: what changed from its match (``previous_of``) among ``previous_sections``;
    those of ``previous_sections`` matched by none, taken out, come last."""
    changes: list[SectionChange] = []
    kept: set[int] = set()
    for section in sections:
        old = previous_of(section)
        if old is None:
            changes.append(SectionChange(section, None, "new", [("insert", f"{section.label}{section.heading}")],
                                         [("insert", section.text)]))
            continue
        kept.add(old.id)
        same = (old.label, old.heading, old.text) == (section.label, section.heading, section.text)
        changes.append(
            SectionChange(
                section,
                old,
                "unchanged" if same else "changed",
                text_changes(f"{old.label}{old.heading}", f"{section.label}{section.heading}"),
                text_changes(old.text, section.text),
            )
        )
    for old in previous_sections:
        if old.id not in kept:
            changes.append(SectionChange(None, old, "removed", [("delete", f"{old.label}{old.heading}")],
                                         [("delete", old.text)]))
    return changes
