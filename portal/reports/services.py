"""What the feedback report and the statistics page show. Reads only."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select

from portal.comments.models import CHANNELS, Comment, STANCES, comment_received
from portal.comments.organisations import ORGANISATION_KINDS, organisation_key
from portal.consultations.questions import asked_question
from portal.consultations.models import Consultation
from portal.core.time import SHANGHAI, now
from portal.core.tokens import LRU
from portal.drafts.models import Section
from portal.extensions import db
from portal.responses.models import Response
from portal.responses.services import respondable_comments


@dataclass
class FeedbackEntry:
    number: int
    text: str | None  # the opinion, or the office's paraphrase; None: not public
    author_name: str | None
    stance: str
    response: Response | None  # published responses only
    quote: str | None = None  # the words of the draft it is about (引用原文), when the comments are public
    copies: int = 0  # further copies of the same form letter on the same section with the same answer, folded in
    proposal: str | None = None  # the wording it proposes (建议修改为), when the comments are public
    organisation: str | None = None  # on whose behalf (以单位名义), with its kind, when the comments are public
    organisation_kind: str | None = None
    question: int | None = None  # the key question (重点问题) it answers, by number
    agreements: int = 0  # readers who agreed with it (赞同), when the comments are public
    reply: bool = False  # a reply (回复) in a thread: it has no stance of its own, and is said to be a reply


@dataclass
class FeedbackGroup:
    heading: str
    entries: list[FeedbackEntry] = field(default_factory=list)


def _feedback_query(consultation: Consultation, drafts: bool):
    answered = Response.comment_id == Comment.id
    query = respondable_comments(consultation).add_columns(Response).outerjoin(
        Response, answered if drafts else answered & Response.published_at.is_not(None)
    )
    if consultation.comments_public:  # the approved ones; and those still waiting for moderation once answered (a
        # letter the office typed in, say), shown as a private consultation's are: by the paraphrase, or as not public
        return query.where(or_(Comment.status == "approved",
                               and_(Comment.status == "pending", Response.id.is_not(None))))
    return query.where(Response.id.is_not(None))


def grouping_state(consultation_id: int):
    """The form-letter grouping's count of its groupings of the consultation's comments (grouping_version, which
    renews no token): every grouping that put one of its comments in a group counted it up by one, in its own
    transaction, whatever its host's clock said (a grouping behind the newest by more than a minute, once missed).
    A scalar subquery (the consultation's one row, by its key)."""
    return select(Consultation.grouping_version).where(Consultation.id == consultation_id).scalar_subquery()


def report_state(consultation_id: int) -> tuple:
    """What the feedback report depends on beside the consultation's tokens, in one statement: the grouping's count
    (grouping_state), and how many answers the consultation has and when one was last changed or published (any
    change to them changes these)."""
    return tuple(db.session.execute(
        select(grouping_state(consultation_id), func.count(Response.id), func.max(Response.updated_at),
               func.max(Response.published_at))
        .where(Response.consultation_id == consultation_id)).one())


# The report's plan (which comment each entry shows, and how many copies it folds), kept in each worker's memory under
# what it is made of: the consultation's comments token and the state of its answers.
PLANS = LRU(32, 16 * 1024 * 1024)


def feedback_plan(consultation: Consultation, drafts: bool = False) -> list[tuple[int, int]]:
    """The entries of the feedback report in order: (the comment shown, how many copies are folded into it). Copies of
    one form letter (同文意见) on the same section given the same answer are one entry, shown by the first of them,
    with their number: a contested draft's report is not thousands of times the same letter and the same answer."""
    key = (consultation.id, consultation.comments_token, drafts, consultation.comments_public,
           *report_state(consultation.id))
    plan = PLANS.get(key)
    if plan is not None:
        return plan
    rows = db.session.execute(_feedback_query(consultation, drafts).with_only_columns(
        Comment.id, Comment.section_id, Comment.form_letter_id, Response.outcome, Response.reason, Response.paraphrase))
    entries: list[list[int]] = []
    shown: dict[tuple, int] = {}  # (letter, section, answer) → its entry (not ``key``: the plan is kept under that)
    for comment_id, section_id, letter, outcome, reason, paraphrase in rows:
        # a letter's first comment is its group's key; each answer given to its copies is an entry of its own
        # (five copies answered 不采纳 after a first one answered 情况说明 are one entry, not five)
        entry = (letter or comment_id, section_id, outcome, reason, paraphrase)
        if entry in shown:
            entries[shown[entry]][1] += 1
            continue
        shown[entry] = len(entries)
        entries.append([comment_id, 0])
    plan = [(comment_id, copies) for comment_id, copies in entries]
    PLANS.put(key, plan, 64 * len(plan) + 200)
    return plan


def feedback_groups(consultation: Consultation, whole_draft_heading: str, drafts: bool = False, offset: int = 0,
                    limit: int | None = None, plan: list[tuple[int, int]] | None = None) -> list[FeedbackGroup]:
    """Section by section, the opinions the public may read and the office's published responses (``drafts``:
    its drafted ones too, for the office's preview of the report), a form letter's copies folded (feedback_plan);
    ``offset`` and ``limit``: one page of the entries (each keeps its number in the whole report); ``plan``: the
    ``feedback_plan`` the caller read already (for the number of entries, say: its key is two statements).

    Public comments: the approved ones, with their text. Private comments: those the office has answered
    publicly, shown by the paraphrase the office entered (or as not public when it entered none).
    """
    plan = feedback_plan(consultation, drafts) if plan is None else plan
    chosen = plan[offset:offset + limit if limit is not None else None]
    copies = dict(chosen)
    answered = Response.comment_id == Comment.id
    loaded: dict[int, tuple] = {}
    for start in range(0, len(chosen), 1000):  # bound the statement's parameters
        ids = [comment_id for comment_id, _copies in chosen[start:start + 1000]]
        query = select(Comment, Response).outerjoin(
            Response, answered if drafts else answered & Response.published_at.is_not(None)).where(Comment.id.in_(ids))
        loaded.update({comment.id: (comment, response) for comment, response in db.session.execute(query)})
    groups: list[FeedbackGroup] = []
    current_key = object()
    for number, (comment_id, _copies) in enumerate(chosen, start=offset + 1):
        comment, response = loaded[comment_id]
        if comment.section_id != current_key:
            current_key = comment.section_id
            groups.append(FeedbackGroup(comment.section.title if comment.section else whole_draft_heading))
        if consultation.comments_public and comment.status == "approved":
            text, author, quote, proposal = comment.body, comment.author_name, comment.quote, comment.proposal
            organisation = comment.organisation, comment.organisation_kind
        else:
            text, author, quote, proposal = (response.paraphrase if response else None), None, None, None
            organisation = None, None
        asked = comment.question if asked_question(consultation.questions, comment.question) else None
        groups[-1].entries.append(FeedbackEntry(number, text, author, comment.stance, response, quote,
                                                copies[comment_id], proposal, *organisation, asked,
                                                comment.agreement_count if consultation.comments_public else 0,
                                                comment.parent_id is not None))
    return groups


def comments_per_top_section(consultation: Consultation) -> list[tuple[Section | None, int]]:
    """Comments received on each top-level section (its subsections included), then on the whole draft."""
    draft = consultation.current_draft
    sections = draft.sections if draft else []
    top_of: dict[int, Section] = {}
    for section in sections:  # in document order: a parent comes before its children
        top_of[section.id] = top_of[section.parent_id] if section.parent_id in top_of else section
    top_of.update(_earlier_parts(consultation, draft, top_of))
    counts: Counter = Counter()
    whole = 0
    rows = db.session.execute(
        select(Comment.section_id, func.count()).where(comment_received(consultation.id)).group_by(Comment.section_id)
    )
    for section_id, count in rows:
        if section_id in top_of:
            counts[top_of[section_id].id] += count
        else:  # the whole draft, or a section of an earlier revision
            whole += count
    result: list[tuple[Section | None, int]] = [(s, counts[s.id]) for s in sections if s.parent_id is None]
    result.append((None, whole))
    return result


def _earlier_parts(consultation: Consultation, draft, top_of: dict[int, Section]) -> dict[int, Section]:
    """The sections of earlier revisions, each under the current part of the same top-level anchor (as the closing
    summary counts parts: a comment sent from a page opened before a revision is on that part still); a part the
    revision dropped stays out (counted with the whole draft)."""
    if draft is None:
        return {}
    from portal.drafts.services import top_anchors

    current = {section.anchor: section for section in top_of.values()}
    return {section_id: current[anchor] for section_id, anchor in top_anchors(consultation.id, draft.id).items()
            if anchor in current}


def commenter_counts(consultation: Consultation) -> dict[str, int]:
    """Comments received from people speaking for themselves (``person``) and on behalf of each kind of organisation
    (以单位名义, portal/comments/organisations.py: ORGANISATION_KINDS), in that order, none left out."""
    rows = dict(db.session.execute(
        select(Comment.organisation_kind, func.count()).where(comment_received(consultation.id))
        .group_by(Comment.organisation_kind)
    ).all())
    return {"person": rows.get(None, 0), **{kind: rows.get(kind, 0) for kind in ORGANISATION_KINDS}}


def question_counts(consultation: Consultation) -> dict[int, int]:
    """Comments received answering each of the office's key questions (重点问题), by number: those asked only
    (a question with none: 0)."""
    rows = dict(db.session.execute(
        select(Comment.question, func.count()).where(comment_received(consultation.id), Comment.question.is_not(None))
        .group_by(Comment.question)
    ).all())
    return {number: rows.get(number, 0) for number in range(1, len(consultation.questions or []) + 1)}


def organisation_count(consultation: Consultation) -> int:
    """The distinct organisations on whose behalf comments were received, as the closing summary counts them."""
    names = db.session.scalars(select(Comment.organisation).distinct()
                               .where(comment_received(consultation.id), Comment.organisation.is_not(None)))
    return len({organisation_key(name) for name in names})


@dataclass(frozen=True)
class ReceivedBreakdown:
    """The comments received by stance, the replies (回复), the comments proposing wording (建议修改为), those of people
    and of each kind of organisation (``commenter_counts``), each way received (CHANNELS, the ways used only) and the
    agreements of the public comments, from one pass over the consultation's comments (five passes had each read
    every comment's row: 20-45 ms each at 20,000 comments on SQLite). A reply has no stance of its own (the reply
    form sends "suggest"; "同意楼上的意见" is no suggestion): the stances count the opinions that are not replies, and
    with the replies they add up to the opinions received."""

    stances: dict[str, int]
    replies: int
    proposals: int
    commenters: dict[str, int]
    channels: dict[str, int]
    agreements: int


def received_breakdown(consultation: Consultation) -> ReceivedBreakdown:
    proposes = case((Comment.proposal.is_not(None), 1), else_=0)
    agreed = case((Comment.status == "approved", Comment.agreement_count), else_=0)  # approved ones are received
    reply = Comment.parent_id.is_not(None)  # no bound values: PostgreSQL matches it in the GROUP BY
    rows = db.session.execute(
        select(Comment.stance, reply, Comment.organisation_kind, Comment.channel, func.count(), func.sum(proposes),
               func.sum(agreed))
        .where(comment_received(consultation.id))
        .group_by(Comment.stance, reply, Comment.organisation_kind, Comment.channel)
    ).all()
    stances: Counter = Counter()
    kinds: Counter = Counter()
    channels: Counter = Counter()
    proposals = agreements = replies = 0
    for stance, is_reply, kind, channel, count, proposing, agreeing in rows:
        if is_reply:
            replies += count
        else:
            stances[stance] += count
        kinds[kind] += count
        channels[channel] += count
        proposals += int(proposing or 0)
        agreements += int(agreeing or 0)
    return ReceivedBreakdown(
        stances={stance: stances.get(stance, 0) for stance in STANCES},
        replies=replies,
        proposals=proposals,
        commenters={"person": kinds.get(None, 0), **{kind: kinds.get(kind, 0) for kind in ORGANISATION_KINDS}},
        channels={channel: channels[channel] for channel in CHANNELS if channels.get(channel)},
        agreements=agreements,
    )


def _shanghai_day(column):
    """The day (Asia/Shanghai) of a stored UTC moment, worked out by the database: PostgreSQL by the zone's rules,
    SQLite by its offset (+08:00 throughout since 1991; SQLite knows no zones), as text there."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", column))
    return func.date(column, "+8 hours")


def comments_per_day(consultation: Consultation) -> list[tuple[date, int]]:
    """Comments received on each day (Asia/Shanghai) of the period, days without any included. Counted by the
    database, day by day (reading 20,000 moments into Python took 150-280 ms)."""
    day = _shanghai_day(Comment.created_at)
    days: Counter = Counter()
    for moment, count in db.session.execute(
            select(day, func.count()).where(comment_received(consultation.id)).group_by(day)):
        days[moment if isinstance(moment, date) else date.fromisoformat(moment)] += count
    if consultation.opens_at is None:
        return sorted(days.items())
    first = consultation.opens_at.astimezone(SHANGHAI).date()
    end = min(consultation.deadline or now(), now()).astimezone(SHANGHAI).date()
    if days:
        first, end = min(first, min(days)), max(end, max(days))
    return [(first + timedelta(n), days.get(first + timedelta(n), 0)) for n in range((end - first).days + 1)]
