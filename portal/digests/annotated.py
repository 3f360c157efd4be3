"""The office's annotated copy of the draft (批注版): the current draft as a Word document, as the public downloads
it, with each comment received as a Word comment (批注) on the sentences it quotes, else on the heading of its
section, else (a comment on the whole draft) on the title. Drafting offices review opinions in Word, next to the
text they are about; the comments are the digest's (portal/digests/services.py: digest_rows, without contacts),
so the two always agree.

And the draft revised by the wording the office adopted (采纳建议修订稿): each comment it answered 采纳 or 部分采纳
that proposes wording (建议修改为, portal/comments/proposals.py) written into the draft as Word's tracked changes
(修订), with its comment beside it. The office accepts or rejects each in Word, edits on, and uploads the result as
the revised draft (portal/drafts/readers.py reads a tracked change as accepted).
"""
from __future__ import annotations

from dataclasses import replace

from portal.comments.quotes import draft_words
from portal.consultations.models import Consultation
from portal.digests.rows import WEB_CHANNEL, DigestRow, wording_lines
from portal.digests.services import OUTCOMES, digest_rows
from portal.drafts.document import Change, Note, document_facts, draft_document, file_stem
from portal.mail.links import external_url

# The most comments one annotated copy holds: Word slows to a crawl long before (and writing 100,000 takes 17 s and
# 1.3 GB: bench/README.md, Digests); a larger list is filtered first, by section say, as the page says.
ANNOTATED_MAX = 5000


class TooManyToAnnotate(ValueError):
    def __init__(self, count: int):
        super().__init__(f"{count} comments: an annotated draft holds at most {ANNOTATED_MAX}")
        self.count = count
        self.most = ANNOTATED_MAX


def comments_to_annotate(consultation: Consultation, filters) -> int:
    """How many comments an annotated copy of those ``filters`` give (a ResponseFilters) would hold: the office's
    download and the export worker's; TooManyToAnnotate above ANNOTATED_MAX."""
    from portal.responses.services import filtered_count

    count = filtered_count(consultation, filters)
    if count > ANNOTATED_MAX:
        raise TooManyToAnnotate(count)
    return count


def note_of(row: DigestRow, passages: tuple = (), quote_changed: bool = False) -> Note:
    facts = [f"回执号 {row.receipt_number}", row.stance, row.submitted]
    if row.channel and row.channel != WEB_CHANNEL:
        facts.append(f"收到方式：{row.channel}")
    facts.append(f"审核状态：{row.status}")
    lines = ["　".join(facts)]
    if row.quote or row.proposal:
        lines.append(wording_lines(row, "（这段原文在修订稿中已经修改）" if quote_changed else ""))
    lines.append(row.opinion)
    if row.agreements:  # readers who agreed with it on the portal (赞同)
        lines.append(f"网友赞同：{row.agreements}人")
    if row.attachments:
        lines.append(f"附件：{row.attachments}")
    if row.outcome:
        lines.append(f"答复（{row.published}）：{row.outcome}。{row.reason}")
    if row.unit_advice:
        lines.append(f"责任单位建议：{row.unit_advice}")
    return Note("\n".join(lines), row.signature, row.section_id, passages, row.created_at)


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


def annotated_filename(consultation: Consultation, filtered: bool = False, ascii: bool = False) -> str:
    if ascii:
        return f"consultation-{consultation.id}-annotated-draft{'-filtered' if filtered else ''}.docx"
    return f"{file_stem(consultation)}-批注版{'-筛选' if filtered else ''}.docx"


ADOPTED = (OUTCOMES["adopted"], OUTCOMES["partly_adopted"])


def adopted_wording_document(consultation: Consultation) -> bytes:
    """The current draft with the wording proposed by the comments answered 采纳 or 部分采纳 as tracked changes, each
    with its comment (its Word comment alone when its words cannot be placed: a proposal quoting nothing, or words
    the current draft no longer holds)."""
    draft = consultation.current_draft
    words = draft_words(draft.id)
    notes, changes = [], []
    for row in digest_rows(consultation):
        if not row.proposal or row.outcome not in ADOPTED:
            continue
        section_id = row.section_id if row.section_id in words.spans else None
        found = words.locate(row.quote, section_id) if row.quote else None
        passages = tuple((p.section_id, p.text) for p in words.passages_in(*found)) if found else ()
        note = note_of(replace(row, section_id=section_id), passages, quote_changed=bool(row.quote) and found is None)
        if found:
            changes.append(Change(row.quote, row.proposal, passages, f"{row.signature}（{row.receipt_number}）",
                                  row.created_at, note))
        else:
            notes.append(note)
    link = external_url("consultations.show", consultation_id=consultation.id)
    return draft_document(document_facts(consultation, draft, link), draft, notes, changes)


def adopted_wording_filename(consultation: Consultation, ascii: bool = False) -> str:
    if ascii:
        return f"consultation-{consultation.id}-adopted-wording.docx"
    return f"{file_stem(consultation)}-采纳建议修订稿.docx"
