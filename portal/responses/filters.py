"""Narrowing the office's list of comments to answer: by section, by answer, by stance, by form letter, by text, to
the comments units advised on or proposing wording.

An office that received 2,000 comments answers them in rounds: the comments on one article, the ones not yet
answered, the 300 copies of one form letter (同文意见) at once. The filters are plain GET arguments, kept in
every link, form and redirect of the page, so that saving an answer returns to the same list.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, union_all
from sqlalchemy.orm import aliased

from portal.comments.attachments import text_of_files_contains
from portal.comments.models import STANCES, Comment, comment_received
from portal.comments.organisations import ORGANISATION_KINDS
from portal.core.web import query_int
from portal.extensions import db
from portal.responses.models import Response, UnitAdvice

ANSWERS = {
    "unanswered": _l("未答复"),
    "drafted": _l("已起草、未公布"),
    "published": _l("已公布"),
}
MAX_TEXT = 100
COMMENTERS = ("person", "organisation", *ORGANISATION_KINDS)  # the commenter filter's values


@dataclass(frozen=True)
class ResponseFilters:
    section: str = ""  # "" any, "whole" the whole draft, or a section's id
    answer: str = ""  # "" any, or one of ANSWERS
    stance: str = ""
    letter: int | None = None  # a form-letter group: the id of its first comment
    text: str = ""
    advised: bool = False  # only comments a responsible unit has given its advice on (responses/advice.py)
    passage: int | None = None  # only comments quoting the current draft's sentence that starts there (quotes.py)
    proposed: bool = False  # only comments proposing wording (建议修改为, comments/proposals.py)
    agreed: bool = False  # only comments readers agreed with (赞同, comments/agreements.py)
    # "" anyone, "person" people speaking for themselves, "organisation" any organisation (以单位名义), or one kind of
    # organisation (comments/organisations.py: ORGANISATION_KINDS)
    commenter: str = ""
    question: int | None = None  # only comments answering this key question (重点问题), by number
    order: str = ""  # "" each section's comments as they came; "agreed": the most agreed with (赞同) first
    page: int = 1

    @property
    def active(self) -> bool:
        """Whether the list is narrowed at all (its page and order do not narrow it)."""
        return replace(self, page=1, order="") != ResponseFilters()

    def args(self, **changes) -> dict:
        """The query arguments that give this list (for url_for), without the empty ones."""
        values = {"section": self.section, "answer": self.answer, "stance": self.stance, "letter": self.letter,
                  "q": self.text, "advised": 1 if self.advised else None, "passage": self.passage,
                  "proposed": 1 if self.proposed else None, "agreed": 1 if self.agreed else None, "commenter": self.commenter,
                  "question": self.question, "order": self.order, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


def parse_filters(args) -> ResponseFilters:
    """Read the filters from query arguments; anything that makes no sense is ignored, never an error."""
    section = (args.get("section") or "").strip()
    return ResponseFilters(
        section=section if section == "whole" or query_int(section) else "",
        answer=args.get("answer") if args.get("answer") in ANSWERS else "",
        stance=args.get("stance") if args.get("stance") in STANCES else "",
        letter=query_int(args.get("letter")),
        text=(args.get("q") or "").strip()[:MAX_TEXT],
        advised=args.get("advised") == "1",
        passage=_start(args.get("passage")),
        proposed=args.get("proposed") == "1",
        agreed=args.get("agreed") == "1",
        order="agreed" if args.get("order") == "agreed" else "",
        commenter=args.get("commenter") if args.get("commenter") in COMMENTERS else "",
        question=_question(args.get("question")),
        page=query_int(args.get("page")) or 1,
    )


def _question(value: str | None) -> int | None:
    from portal.consultations.questions import question_number

    try:
        return question_number(value)
    except ValueError:
        return None


def _start(value: str | None) -> int | None:
    """Where a sentence starts in the draft's words (0 is the first): a whole number, else None."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def _answered(published: bool | None = None):
    """The comment has a response (a published one, or one only drafted, if ``published`` says). An alias of
    the table, so that the condition holds in the listing, which joins the responses itself."""
    answer = aliased(Response)
    found = select(answer.id).where(answer.comment_id == Comment.id)
    if published is not None:
        found = found.where(answer.published_at.is_not(None) if published else answer.published_at.is_(None))
    return exists(found)


