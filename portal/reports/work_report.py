"""The work report (征求意见工作情况统计): every consultation whose deadline falls in a year or a quarter, what it
received and what became of it, unit by unit (the staff's report: by the unit that runs each, which the office
reports upwards) or issuer by issuer (the public's: the 发布单位 its notice names, as the public list shows them).

One set of grouped queries for all the consultations of the period (a few hundred a year in a large city), never a
query a consultation. The public report counts only what is public already: published consultations, opinions
received (as their closing summaries do) and the answers published; the staff's adds the answers still drafted
and the reasons given for a short period.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment, comment_received
from portal.consultations.models import Consultation, DeadlineExtension
from portal.core.time import local, local_midnight, now
from portal.extensions import db
from portal.office.period import is_short
from portal.responses.models import Response
from portal.units.models import Unit

OUTCOMES = ("adopted", "partly_adopted", "not_adopted", "explained")
# The feedback (采纳情况) of a consultation with opinions still unpublished this long after its deadline is named
# on the report as overdue: offices are expected to answer within about a month.
FEEDBACK_EXPECTED = timedelta(days=30)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a report may be asked for (a later one is empty, not refused)


class PeriodError(ValueError):
    """The query names no period; its argument is the parameter at fault (year or quarter)."""

    @property
    def parameter(self) -> str:
        return self.args[0]


def _number(text: str) -> int | None:
    """The whole number written (ASCII digits only); None for anything else."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


@dataclass(frozen=True)
class Period:
    """A calendar year, or one of its quarters, in Asia/Shanghai."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, year: str | None, quarter: str | None, today: date) -> "Period":
        """From the query string; nothing given: this year. Raises PeriodError naming the parameter that is wrong
        (a year from FIRST_YEAR to LAST_YEAR, a quarter from 1 to 4)."""
        year_number = _number(year) if year else today.year
        if year_number is None or not FIRST_YEAR <= year_number <= LAST_YEAR:
            raise PeriodError("year")
        quarter_number = _number(quarter) if quarter else None
        if quarter and quarter_number not in (1, 2, 3, 4):
            raise PeriodError("quarter")
        return cls(year_number, quarter_number)

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end_day(self) -> date:
        """The day after the period's last."""
        if self.quarter is None or self.quarter == 4:
            return date(self.year + 1, 1, 1)
        return date(self.year, 3 * self.quarter + 1, 1)

    def bounds(self) -> tuple[datetime, datetime]:
        return local_midnight(self.first_day), local_midnight(self.end_day)


@dataclass
class ConsultationLine:
    """One consultation of the report."""

    id: int
    title: str
    issuer: str | None
    unit: str | None  # the owning unit's name (the office that runs it)
    opens_at: datetime
    deadline: datetime
    state: str  # upcoming, open, closed
    days: int  # whole days from the opening to the deadline (4月20日 15:00 to 5月20日 12:00: 29, shorter than 30)
    short: bool  # shorter than the usual 30 days
    short_reason: str | None = None  # staff only
    extensions: int = 0
    received: int = 0
    offline: int = 0  # of them, received another way than on the portal (letters, e-mail, meetings …)
    organisations: int = 0  # of them, made on behalf of an organisation
    outcomes: dict = field(default_factory=dict)  # published answers by outcome
    drafted: int = 0  # answers written but not published yet (staff only)
    feedback_at: datetime | None = None  # when the first answer was published
    issued_at: datetime | None = None  # when the policy as issued was published
    again: bool = False  # a second (or later) round on the same draft (再次征求意见)

    @property
    def answered(self) -> int:
        return sum(self.outcomes.get(outcome, 0) for outcome in OUTCOMES)

    @property
    def adopted(self) -> int:
        """Adopted in whole or in part."""
        return self.outcomes.get("adopted", 0) + self.outcomes.get("partly_adopted", 0)

    @property
    def feedback_days(self) -> int | None:
        """Days from the deadline's day to the day the answers were first published."""
        if self.feedback_at is None:
            return None
        return max(0, (local(self.feedback_at).date() - local(self.deadline).date()).days)

    def feedback_overdue(self, at: datetime) -> bool:
        return (self.state == "closed" and self.received > 0 and self.feedback_at is None
                and at - self.deadline > FEEDBACK_EXPECTED)


@dataclass
class Totals:
    """The sums over some consultations (a group's, or all of them)."""

    consultations: int = 0
    closed: int = 0
    short: int = 0
    extended: int = 0
    days: int = 0  # summed, for the average
    received: int = 0
    offline: int = 0
    organisations: int = 0
    without_comments: int = 0  # closed and received nothing (零意见)
    with_feedback: int = 0  # closed with opinions, whose answers are published
    closed_with_comments: int = 0
    overdue: int = 0
    issued: int = 0
    outcomes: dict = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    drafted: int = 0

    def add(self, line: ConsultationLine, at: datetime) -> None:
        self.consultations += 1
        self.days += line.days
        self.short += line.short
        self.extended += line.extensions > 0
        self.received += line.received
        self.offline += line.offline
        self.organisations += line.organisations
        self.drafted += line.drafted
        self.issued += line.issued_at is not None
        for outcome in OUTCOMES:
            self.outcomes[outcome] += line.outcomes.get(outcome, 0)
        if line.state == "closed":
            self.closed += 1
            if line.received == 0:
                self.without_comments += 1
            else:
                self.closed_with_comments += 1
                self.with_feedback += line.feedback_at is not None
        self.overdue += line.feedback_overdue(at)

    @property
    def average_days(self) -> float | None:
        return self.days / self.consultations if self.consultations else None

    @property
    def answered(self) -> int:
        return sum(self.outcomes.values())

    @property
    def adopted(self) -> int:
        return self.outcomes["adopted"] + self.outcomes["partly_adopted"]

    @property
    def adoption_share(self) -> float | None:
        """Of the opinions answered adopted, partly adopted or not adopted, the share adopted in whole or in part
        (an explanation, 情况说明, answers no proposal and is left out)."""
        decided = self.adopted + self.outcomes["not_adopted"]
        return self.adopted / decided if decided else None


