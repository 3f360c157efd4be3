"""A version of a draft as a Word document to download (征求意见稿.docx): what the public page shows, laid out
as a government document, for readers who annotate it, print it or send their opinion by e-mail or letter.

Built from the parsed sections (not the uploaded file, which the portal does not keep, nor its source text,
which may hold page numbers and other debris the import left out). Pure: no app context.
"""
from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from portal.core.official_docx import (
    HEADING_FONT, TITLE_FONT, body_paragraph, centred_note, document_bytes, heading_paragraph,
    new_paragraph, official_document, repeat_as_header, set_font, title_paragraph,
)
from portal.core.time import chinese_date
from portal.drafts.docx_numbering import chinese_number
from portal.core.xmltext import xml_text

NOT_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class DocumentFacts:
    """What the document says of itself under its title, in Chinese (the draft is Chinese)."""

    title: str
    version: int
    period: str  # "征求意见时间：2023年4月20日至2023年5月12日"
    link: str  # the consultation's page, where to read it and comment
    qr: bytes | None = None  # a PNG of the QR code of ``link``, printed under it
    # the reader's aids after the draft (附：阅读说明): the sections' key points (要点解读) and the terms explained
    # (术语解释, as (term, explanation)); only in the copy readers download, never in one the office edits or files
    reading_aids: bool = False
    terms: tuple[tuple[str, str], ...] = ()


def document_facts(consultation, draft, link: str, reading_aids: bool = False) -> DocumentFacts:
    """``reading_aids``: the copy readers download, with the office's key points and terms after the draft."""
    from portal.core.qr import qr_png

    return DocumentFacts(
        title=consultation.title, version=draft.version, link=link, qr=qr_png(link),
        period=f"征求意见时间：{chinese_date(consultation.opens_at)}至{chinese_date(consultation.deadline)}",
        reading_aids=reading_aids,
        terms=tuple((item["term"], item["explanation"]) for item in consultation.terms or ()) if reading_aids else (),
    )


def file_stem(consultation) -> str:
    """A file name for what the portal gives of a consultation: its title without what file systems refuse."""
    return NOT_IN_FILENAMES.sub("", consultation.title).strip()[:80] or f"consultation-{consultation.id}"


def document_filename(consultation, draft) -> str:
    """The consultation's title; the version when it is a revision."""
    return file_stem(consultation) + (f"（第{draft.version}版）" if draft.version > 1 else "") + ".docx"


@dataclass(frozen=True)
class Note:
    """A Word comment (批注) to put on the draft: the office's annotated copy holds one for each comment received
    (portal/digests/annotated.py). Anchored on the sentences ``passages`` names ((section id, sentence) pairs, as
    portal/comments/quotes.py cuts the draft), else on the heading of the section ``section_id``, else (None: a
    comment on the whole draft) on the title."""

    text: str
    author: str
    section_id: int | None = None
    passages: tuple[tuple[int, str], ...] = ()
    when: datetime | None = None  # when the comment was made: the Word comment's date


@dataclass(frozen=True)
class Change:
    """A wording to write into the draft as a tracked change (修订): ``proposal`` instead of ``quote``, which lies in
    the sentences ``passages`` names (as Note's), by ``author`` at ``when``; ``note``: the Word comment put on it (who
    proposed it, their opinion, the office's answer)."""

    quote: str
    proposal: str
    passages: tuple[tuple[int, str], ...]
    author: str
    when: datetime | None
    note: Note


NOT_PLACED = "（未能在原文中自动标出这处修改，请对照修改。）"


class _Anchors:
    """The runs written for each heading and each sentence, to anchor notes on."""

    def __init__(self):
        self.title = None
        self.headings: dict[int, object] = {}
        self.sentences: dict[tuple[int, str], object] = {}

    def runs_for(self, note: Note) -> list:
        runs = [self.sentences[key] for key in note.passages if key in self.sentences]
        if not runs and note.section_id is not None:
            runs = [self.headings[note.section_id]] if note.section_id in self.headings else []
        return runs or [self.title]


