"""The figures of a consultation's statistics (the page /consultations/<id>/statistics and the API's), computed
once and kept in process memory (portal/comments/page_cache.py) until its comments change.

They count every comment received, pending ones too, whose arrival renews no token (the comments token follows
what the public sees): the key holds the tokens of the consultation (its comments, its content: sections,
questions, deadline) and the number and newest id of all its comments (one indexed statement), so that a new
comment, whatever its state, is counted by the next request; the day, as the count per day runs to today; and
whether the consultation has closed (readers' choices are shown then). What is kept is plain values (section
and comment ids, not rows of a session), read back with the page's own rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.comments import page_cache
from portal.comments.agreements import most_agreed
from portal.comments.models import Comment
from portal.comments.quotes import QuotedPassage, most_quoted
from portal.consultations.choices import ChoiceResult, choice_results
from portal.core.time import local, now
from portal.extensions import db
from portal.reports.services import (
    comments_per_day, comments_per_top_section, organisation_count, question_counts, received_breakdown,
)


@dataclass(frozen=True)
class StatisticsFigures:
    per_section: list[tuple[int | None, int]]  # each top-level section's id (None: the whole draft) and its count
    per_day: list[tuple[date, int]]
    stances: dict[str, int]  # opinions that are not replies, by stance
    replies: int  # replies in threads: no stance of their own; with ``stances``, every opinion received
    proposals: int
    commenters: dict[str, int]
    organisations: int
    questions: dict[int, int]
    channels: dict[str, int]
    quoted: list[QuotedPassage]
    agreements: int
    agreed: list[int]  # the ids of the public comments most agreed with, most first
    choices: list[ChoiceResult]  # once the consultation has closed

    @property
    def total(self) -> int:
        return sum(count for _section, count in self.per_section)


def statistics_figures(consultation) -> StatisticsFigures:
    count, newest = db.session.execute(
        select(func.count(), func.max(Comment.id)).where(Comment.consultation_id == consultation.id)
    ).one()
    parts = ("statistics", consultation.content_token, count, newest, local(now()).date(), consultation.is_closed)
    return page_cache.cached(consultation, parts, lambda: _compute(consultation), size=_size)


def _compute(consultation) -> StatisticsFigures:
    received = received_breakdown(consultation)  # five figures in one pass over the comments
    return StatisticsFigures(
        per_section=[(section.id if section else None, n) for section, n in comments_per_top_section(consultation)],
        per_day=comments_per_day(consultation),
        stances=received.stances,
        replies=received.replies,
        proposals=received.proposals,
        commenters=received.commenters,
        organisations=organisation_count(consultation),
        questions=question_counts(consultation),
        channels=received.channels,
        quoted=most_quoted(consultation),
        agreements=received.agreements,
        agreed=[c.id for c in most_agreed(consultation)],
        choices=choice_results(consultation) if consultation.is_closed else [],
    )


def _size(figures: StatisticsFigures) -> int:
    return (page_cache.SMALL * 4 + 40 * (len(figures.per_section) + len(figures.per_day) + len(figures.agreed))
            + sum(len(item.passage.text) * 4 + 100 for item in figures.quoted)
            + sum(200 + 100 * len(result.counts) for result in figures.choices))


def agreed_comments(figures: StatisticsFigures) -> list[Comment]:
    """The comments of ``figures.agreed``, in that order, with their sections (one query, two with the sections)."""
    if not figures.agreed:
        return []
    from sqlalchemy.orm import selectinload

    found = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(figures.agreed)).options(selectinload(Comment.section)))}
    return [found[i] for i in figures.agreed if i in found]
