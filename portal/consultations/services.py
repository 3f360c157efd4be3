"""Publish, close and summarise consultations. Flushes, never commits."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select

from portal.comments.models import Comment, comment_received
from portal.consultations.models import Consultation, ConsultationFacts
from portal.consultations.summary import CommentTally, count_commenters, write_closing_summary
from portal.core.statements import run
from portal.core.time import SHANGHAI, day_end_deadline, now
from portal.extensions import db


CONSULTATION_COLUMNS = ["id", "published_at", "opens_at", "deadline", "comment_visibility", "moderation_mode",
                        "content_token"]


@cache
def _facts_statement(dialect: str, windows: int):
    """The consultation's few columns, and in the same statement what a submission would otherwise ask in
    more: the word list's token, its current draft, and the sender's comments in the burst window and in each
    of ``windows`` rate-limit windows, each counted up to a limit (an index on (client_hash, created_at)
    answers them). Who receives the comment is the mail worker's business (portal/routing/queue.py)."""
    from portal.comments.services import sent_by_sender
    from portal.core.tokens import SENSITIVE_WORDS, CacheToken
    from portal.drafts.models import Draft

    table, tokens, drafts = Consultation.__table__, CacheToken.__table__, Draft.__table__

    def token(name):
        return select(tokens.c.token).where(tokens.c.name == name).scalar_subquery()

    def sent(since: str, enough: str, label: str):
        return sent_by_sender(since, enough).scalar_subquery().label(label)

    return select(
        *(table.c[name] for name in CONSULTATION_COLUMNS),
        token(SENSITIVE_WORDS).label("words_token"),
        sent("since", "enough", "recent_from_sender"),
        *(sent(f"since_{n}", f"enough_{n}", f"sent_{n}") for n in range(windows)),
        select(drafts.c.id).where(drafts.c.consultation_id == table.c.id).order_by(drafts.c.version.desc())
        .limit(1).scalar_subquery().label("current_draft_id"),
        # PostgreSQL: the new comment's id, drawn now, so that all its rows go in one statement
        *([func.nextval(func.pg_get_serial_sequence("comments", "id")).label("next_comment_id")]
          if dialect == "postgresql" else []),
    ).where(table.c.id == bindparam("id"))


def consultation_facts(consultation_id: int, client_hash: str | None = None,
                       windows: list[tuple[int, int]] = ()) -> ConsultationFacts | None:
    """What a comment submission needs, without loading the consultation: one Core statement.

    ``windows``: (seconds, limit) pairs; ``sent_in_windows`` then holds the sender's comments in each (counted
    up to its limit)."""
    from datetime import timedelta

    from flask import current_app

    config, at = current_app.config, now()
    params = {
        "id": consultation_id, "client_hash": client_hash,
        "since": at - timedelta(seconds=config["MODERATION_BURST_SECONDS"]),
        "enough": config["MODERATION_BURST_COUNT"] - 1,
    }
    for n, (seconds, limit) in enumerate(windows):
        params[f"since_{n}"], params[f"enough_{n}"] = at - timedelta(seconds=seconds), limit
    row = run(_facts_statement(db.engine.dialect.name, len(windows)), params).first()
    if row is None:
        return None
    values = dict(row._mapping)
    sent = tuple(values.pop(f"sent_{n}") for n in range(len(windows)))
    return ConsultationFacts(**values, sent_in_windows=sent)


