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

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import select

from portal.drafts.models import DraftTable, Section
from portal.extensions import db

QUOTE_MAX = 500  # characters: a sentence, a paragraph or a short article (条), not a copy of the section
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


# a passage (a sentence, or a heading, or a table cell) ends after one of these; lines end one too
_SENTENCE_END = re.compile(r"(?<=[。；！？!?;\n])")


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence's end (。；！？!?; or a line break): the passages quotations are counted on,
    marked on the pages and anchored to in the office's annotated copy."""
    return [part for part in _SENTENCE_END.split(text) if part]


@dataclass(frozen=True)
class Passage:
    """One sentence of the draft (or a heading, a table cell), as the draft writes it, and where its squeezed
    words lie in the draft's (``DraftWords.words``)."""

    section_id: int
    text: str
    start: int
    end: int


@dataclass
class DraftWords:
    """A draft's words, squeezed, in document order (each section's label, heading, text and tables), cut into
    passages; ``spans``: where each section, its subsections included, lies in them (subsections follow their
    section in document order: a section and its subsections are one stretch)."""

    words: str
    passages: list[Passage]
    spans: dict[int, tuple[int, int]]
    _ends: list[int] = field(init=False, repr=False)

    def __post_init__(self):
        self._ends = [passage.end for passage in self.passages]
        self._starts = [passage.start for passage in self.passages]

    def find(self, quote: str, section_id: int | None = None) -> tuple[int, int] | None:
        """Where the squeezed ``quote`` first lies in the section ``section_id`` (with its subsections; None: the
        whole draft), or None when it does not."""
        words = squeezed(quote)
        start, end = self.spans.get(section_id, (0, 0)) if section_id is not None else (0, len(self.words))
        at = self.words.find(words, start, end) if words else -1
        return None if at < 0 else (at, at + len(words))

    def locate(self, quote: str, section_id: int | None) -> tuple[int, int] | None:
        """``find`` in the section ``section_id`` when this draft holds it, else in the whole draft (a comment's
        section of another version, or none)."""
        return self.find(quote, section_id if section_id in self.spans else None)

    def passages_in(self, start: int, end: int) -> list[Passage]:
        """The passages the stretch [start, end) of the words touches: from the first ending after its start to the
        last starting before its end (the passages follow each other; two searches and a slice of the few wanted)."""
        return self.passages[bisect.bisect_right(self._ends, start):bisect.bisect_left(self._starts, end)]


def _pieces(section, tables: dict[int, list]) -> list[str]:
    parts = [section.label + section.heading, section.text]
    for table in tables.get(section.id, []):
        parts.append(table.title or "")
        parts.extend(str(cell) for cell in table.header or [])
        parts.extend(str(cell) for row in table.rows or [] for cell in row)
    return parts


def draft_words(draft_id: int) -> DraftWords:
    """The draft's words and passages (two queries)."""
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
    words: list[str] = []
    passages: list[Passage] = []
    starts: dict[int, int] = {}
    at = 0
    for row in rows:
        starts[row.id] = at
        for piece in _pieces(row, tables):
            for sentence in sentences(piece):
                squeezed_sentence = squeezed(sentence)
                if squeezed_sentence:
                    words.append(squeezed_sentence)
                    passages.append(Passage(row.id, sentence.strip(), at, at + len(squeezed_sentence)))
                    at += len(squeezed_sentence)
    return DraftWords("".join(words), passages, _spans(rows, starts, at))


def _spans(rows, starts: dict[int, int], total: int) -> dict[int, tuple[int, int]]:
    """Each section's stretch: from its start to the start of the next section in document order that is not
    one of its subsections (the end of the draft when none is)."""
    spans: dict[int, tuple[int, int]] = {}
    open_: list[int] = []  # the sections whose stretch has not ended yet, outermost first
    parent_of = {row.id: row.parent_id for row in rows}
    for row in rows:
        while open_ and not _within(row.id, open_[-1], parent_of):
            ended = open_.pop()
            spans[ended] = (starts[ended], starts[row.id])
        open_.append(row.id)
    for section_id in open_:
        spans[section_id] = (starts[section_id], total)
    return spans


def _within(section_id: int, ancestor: int, parent_of: dict[int, int | None]) -> bool:
    while section_id is not None:
        if section_id == ancestor:
            return True
        section_id = parent_of.get(section_id)
    return False


def holding_section(draft_id: int, quote: str, words: DraftWords | None = None) -> int | None:
    """The innermost section of the draft ``draft_id`` (whose words, when read already: ``words``) that holds
    ``quote`` (None: no section does)."""
    words = words or draft_words(draft_id)
    where = words.find(quote)
    if where is None:
        return None
    holding = [(end - start, section_id) for section_id, (start, end) in words.spans.items()
               if start <= where[0] and where[1] <= end]
    return min(holding)[1] if holding else None


