"""The office's annotated copy of the draft (批注版): the current draft as a Word document, as the public downloads
it, with each comment received as a Word comment (批注) on the sentences it quotes, else on the heading of its
section, else (a comment on the whole draft) on the title. Drafting offices review opinions in Word, next to the
text they are about; the comments are the digest's (portal/digests/services.py: digest_rows, without contacts),
so the two always agree.
"""
from __future__ import annotations

from dataclasses import replace

from portal.comments.quotes import draft_words
from portal.consultations.models import Consultation
from portal.digests.rows import WEB_CHANNEL, DigestRow, wording_lines
from portal.digests.services import digest_rows
from portal.drafts.document import Note, document_facts, draft_document, file_stem
from portal.mail.links import external_url

# The most comments one annotated copy holds: Word slows to a crawl long before (and writing 100,000 takes 17 s and
# 1.3 GB: bench/README.md, Digests); a larger list is filtered first, by section say, as the page says.
ANNOTATED_MAX = 5000


def note_of(row: DigestRow, passages: tuple = (), quote_changed: bool = False) -> Note:
    facts = [f"回执号 {row.receipt_number}", row.stance, row.submitted]
    if row.channel and row.channel != WEB_CHANNEL:
        facts.append(f"收到方式：{row.channel}")
    facts.append(f"审核状态：{row.status}")
    lines = ["　".join(facts)]
    if row.quote or row.proposal:
        lines.append(wording_lines(row, "（这段原文在修订稿中已经修改）" if quote_changed else ""))
    lines.append(row.opinion)
    if row.attachments:
        lines.append(f"附件：{row.attachments}")
    if row.outcome:
        lines.append(f"答复（{row.published}）：{row.outcome}。{row.reason}")
    if row.unit_advice:
        lines.append(f"责任单位建议：{row.unit_advice}")
    return Note("\n".join(lines), row.author_name, row.section_id, passages, row.created_at)


def annotated_document(consultation: Consultation, filters=None) -> bytes:
    """``filters``: the responses page's (portal/responses/filters.py), for a copy holding those comments only."""
    draft = consultation.current_draft
    words = draft_words(draft.id)
    notes = []
    for row in digest_rows(consultation, filters=filters):
        section_id = row.section_id if row.section_id in words.spans else None  # a section of the current draft
        found = words.locate(row.quote, section_id) if row.quote else None
        passages = tuple((p.section_id, p.text) for p in words.passages_in(*found)) if found else ()
        notes.append(note_of(replace(row, section_id=section_id), passages,
                             quote_changed=bool(row.quote) and found is None))
    link = external_url("consultations.show", consultation_id=consultation.id)
    return draft_document(document_facts(consultation, draft, link), draft, notes)


def annotated_filename(consultation: Consultation, filtered: bool = False) -> str:
    return f"{file_stem(consultation)}-批注版{'-筛选' if filtered else ''}.docx"