class ConsultationError(ValueError):
    """A consultation that cannot be published or closed; ``message`` is lazy (``_l``), as an OfficeError's."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def publish_consultation(
    consultation: Consultation, opens_at: datetime | None = None, deadline: datetime | None = None
) -> Consultation:
    """Make a consultation public, once (published, its period moves by an extension only). It needs a deadline after
    its opening; one at 00:00 is taken as the end of the day before (``day_end_deadline``). Made public now (not
    before), it is announced to the citizens who asked for new consultation alerts (mail, queued in this transaction)."""
    if consultation.published_at is not None:  # its period then changes by an extension, recorded (office.services)
        raise ConsultationError("already_published", _l(
            "这项征求意见已经发布。要延长截止时间，请在“延长截止时间”页面办理（会留下记录）；"
            "发布有误且尚未开始的，可以先撤回发布再重新发布。"))
    opens_at = opens_at or consultation.opens_at or now()
    deadline = day_end_deadline(deadline or consultation.deadline)
    if deadline is None:
        raise ConsultationError("no_deadline", _l("没有截止时间，不能发布。请先设定征求意见截止时间。"))
    if deadline <= opens_at:
        raise ConsultationError("deadline_before_opening", _l("截止时间必须晚于开始时间。"))
    if consultation.current_draft is None or not consultation.current_draft.sections:
        raise ConsultationError("no_sections", _l("草案没有任何章节，不能发布。"))
    announce = consultation.published_at is None
    consultation.opens_at = opens_at
    consultation.deadline = deadline
    consultation.published_at = consultation.published_at or now()
    consultation.finalised_at = None
    consultation.closing_summary = None
    db.session.flush()
    if announce:
        from portal.mail.services import queue_new_consultation_mail, queue_next_round_mail  # built on this module

        queue_new_consultation_mail(consultation)
        if consultation.previous_round_id is not None:  # 再次征求意见: the round before's people hear of it
            from portal.consultations.rounds import renew_previous_page

            queue_next_round_mail(consultation)
            renew_previous_page(consultation)
    return consultation


def latest_published(limit: int) -> list[Consultation]:
    """The consultations published last, newest first, with their deadline extensions (the feed)."""
    from sqlalchemy.orm import selectinload

    from portal.consultations.models import published_consultations

    return list(db.session.scalars(
        published_consultations().options(selectinload(Consultation.extensions))
        .order_by(Consultation.published_at.desc(), Consultation.id.desc()).limit(limit)
    ))


def tally_comments(consultation: Consultation) -> CommentTally:
    """Opinions received (all but spam and withdrawn ones), the sections they concern, and those on the whole
    draft."""
    received = comment_received(consultation.id)
    total = db.session.scalar(select(func.count()).select_from(Comment).where(received)) or 0
    sections = len(_parts_concerned(consultation, db.session.scalars(
        select(func.distinct(Comment.section_id)).where(received, Comment.section_id.is_not(None))).all()))
    whole = db.session.scalar(
        select(func.count()).select_from(Comment).where(received, Comment.section_id.is_(None))
    ) or 0
    commenters = db.session.execute(
        select(Comment.author_name, Comment.author_contact, Comment.organisation, Comment.commenter_no).where(received)
        .execution_options(yield_per=1000)
    )
    people, organisations = count_commenters(commenters)
    from portal.responses.services import published_outcome_counts  # the responses build on this module

    outcomes = published_outcome_counts(consultation)
    return CommentTally(
        comments=total,
        sections=sections,
        whole_draft=whole,
        people=people,
        organisations=organisations,
        adopted=outcomes.get("adopted", 0),
        partly_adopted=outcomes.get("partly_adopted", 0),
        not_adopted=outcomes.get("not_adopted", 0),
        explained=outcomes.get("explained", 0),
    )


def _parts_concerned(consultation: Consultation, section_ids: list[int]) -> set[str]:
    """The draft's top-level parts (一、二、… or 第一章 …) that hold these sections, as the statistics count them: four
    comments on four items under 二、 concern one part. Named by anchor, so that a part of an earlier revision and the
    same part of the current one are one."""
    if not section_ids:
        return set()
    from portal.drafts.services import top_anchors

    tops = top_anchors(consultation.id)
    return {tops.get(section_id, str(section_id)) for section_id in section_ids}


def closing_summary(consultation: Consultation) -> str | None:
    """The stored summary of a finalised consultation, or the one it would get now if it is closed."""
    if consultation.closing_summary:
        return consultation.closing_summary
    if consultation.deadline is None or consultation.state() != "closed":
        return None
    return _write(consultation)


def rewrite_closing_summary(consultation: Consultation) -> None:
    """Bring a finalised consultation's stored summary up to date (e.g. once responses are published)."""
    if consultation.finalised_at is not None:
        consultation.closing_summary = _write(consultation)
        db.session.flush()


def _write(consultation: Consultation) -> str:
    return write_closing_summary(
        consultation.deadline.astimezone(SHANGHAI).date(),
        consultation.addressee,
        tally_comments(consultation),
        consultation.notice_date,
    )


def finalise_consultation(consultation: Consultation, notify: bool = True) -> Consultation:
    """Write and keep the closing summary of a closed consultation; ``notify``: and mail the drafting office."""
    if consultation.state() != "closed":
        raise ConsultationError("not_closed", _l("征求意见尚未截止，不能结束。"))
    consultation.closing_summary = _write(consultation)
    consultation.finalised_at = now()
    db.session.flush()
    from portal.mail.services import queue_closing_mail  # the mail builds on the consultations

    if notify:
        queue_closing_mail(consultation)  # the office hears of it, in this transaction
    return consultation


def close_due_consultations(notify: bool = True) -> list[Consultation]:
    """Finalise every published consultation whose deadline has passed and which has no summary yet (and, with
    ``notify``, mail each drafting office)."""
    due = db.session.scalars(
        select(Consultation)
        .where(
            Consultation.published_at.is_not(None),
            Consultation.finalised_at.is_(None),
            Consultation.deadline < now().replace(microsecond=0),  # as ConsultationState.state: to the second
        )
        .order_by(Consultation.id)
        .with_for_update(skip_locked=True)
    ).all()
    return [finalise_consultation(c, notify) for c in due]


REMIND_DAYS = 3  # followers are reminded this many days before a deadline


def remind_followers(days: int = REMIND_DAYS) -> list[Consultation]:
    """Queue a reminder to the followers (关注) of every open consultation whose deadline comes within ``days``:
    once per deadline (an extended one is reminded of again). The consultations reminded of."""
    from portal.mail.services import queue_follower_mail  # the mail builds on the consultations

    at = now()
    soon = db.session.scalars(
        select(Consultation).where(
            Consultation.published_at.is_not(None), Consultation.opens_at <= at, Consultation.deadline > at,
            Consultation.deadline <= at + timedelta(days=days))
        .order_by(Consultation.id)
    ).all()
    return [c for c in soon if queue_follower_mail(c, "closing_soon", c.deadline.isoformat())]