def quote_found(draft_id: int | None, section_id: int | None, quote: str) -> bool:
    """Whether ``quote`` is in the section ``section_id`` (with its subsections, in its own draft) or, when None,
    in the draft ``draft_id`` (the consultation's current one)."""
    if section_id is not None:
        draft_id = db.session.scalar(select(Section.__table__.c.draft_id).where(Section.__table__.c.id == section_id))
    if draft_id is None:
        return False
    return draft_words(draft_id).find(quote, section_id) is not None


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


@dataclass(frozen=True)
class QuotedPassage:
    """A passage of the current draft and the number of comments received that quote it (in part or whole)."""

    passage: Passage
    comments: int


def _quotations(consultation, public: bool) -> list[tuple[int, int | None, list[Passage]]]:
    """Each comment quoting the consultation's current draft, as (id, section id, the passages its words touch):
    of the comments received, or (``public``) of those shown publicly. A comment written on an earlier version
    counts where the current one still holds its words (in the section it moved to); one whose words a revision
    changed counts nowhere."""
    from portal.comments.models import Comment, comment_received

    draft = consultation.current_draft
    if draft is None:
        return []
    comments = Comment.__table__
    shown = comments.c.status == "approved" if public else comment_received(consultation.id)
    rows = db.session.execute(
        select(comments.c.id, comments.c.section_id, comments.c.quote)
        .where(comments.c.consultation_id == consultation.id, shown, comments.c.quote.is_not(None))
    ).all()
    if not rows:
        return []
    words = draft_words(draft.id)
    found = []
    for comment_id, section_id, quote in rows:
        span = words.locate(quote, section_id)
        if span is not None:
            found.append((comment_id, section_id, words.passages_in(*span)))
    return found