def conditions(consultation_id: int, filters: ResponseFilters) -> list:
    """The conditions on Comment that give the filtered list: always the consultation's comments received."""
    found = [comment_received(consultation_id)]
    if filters.section == "whole":
        found.append(Comment.section_id.is_(None))
    elif filters.section:
        found.append(Comment.section_id == int(filters.section))
    if filters.answer == "unanswered":
        found.append(~_answered())
    elif filters.answer == "drafted":
        found.append(_answered(published=False))
    elif filters.answer == "published":
        found.append(_answered(published=True))
    if filters.stance:  # a reply has no stance of its own (its form sends "suggest"): never under a stance
        found.extend((Comment.stance == filters.stance, Comment.parent_id.is_(None)))
    if filters.letter:
        found.append(or_(Comment.id == filters.letter, Comment.form_letter_id == filters.letter))
    if filters.advised:
        found.append(exists(select(UnitAdvice.id).where(UnitAdvice.comment_id == Comment.id)))
    if filters.proposed:
        found.append(Comment.proposal.is_not(None))
    if filters.agreed:
        found.append(Comment.agreement_count > 0)
    if filters.question is not None:
        found.append(Comment.question == filters.question)
    if filters.commenter == "person":
        found.append(Comment.organisation.is_(None))
    elif filters.commenter == "organisation":
        found.append(Comment.organisation.is_not(None))
    elif filters.commenter:
        found.append(Comment.organisation_kind == filters.commenter)  # set with an organisation only
    if filters.text:
        found.append(or_(
            Comment.body.contains(filters.text, autoescape=True),
            Comment.quote.contains(filters.text, autoescape=True),  # the words of the draft it quotes
            Comment.proposal.contains(filters.text, autoescape=True),  # and the wording it proposes
            Comment.author_name.contains(filters.text, autoescape=True),
            Comment.organisation.contains(filters.text, autoescape=True),
            Comment.receipt_number == filters.text.upper(),
            text_of_files_contains(filters.text),
        ))
    if filters.passage is not None:  # the comments quoting one sentence of the draft
        from portal.comments.quotes import received_quoting
        from portal.consultations.models import Consultation

        _text, ids = received_quoting(db.session.get(Consultation, consultation_id), filters.passage)
        found.append(Comment.id.in_(ids) if ids else Comment.id.is_(None))
    return found


@dataclass(frozen=True)
class SectionChoice:
    value: str  # what the filter's select sends
    title: str
    count: int  # comments received on it
    unanswered: int = 0  # of those, the ones without a response yet


@dataclass(frozen=True)
class ListCounts:
    """What the answering page counts of the whole consultation (every comment received), from two or three grouped
    queries (list_counts): the total, each section's comments and those of them without a response (the section
    filter's choices), the responses drafted and published (and those adopting proposed wording), each key question's
    comments. Ten counts over 20,000 comments had been ten passes over them each request (bench/answering_list.py)."""

    total: int = 0
    sections: dict = field(default_factory=dict)  # section id (None: the whole draft) -> (comments, unanswered)
    published_by_section: dict = field(default_factory=dict)  # section id -> comments whose answer is published
    questions: dict = field(default_factory=dict)  # key question's number -> comments naming it
    drafted: int = 0  # comments with a response, published or not
    published: int = 0
    adopted_wording: int = 0  # answered 采纳 or 部分采纳 and proposing wording (digests/annotated.py)

    @property
    def responses(self) -> dict[str, int]:
        """As responses.services.response_counts gives them."""
        return {"drafted": self.drafted, "published": self.published, "unpublished": self.drafted - self.published,
                "adopted_wording": self.adopted_wording}

    def question_counts(self, consultation) -> dict[int, int]:
        """As reports.services.question_counts gives them: the questions asked only, each (0 when none)."""
        return {number: self.questions.get(number, 0) for number in range(1, len(consultation.questions or []) + 1)}