def draft_document(facts: DocumentFacts, draft, notes: list[Note] = (), changes: list[Change] = ()) -> bytes:
    """``draft``: a Draft with its sections and tables loaded (portal/drafts/models.py). ``notes``: Word comments
    to put on it (the office's annotated copy). ``changes``: wordings to write in as tracked changes, each with its
    note; one that cannot be placed (its words across paragraphs, not found as written, or overlapping an earlier
    change) is its note alone, saying so."""
    document = official_document()
    anchors = _Anchors()
    title_paragraph(document, facts.title)
    anchors.title = document.paragraphs[-1].runs[0]
    for line in (f"（第{facts.version}版）" if facts.version > 1 else "", facts.period,
                 f"在线阅读和发表意见：{facts.link}"):
        if line:
            centred_note(document, line)
    if facts.qr:  # a printed copy leads back to the page by phone
        code = new_paragraph(document)
        code.alignment = WD_ALIGN_PARAGRAPH.CENTER
        code.add_run().add_picture(io.BytesIO(facts.qr), width=Mm(25))
    for line in _lines(draft.preamble):
        body_paragraph(document, line)
    in_appendix = False
    for section in draft.sections:  # in document order, subsections after their parent
        if section.kind == "appendix" and not in_appendix:
            new_paragraph(document).add_run().add_break(WD_BREAK.PAGE)
            in_appendix = True
        _section(document, section, anchors)
        for table in section.tables:
            _table(document, table, anchors)
    for table in draft.tables:
        if table.section_id is None:
            _table(document, table, anchors)
    if facts.reading_aids:
        _reading_aids(document, draft, facts.terms)
    placed, left = _place(changes, anchors)
    _add_notes(document, [*notes, *(change.note for change, *_where in placed),
                          *(replace(change.note, text=f"{change.note.text}\n{NOT_PLACED}") for change in left)], anchors)
    number = len(notes) + len(changes)  # a revision's id: after the comments' (0, 1, …)
    for change, runs, start, end in placed:
        number = _track(change, runs, start, end, number)
    return document_bytes(document)


def _reading_aids(document, draft, terms) -> None:
    """After the draft, on a page of its own, what the office wrote to help readers: each section's key points
    (要点解读) and the terms explained (术语解释), said not to be the draft's text."""
    points = [(section, _lines(section.key_points)) for section in draft.sections if section.key_points]
    if not points and not terms:
        return
    new_paragraph(document).add_run().add_break(WD_BREAK.PAGE)
    title = new_paragraph(document)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(title.add_run("附：阅读说明").font, TITLE_FONT, 18)
    centred_note(document, "以下是起草单位为方便阅读写的说明，不是征求意见稿的正文。")
    parts = [("要点解读", points), ("术语解释", terms)]
    for number, (heading, items) in enumerate([part for part in parts if part[1]], start=1):
        heading_paragraph(document, f"{chinese_number(number)}、{heading}", 1)
        for item in items:
            if heading == "要点解读":
                section, lines = item
                for index, line in enumerate(lines):
                    body_paragraph(document, line, f"{xml_text(section.title)}：" if index == 0 else "")
            else:
                term, explanation = item
                body_paragraph(document, xml_text(explanation), f"{xml_text(term)}：")


def _place(changes, anchors: _Anchors) -> tuple[list[tuple[Change, list, int, int]], list[Change]]:
    """Where each change goes: the runs of its sentences (next to each other in one paragraph, none taken by an
    earlier change) and where its quotation lies in their text (white space aside); and the changes that go nowhere."""
    placed, left, taken = [], [], set()
    for change in changes:
        runs = [anchors.sentences.get(key) for key in change.passages]
        found = None
        if runs and None not in runs and not taken & {id(run._r) for run in runs}:
            parent = runs[0]._r.getparent()
            at = [parent.index(run._r) if run._r.getparent() is parent else -1 for run in runs]
            if at == list(range(at[0], at[0] + len(runs))):
                words = [re.escape(character) for character in change.quote if not character.isspace()]
                found = re.search(r"\s*".join(words), "".join(run.text for run in runs)) if words else None
        if found is None:
            left.append(change)
            continue
        taken |= {id(run._r) for run in runs}
        placed.append((change, runs, found.start(), found.end()))
    return placed, left


