"""The public list of consultations: those open for comment (the deadline nearest first), those about to open, and
the closed ones a page at a time (the latest first), each narrowed by issuer and by the year of the deadline.

A portal runs for years: the closed consultations grow to hundreds, which one page can no longer hold, and a
reader looks for one office's drafts or those of a year. The states are the model's (Consultation.state) written
as conditions on the clock's time, so that SQL picks and counts them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select

from portal.consultations.models import Consultation, published_consultations
from portal.core.time import SHANGHAI, now
from portal.extensions import db

CLOSED_PER_PAGE = 20


@dataclass
class ListFilters:
    issuer: str = ""
    year: int | None = None
    page: int = 1

    @property
    def active(self) -> bool:
        return bool(self.issuer or self.year)


@dataclass
class ConsultationList:
    open: list[Consultation]
    upcoming: list[Consultation]
    closed: list[Consultation]  # one page of them
    closed_total: int
    page: int
    pages: int
    filters: ListFilters
    issuers: list[str] = field(default_factory=list)  # every issuer of a published consultation, for the filter
    years: list[int] = field(default_factory=list)  # every year a published consultation's deadline fell in


def consultation_list(filters: ListFilters, per_page: int = CLOSED_PER_PAGE) -> ConsultationList:
    at = now().replace(microsecond=0)  # as ConsultationState.state: a deadline's second is open throughout
    chosen = published_consultations()
    if filters.issuer:
        chosen = chosen.where(Consultation.issuer == filters.issuer)
    if filters.year:
        chosen = chosen.where(Consultation.deadline >= datetime(filters.year, 1, 1, tzinfo=SHANGHAI),
                              Consultation.deadline < datetime(filters.year + 1, 1, 1, tzinfo=SHANGHAI))
    has_opened = or_(Consultation.opens_at.is_(None), Consultation.opens_at <= at)
    not_closed = or_(Consultation.deadline.is_(None), Consultation.deadline >= at)
    open_ = db.session.scalars(chosen.where(has_opened, not_closed)
                               .order_by(Consultation.deadline, Consultation.id)).all()
    upcoming = db.session.scalars(chosen.where(Consultation.opens_at > at)
                                  .order_by(Consultation.opens_at, Consultation.id)).all()
    closed = chosen.where(Consultation.deadline < at)
    total = db.session.scalar(select(func.count()).select_from(closed.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, filters.page), pages)
    shown = db.session.scalars(closed.order_by(Consultation.deadline.desc(), Consultation.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return ConsultationList(open_, upcoming, shown, total, page, pages, filters, _issuers(), _years())


def _issuers() -> list[str]:
    published = published_consultations().subquery()
    return list(db.session.scalars(select(published.c.issuer).where(published.c.issuer.is_not(None))
                                   .distinct().order_by(published.c.issuer)))


def _years() -> list[int]:
    """From the latest deadline's year down to the earliest's (a year between them with none is listed too: a
    reader looking for it is then told there is none). min() and max() keep the column's type: aware times."""
    published = published_consultations().subquery()
    first, last = db.session.execute(select(func.min(published.c.deadline), func.max(published.c.deadline))).one()
    if first is None:
        return []
    return list(range(last.astimezone(SHANGHAI).year, first.astimezone(SHANGHAI).year - 1, -1))