def list_counts(consultation, questions: bool = True) -> ListCounts:
    """The whole consultation's counts of the answering page (ListCounts): the comments received by section (read
    from an index alone, ix_comments_section_counts), the responses to them by their section (from the responses'
    side: a third of the comments, or fewer) and, when the consultation asks key questions and ``questions``, the
    comments naming each (ix_comments_questions). Narrow queries: one grouping them all read every comment's row."""
    by_section = dict(db.session.execute(
        select(Comment.section_id, func.count()).where(comment_received(consultation.id)).group_by(Comment.section_id)
    ).all())
    adopts = Response.outcome.in_(("adopted", "partly_adopted")) & Comment.proposal.is_not(None)
    answered = {
        section_id: (count, published, adopting)
        for section_id, count, published, adopting in db.session.execute(
            select(Comment.section_id, func.count(), func.count(Response.published_at), func.count().filter(adopts))
            .select_from(Response)
            .join(Comment, Comment.id == Response.comment_id)  # one response a comment at most (unique)
            .where(Response.consultation_id == consultation.id, comment_received(consultation.id))
            .group_by(Comment.section_id))
    }
    sections = {section_id: (count, count - answered.get(section_id, (0,))[0])
                for section_id, count in by_section.items()}
    counts = ListCounts(
        total=sum(by_section.values()), sections=sections,
        published_by_section={section_id: published for section_id, (_count, published, _adopting) in answered.items()},
        drafted=sum(count for count, _published, _adopting in answered.values()),
        published=sum(published for _count, published, _adopting in answered.values()),
        adopted_wording=sum(adopting for _count, _published, adopting in answered.values()))
    if questions and consultation.questions:
        counts.questions.update(db.session.execute(
            select(Comment.question, func.count())
            .where(comment_received(consultation.id), Comment.question.is_not(None)).group_by(Comment.question)
        ).all())
    return counts


def section_choices(consultation, counts: ListCounts | None = None) -> list[SectionChoice]:
    """The sections that received comments, in the draft's order (a section of an earlier version of the draft
    too), each with its count, then the whole draft: what the section filter offers (``counts``: the page's
    ListCounts, else counted here)."""
    from portal.drafts.models import Section

    by_section = (counts or list_counts(consultation, questions=False)).sections
    counts_ = {section_id: count for section_id, (count, _left) in by_section.items()}
    left = {section_id: unanswered for section_id, (_count, unanswered) in by_section.items()}
    sections = db.session.scalars(
        select(Section).where(Section.id.in_([k for k in counts_ if k is not None]))
    ).all()
    sections.sort(key=lambda s: (s.position, s.draft.version))  # the list's own order
    current = consultation.current_draft.id if consultation.current_draft else None
    choices = [
        SectionChoice(str(s.id), s.title if s.draft_id == current else _("%(title)s（第 %(version)d 稿）",
                                                                          title=s.title, version=s.draft.version),
                      counts_[s.id], left[s.id])
        for s in sections
    ]
    if None in counts_:
        choices.append(SectionChoice("whole", _("对草案整体的意见"), counts_[None], left[None]))
    return choices


def letter_sizes(consultation_id: int, comments, section_ids=None) -> dict[int, int]:
    """For the comments shown that belong to a form-letter group (同文意见) of more than one comment received:
    the group's key (its first comment's id) -> how many comments it holds (on ``section_ids`` only, when given: a
    responsible unit's sections)."""
    keys = {c.form_letter_id or c.id for c in comments}
    if not keys:
        return {}
    # a form letter's copies are of its consultation (moderation/grouping.py): the consultation is not asked, so that
    # the databases look the comments up by their ids and the index of form_letter_id, not read the consultation's
    where = [comment_received()]
    if section_ids is not None:
        where.append(Comment.section_id.in_(section_ids))
    # the group's first comments (by their ids) and its copies (by the index of form_letter_id), apart: one
    # condition ORing both had the databases read every comment of the consultation
    firsts = select(Comment.id.label("key")).where(*where, Comment.form_letter_id.is_(None), Comment.id.in_(keys))
    copies = select(Comment.form_letter_id.label("key")).where(
        *where, Comment.form_letter_id.is_not(None), Comment.form_letter_id.in_(keys))
    members = union_all(firsts, copies).subquery()
    rows = db.session.execute(
        select(members.c.key, func.count()).group_by(members.c.key).having(func.count() > 1)
    ).all()
    return dict(rows)