def _track(change: Change, runs: list, start: int, end: int, number: int) -> int:
    """Write ``change`` over ``runs`` as Word's tracked changes: the words it keeps as they were, the words it drops
    deleted (w:del), the words it adds inserted (w:ins), each in the runs' own font; ``number``: the first revision id
    to use. Returns the next one."""
    from portal.comments.proposals import wording_edits

    old = "".join(run.text for run in runs)
    edits, _ratio = wording_edits(old, old[:start] + xml_text(change.proposal).replace("\n", "") + old[end:])
    properties = runs[0]._r.rPr
    when = f' w:date="{change.when.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"' if change.when else ""
    author = quoteattr(xml_text(change.author)[:50])
    first = runs[0]._r
    for kept, dropped, added in edits:
        pieces = []
        if kept:
            pieces.append(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{escape(kept)}</w:t></w:r>')
        if dropped:
            pieces.append(f'<w:del {nsdecls("w")} w:id="{number}" w:author={author}{when}><w:r>'
                          f'<w:delText xml:space="preserve">{escape(dropped)}</w:delText></w:r></w:del>')
            number += 1
        if added:
            pieces.append(f'<w:ins {nsdecls("w")} w:id="{number}" w:author={author}{when}><w:r>'
                          f'<w:t xml:space="preserve">{escape(added)}</w:t></w:r></w:ins>')
            number += 1
        for piece in pieces:
            element = parse_xml(piece)
            run = element if element.tag.endswith("}r") else element[0]
            if properties is not None:
                run.insert(0, copy.deepcopy(properties))
            first.addprevious(element)
    for run in runs:
        run._r.getparent().remove(run._r)
    return number


def _add_notes(document, notes, anchors: _Anchors) -> None:
    """Each note as a Word comment on its anchor. python-docx's ``add_comment`` looks through every comment already
    there for an unused id (10,000 notes took three minutes): the comments are written here with ids in sequence,
    as python-docx writes them, and their ranges marked with its own run method."""
    if not notes:
        return
    holder = getattr(document.comments, "_comments_elm", None)  # the comments part's <w:comments>, made if missing
    for number, note in enumerate(notes):
        runs = anchors.runs_for(note)
        author = xml_text(note.author)[:50]
        if holder is None:  # a python-docx whose insides differ: its own (slower) way
            document.add_comment([runs[0], runs[-1]], text=xml_text(note.text), author=author, initials=author[:1])
            continue
        holder.append(parse_xml(_comment_xml(number, note, author)))
        runs[0].mark_comment_range(runs[-1], number)


def _comment_xml(number: int, note: Note, author: str) -> str:
    when = f' w:date="{note.when.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"' if note.when else ""
    paragraphs = []
    for index, line in enumerate(xml_text(note.text).split("\n")):
        reference = ('<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>'
                     if index == 0 else "")
        paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>{reference}'
                          f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>')
    return (f'<w:comment {nsdecls("w")} w:id="{number}" w:author={quoteattr(author)} '
            f'w:initials={quoteattr(author[:1])}{when}>{"".join(paragraphs)}</w:comment>')


def _lines(text: str | None) -> list[str]:
    return [line for line in xml_text(text).split("\n") if line.strip()]


def _section(document, section, anchors: _Anchors) -> None:
    lines = _lines(section.text)
    label, heading = xml_text(section.label), xml_text(section.heading)
    if section.run_in:  # "一是加强……。" / "第三条 ……": the heading runs into the first paragraph
        paragraph = _sentences(document, lines[0] if lines else "", section.id, anchors, label + heading)
        anchors.headings[section.id] = paragraph.runs[0]
        lines = lines[1:]
    elif section.kind == "appendix":
        paragraph = new_paragraph(document)
        anchors.headings[section.id] = paragraph.add_run(label)
        set_font(anchors.headings[section.id].font, HEADING_FONT, 16)
        if heading:
            title = new_paragraph(document)
            title.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_font(title.add_run(heading).font, TITLE_FONT, 18)
    else:
        anchors.headings[section.id] = heading_paragraph(document, label + heading, section.level).runs[0]
    anchors.sentences.setdefault((section.id, (section.label + section.heading).strip()), anchors.headings[section.id])
    for line in lines:
        _sentences(document, line, section.id, anchors)
    if section.unit_names:
        body_paragraph(document, units_line(section))


def units_line(section) -> str:
    """The section's units as its Word copy writes them under its text: "（责任单位：甲、乙）", or, when the draft marks
    some as leading, as the section page lists them: "（牵头单位：甲；配合单位：乙、丙）"."""
    def names(units) -> str:
        return "、".join(xml_text(name) for name in units)

    leads = section.lead_units
    if not leads:
        return f"（责任单位：{names(section.unit_names)}）"
    others = section.other_units
    return f"（牵头单位：{names(leads)}" + (f"；配合单位：{names(others)}" if others else "") + "）"


def _sentences(document, text: str, section_id: int, anchors: _Anchors, label: str = ""):
    """A body paragraph, each sentence a run of its own, each run kept to anchor notes on."""
    from portal.comments.quotes import sentences

    paragraph = body_paragraph(document, text, label, pieces=sentences)
    for run in paragraph.runs[1 if label else 0:]:
        anchors.sentences.setdefault((section_id, run.text.strip()), run)
    return paragraph


def _table(document, table, anchors: _Anchors | None = None) -> None:
    if table.title:
        caption = new_paragraph(document)
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(caption.add_run(xml_text(table.title)).font, HEADING_FONT, 14)
    rows = ([table.header] if table.header else []) + list(table.rows)
    width = max((len(row) for row in rows), default=0)
    if not width:
        return
    grid = document.add_table(rows=0, cols=width)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for number, row in enumerate(rows):
        cells = grid.add_row().cells
        if number == 0 and table.header:
            repeat_as_header(grid.rows[0])
        for cell, value in zip(cells, row):
            run = cell.paragraphs[0].add_run(xml_text(str(value) if value is not None else ""))
            if anchors is not None and table.section_id is not None and run.text.strip():
                anchors.sentences.setdefault((table.section_id, run.text.strip()), run)
            run.font.size = Pt(12)
            run.bold = number == 0 and bool(table.header)
