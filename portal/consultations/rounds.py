"""Consultation rounds (再次征求意见): when a draft changed much after its consultation, the office consults again on
the revised draft. The new consultation names the one it follows (``previous_round_id``); the pages of each lead to
the other, the new one shows what changed since the draft of the round before (and how many opinions each part drew
then), and when it is published the earlier round's commenters and followers are told.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.audit.services import record_action
from portal.comments.models import Comment, comment_received
from portal.consultations.models import Consultation
from portal.drafts.revisions import SectionChange, drafts_compared
from portal.extensions import db

MAX_ROUNDS = 50  # a chain longer than this is no chain of rounds (and is never followed further)


class RoundError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def earlier_rounds(consultation: Consultation) -> list[Consultation]:
    """The rounds before this one, the first first (published ones only)."""
    chain, seen = [], {consultation.id}
    current = consultation.previous_round
    while current is not None and current.id not in seen and len(chain) < MAX_ROUNDS:
        if current.is_published:
            chain.append(current)
        seen.add(current.id)
        current = current.previous_round
    return chain[::-1]


def round_number(consultation: Consultation) -> int:
    """1 for a first consultation, 2 for the one after it …"""
    return len(earlier_rounds(consultation)) + 1


def next_rounds(consultation: Consultation) -> list[Consultation]:
    """The published consultations that follow this one (usually one)."""
    return list(db.session.scalars(
        select(Consultation).where(Consultation.previous_round_id == consultation.id,
                                   Consultation.published_at.is_not(None))
        .order_by(Consultation.published_at, Consultation.id)))


def round_candidates(consultation: Consultation | None, managed) -> list[Consultation]:
    """The consultations ``consultation`` (None: one about to be uploaded) may follow: published and closed,
    ``managed`` by the same staff member (a callable: consultation → bool), never itself nor one that follows it,
    the latest deadline first."""
    later = _later_ids(consultation) | {consultation.id} if consultation is not None else set()
    chosen = db.session.scalars(
        select(Consultation).where(Consultation.published_at.is_not(None))
        .order_by(Consultation.deadline.desc(), Consultation.id.desc())).all()
    return [c for c in chosen if c.is_closed and c.id not in later and managed(c)]


def _later_ids(consultation: Consultation) -> set[int]:
    """The ids of the consultations that follow ``consultation``, directly or through others."""
    found, frontier = set(), {consultation.id}
    while frontier and len(found) < MAX_ROUNDS:
        frontier = set(db.session.scalars(
            select(Consultation.id).where(Consultation.previous_round_id.in_(frontier)))) - found
        found |= frontier
    return found


def set_previous_round(consultation: Consultation, previous: Consultation | None, actor, managed) -> None:
    """Name (or, with None, clear) the consultation this one follows, before it is published; audited."""
    if consultation.is_published:
        raise RoundError(_l("征求意见发布后不能再修改接续的上一轮。"))
    if previous is not None and previous.id not in {c.id for c in round_candidates(consultation, managed)}:
        raise RoundError(_l("只能接续一项已经截止的、由您管理的征求意见。"))
    before = consultation.previous_round_id
    consultation.previous_round_id = previous.id if previous is not None else None
    db.session.flush()
    db.session.expire(consultation, ["previous_round"])
    record_action(actor, "set_previous_round", consultation, consultation_id=consultation.id,
                  before={"previous_round_id": before}, after={"previous_round_id": consultation.previous_round_id})


@dataclass
class RoundComparison:
    previous: Consultation
    changes: list[SectionChange]
    counts: dict[int, int]  # opinions the previous round received on each of its sections (by section id)
    received: int  # and in all


def round_comparison(consultation: Consultation) -> RoundComparison | None:
    """What changed from the draft of the round before (its last version) to this one's current draft."""
    previous = consultation.previous_round
    if previous is None or not previous.is_published or previous.current_draft is None \
            or consultation.current_draft is None:
        return None
    counts = dict(db.session.execute(
        select(Comment.section_id, func.count()).where(comment_received(previous.id), Comment.section_id.is_not(None))
        .group_by(Comment.section_id)).all())
    received = db.session.scalar(select(func.count()).select_from(Comment).where(comment_received(previous.id))) or 0
    return RoundComparison(previous, drafts_compared(previous.current_draft, consultation.current_draft), counts,
                           received)


@dataclass
class RoundLinks:
    """What a consultation's page says of its rounds: those before it (the first first) and after it."""

    earlier: list[Consultation]
    later: list[Consultation]

    @property
    def previous(self) -> Consultation | None:
        return self.earlier[-1] if self.earlier else None

    @property
    def number(self) -> int:
        return len(self.earlier) + 1


def round_links(consultation: Consultation) -> RoundLinks:
    return RoundLinks(earlier_rounds(consultation), next_rounds(consultation))


def renew_previous_page(consultation: Consultation) -> None:
    """The round before ``consultation`` links to it once it is published: renew that one's content token, which its
    kept pages (and API answers) are keyed by (portal/consultations/pages.py)."""
    import uuid

    previous = consultation.previous_round
    if previous is not None:
        previous.content_token = uuid.uuid4().hex
        db.session.flush()