def _ranked(quotations) -> list[tuple[Passage, int]]:
    """How many of the ``quotations`` (_quotations) quote each passage (in part or whole; once per comment), most
    quoted first, then in document order."""
    counts: dict[int, int] = {}  # by the passage's start, which is its own (hashing a Passage hashes its words)
    found: dict[int, Passage] = {}
    for _comment_id, _section_id, passages in quotations:
        for passage in passages:
            counts[passage.start] = counts.get(passage.start, 0) + 1
            found[passage.start] = passage
    return [(found[start], count) for start, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def received_quoting(consultation, start: int) -> tuple[str | None, list[int]]:
    """The words of the current draft's passage that starts at ``start`` and the ids of the comments received
    that quote it (the office's list narrowed to one sentence); (None, []) when no comment quotes it. Found once
    a request: the filtered list's count, its page and its heading all ask."""
    from flask import g, has_request_context

    memo = g.setdefault("received_quoting", {}) if has_request_context() else {}
    key = (consultation.id, start)
    if key not in memo:
        memo[key] = _received_quoting(consultation, start)
    return memo[key]


def _received_quoting(consultation, start: int) -> tuple[str | None, list[int]]:
    text, ids = None, []
    for comment_id, _section_id, passages in _quotations(consultation, public=False):
        for passage in passages:
            if passage.start == start:
                text = passage.text
                ids.append(comment_id)
    return text, ids


def sentence_of(consultation, comment_id: int) -> tuple[int, int] | None:
    """The first sentence a received comment quotes (its start) and how many comments received quote it; None
    when it quotes nothing the current draft holds."""
    quotations = _quotations(consultation, public=False)
    first = next((passages[0] for found, _section, passages in quotations if found == comment_id), None)
    if first is None:
        return None
    return first.start, sum(1 for _id, _section, passages in quotations if first in passages)


def most_quoted(consultation, limit: int = 10) -> list[QuotedPassage]:
    """The passages of the consultation's current draft that the most comments received quote, most first (the
    earlier in the draft first among equals)."""
    return [QuotedPassage(passage, count) for passage, count in _ranked(_quotations(consultation, public=False))[:limit]]


@dataclass
class PublicQuotes:
    """What the draft's pages show of public comments' quotations (kept under the comments and content tokens:
    portal/comments/page_cache.py)."""

    # section id → {a sentence of its text, as the draft writes it: public comments quoting it}: the marks
    marks: dict[int, dict[str, int]] = field(default_factory=dict)
    # a thread list's (section id, or None for the whole draft) comments quoting each passage, by the passage's
    # start: the list narrowed to one sentence (?passage=START)
    members: dict[tuple[int | None, int], list[int]] = field(default_factory=dict)
    # each such comment: the first passage it quotes (its start) and how many comments of its list quote it
    links: dict[int, tuple[int, int]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)  # a passage's words, by its start
    # the passages public comments quote, most quoted first (then in document order): (passage, comments)
    ranked: list[tuple[Passage, int]] = field(default_factory=list)


def public_quotes(consultation) -> PublicQuotes:
    quotations = _quotations(consultation, public=True)
    found = PublicQuotes(ranked=_ranked(quotations))
    for passage, count in found.ranked:
        by_text = found.marks.setdefault(passage.section_id, {})
        by_text[passage.text] = by_text.get(passage.text, 0) + count
        found.texts[passage.start] = passage.text
    for comment_id, section_id, passages in quotations:
        for passage in passages:
            found.members.setdefault((section_id, passage.start), []).append(comment_id)
    for comment_id, section_id, passages in quotations:
        first = passages[0].start
        found.links[comment_id] = (first, len(found.members[(section_id, first)]))
    return found


def text_fragment(text: str) -> str:
    """A URL fragment that has the browser scroll to ``text`` on the page and highlight it (a text fragment,
    ``#:~:text=start,end``; a browser that does not know them opens the page at its top)."""
    from urllib.parse import quote

    words = text.strip()
    if len(words) <= 24:
        return "#:~:text=" + quote(words, safe="")
    return "#:~:text=" + quote(words[:12], safe="") + "," + quote(words[-12:], safe="")


def marked_line(line: str, quoted: dict[str, int] | None, label) -> Markup:
    """One paragraph of a section's text, its sentences that public comments quote marked (``quoted``: the
    section's, from public_quotes; ``label(count)``: what the mark says, in the reader's language). The label is
    an attribute, shown by the style sheet after the sentence: not part of the text a reader selects, copies or
    has read aloud."""
    if not quoted:
        return Markup.escape(line)
    parts = []
    for sentence in sentences(line):
        count = quoted.get(sentence.strip()) if sentence.strip() else None
        if count:
            parts.append(Markup('<mark class="quoted-passage" data-label="{}">{}</mark>').format(label(count), sentence))
        else:
            parts.append(Markup.escape(sentence))
    return Markup("").join(parts)


def changed_quotes(consultation, comments) -> set[int]:
    """The ids of those ``comments`` whose quotation the consultation's current draft no longer holds (in the
    section they now belong to, with its subsections): the office revised the words they were about since
    (portal/drafts/revisions.py). A comment written on the current draft quotes what it holds."""
    draft = consultation.current_draft
    earlier = [c for c in comments if c.quote and draft is not None and c.draft_id not in (None, draft.id)]
    if not earlier:
        return set()
    words = draft_words(draft.id)
    return {c.id for c in earlier if words.locate(c.quote, c.section_id) is None}


def proposals_taken(consultation, comments) -> set[int]:
    """The ids of those ``comments`` whose proposed wording (建议修改为, portal/comments/proposals.py) the consultation's
    current draft holds and the draft they were written on did not: a revision took it in (anywhere in the draft,
    white space and full-width forms aside)."""
    draft = consultation.current_draft
    earlier = [c for c in comments if c.proposal and draft is not None and c.draft_id not in (None, draft.id)]
    if not earlier:
        return set()
    words = {draft.id: draft_words(draft.id)}
    taken = set()
    for comment in earlier:
        if words[draft.id].find(comment.proposal) is None:
            continue
        if comment.draft_id not in words:
            words[comment.draft_id] = draft_words(comment.draft_id)
        if words[comment.draft_id].find(comment.proposal) is None:
            taken.add(comment.id)
    return taken


def _latest_revision(consultation) -> tuple:
    """The current draft and the version before it (None when the current one is the first)."""
    draft = consultation.current_draft
    previous = next((d for d in consultation.drafts if draft is not None and d.version == draft.version - 1), None)
    return draft, previous


def _written_before_revision(consultation, field: str) -> tuple:
    """The version before the current one (None when the current one is the first) and the comments received that
    hold a ``field`` ("quote", "proposal") and were written on an earlier version than the current one, oldest
    first (none are read without a previous version)."""
    from portal.comments.models import Comment, comment_received

    draft, previous = _latest_revision(consultation)
    if previous is None:
        return None, []
    return previous, db.session.scalars(
        select(Comment).where(comment_received(consultation.id), getattr(Comment, field).is_not(None),
                              Comment.draft_id != draft.id).order_by(Comment.id)
    ).all()


def taken_by_revision(consultation) -> list:
    """The comments received proposing wording (建议修改为) that the current version holds and the version before it
    did not: the latest revision took it in (an earlier revision's are not counted again; nor a comment written on
    the current version)."""
    previous, proposing = _written_before_revision(consultation, "proposal")
    if previous is None:
        return []
    taken = proposals_taken(consultation, proposing)
    if not taken:
        return []
    before = draft_words(previous.id)
    return [c for c in proposing if c.id in taken and before.find(c.proposal) is None]


def changed_by_revision(consultation) -> list:
    """The comments received whose quoted words the version before the current one held and the current one no
    longer does: the latest revision changed them (an earlier revision's changes are not counted again)."""
    previous, quoting = _written_before_revision(consultation, "quote")
    if previous is None:
        return []
    changed = changed_quotes(consultation, quoting)
    if not changed:
        return []
    before = draft_words(previous.id)
    found = []
    for comment in quoting:
        was_in = comment.section.previous_id if comment.section is not None else None  # its section, then
        if comment.id in changed and before.locate(comment.quote, was_in) is not None:
            found.append(comment)
    return found