@dataclass
class Group:
    """The consultations of one unit (staff) or issuer (public)."""

    name: str | None  # None: of no unit (run by administrators) or with no issuer named
    lines: list[ConsultationLine]
    totals: Totals


@dataclass
class WorkReport:
    period: Period
    at: datetime
    public: bool
    groups: list[Group]
    totals: Totals

    @property
    def lines(self) -> list[ConsultationLine]:
        return [line for group in self.groups for line in group.lines]


def work_report(period: Period, *, public: bool, unit_id: int | None = None, all_units: bool = True,
                at: datetime | None = None) -> WorkReport:
    """The report of the consultations published whose deadline falls in ``period``: of one unit
    (``all_units=False``: the unit ``unit_id``; None: those of no unit), else of all; grouped by issuer when
    ``public``, else by unit."""
    at = at or now()
    start, end = period.bounds()
    query = (
        select(Consultation, Unit.name)
        .outerjoin(Unit, Unit.id == Consultation.owner_unit_id)
        .where(Consultation.published_at.is_not(None), Consultation.deadline >= start, Consultation.deadline < end)
        .order_by(Consultation.deadline, Consultation.id)
    )
    if not all_units:
        query = query.where(Consultation.owner_unit_id == unit_id if unit_id is not None
                            else Consultation.owner_unit_id.is_(None))
    rows = db.session.execute(query).all()
    ids = [consultation.id for consultation, _unit in rows]
    facts = _facts(ids, public)
    lines_by_group: dict[str | None, list[ConsultationLine]] = defaultdict(list)
    for consultation, unit_name in rows:
        opens_at = consultation.opens_at or consultation.published_at
        line = ConsultationLine(
            id=consultation.id, title=consultation.title, issuer=consultation.issuer, unit=unit_name,
            opens_at=opens_at, deadline=consultation.deadline, state=consultation.state(at),
            days=(consultation.deadline - opens_at).days,  # whole days, as "shorter than 30 days" counts them
            short=is_short(opens_at, consultation.deadline),
            issued_at=consultation.final_published_at, again=consultation.previous_round_id is not None,
        )
        for name, values in facts.items():
            if consultation.id in values:
                setattr(line, name, values[consultation.id])
        if public:
            line.short_reason = None
        lines_by_group[(consultation.issuer or None) if public else unit_name].append(line)
    totals = Totals()
    groups = []
    for name, lines in sorted(lines_by_group.items(), key=lambda item: (item[0] is None, item[0] or "")):
        group_totals = Totals()
        for line in lines:
            group_totals.add(line, at)
            totals.add(line, at)
        groups.append(Group(name, lines, group_totals))
    return WorkReport(period, at, public, groups, totals)


def _facts(ids: list[int], public: bool) -> dict[str, dict[int, object]]:
    """Each figure of the lines, by consultation id, in one query a figure (in chunks of ids)."""
    facts: dict[str, dict[int, object]] = defaultdict(dict)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        received = and_(Comment.consultation_id.in_(chunk), comment_received())
        for consultation_id, total, offline, organisations in db.session.execute(
            select(Comment.consultation_id, func.count(),
                   func.count(Comment.id).filter(Comment.channel != "web"),
                   func.count(Comment.id).filter(Comment.organisation.is_not(None)))
            .where(received).group_by(Comment.consultation_id)
        ):
            facts["received"][consultation_id] = total
            facts["offline"][consultation_id] = offline
            facts["organisations"][consultation_id] = organisations
        answers = (
            select(Response.consultation_id, Response.outcome, Response.published_at.is_not(None), func.count(),
                   func.min(Response.published_at))
            .join(Comment, Comment.id == Response.comment_id)
            .where(Response.consultation_id.in_(chunk), comment_received())
            .group_by(Response.consultation_id, Response.outcome, Response.published_at.is_not(None))
        )
        for consultation_id, outcome, published, count, first in db.session.execute(answers):
            if published:
                facts["outcomes"].setdefault(consultation_id, {})[outcome] = count
                earliest = facts["feedback_at"].get(consultation_id)
                facts["feedback_at"][consultation_id] = first if earliest is None else min(earliest, first)
            elif not public:
                facts["drafted"][consultation_id] = facts["drafted"].get(consultation_id, 0) + count
        for consultation_id, count in db.session.execute(
            select(DeadlineExtension.consultation_id, func.count())
            .where(DeadlineExtension.consultation_id.in_(chunk)).group_by(DeadlineExtension.consultation_id)
        ):
            facts["extensions"][consultation_id] = count
        if not public:  # the reason given for a short period, when the consultation was published
            for consultation_id, reason in db.session.execute(
                select(AuditEntry.consultation_id, AuditEntry.reason)
                .where(AuditEntry.action == "publish", AuditEntry.consultation_id.in_(chunk),
                       AuditEntry.reason.is_not(None))
                .order_by(AuditEntry.at)
            ):
                facts["short_reason"][consultation_id] = reason  # the last publication's
    return facts


def report_years(today: date) -> list[int]:
    """The years with a consultation's deadline, newest first (this year always)."""
    deadlines = db.session.execute(
        select(func.min(Consultation.deadline), func.max(Consultation.deadline))
        .where(Consultation.published_at.is_not(None))
    ).one()
    first = local(deadlines[0]).year if deadlines[0] else today.year
    last = max(local(deadlines[1]).year if deadlines[1] else today.year, today.year)
    return list(range(last, first - 1, -1))

