"""Publication review (审核发布): where the consultation's unit asks for it (an administrator chooses per unit:
follow the parent unit — the nearest up the chain with a choice — else the deployment's PORTAL_PUBLICATION_REVIEW,
the default; or always or never), no one publishes a consultation alone. The staff member who sets the period
submits it (提交审核); a colleague of the unit who may manage the consultation — or an administrator — approves it,
and it is published as asked (opening at once when the asked opening has passed), or returns it with a note (退回).
Each step is audited and mailed: the request to the colleagues (else the administrators), the decision to the one
who asked. ``flask consultations publish`` (an administrator at the server) is not reviewed.

A request still pending when its unit stops asking for review (its own choice changed, or the parent's it follows) is
not stranded: it may still be approved, returned or taken back, and the office may instead publish directly
(``publish_directly``), which ends it (status ``superseded``, audited).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.access import can_manage_consultation
from portal.accounts.models import User
from portal.audit.services import record_action
from portal.consultations.models import VISIBILITIES, Consultation
from portal.core.time import day_end_deadline, now
from portal.extensions import db
from portal.office.models import PublicationRequest
from portal.office.period import period_problems
from portal.office.services import OfficeError, PeriodError, publish
from portal.units.models import Unit


def deployment_review() -> bool:
    """The deployment's choice (PORTAL_PUBLICATION_REVIEW): for consultations of no unit, and units that follow it."""
    return bool(current_app.config.get("PUBLICATION_REVIEW"))


def deciding_unit(unit: Unit | None) -> Unit | None:
    """The unit whose own choice decides for ``unit``: itself when it has one, else the nearest unit up its parent
    chain that has one; None when none has (the deployment decides). A loop in the chain (the directory refuses one,
    but stored data may hold it) ends the walk: each unit is asked once."""
    seen: set[int] = set()
    while unit is not None and unit.id not in seen:
        if unit.publication_review is not None:
            return unit
        seen.add(unit.id)
        unit = unit.parent
    return None


def review_source(unit: Unit | None) -> tuple[bool, Unit | None]:
    """Whether a publication of ``unit`` needs a second person, and the unit whose choice that is (``unit`` itself,
    or the ancestor it follows), None for the deployment's (PORTAL_PUBLICATION_REVIEW)."""
    decider = deciding_unit(unit)
    if decider is not None:
        return bool(decider.publication_review), decider
    return deployment_review(), None


def followers(unit: Unit) -> list[Unit]:
    """The units below ``unit`` whose outcome its choice decides, by name (in code point order, the same on every
    engine): each that follows (no choice of its own) and meets ``unit`` up its parent chain before any unit with a
    choice. Changing ``unit``'s choice changes theirs (the unit's page lists them). A loop in a chain ends its walk."""
    found = []
    units = sorted(db.session.scalars(select(Unit)).all(), key=lambda u: u.name)  # all in the session: parents at hand
    for other in units:
        if other.id == unit.id or other.publication_review is not None:
            continue
        seen, above = {other.id}, other.parent
        while above is not None and above.id not in seen:
            if above.id == unit.id:
                found.append(other)
                break
            if above.publication_review is not None:
                break
            seen.add(above.id)
            above = above.parent
    return found


def unit_review(unit: Unit | None) -> bool:
    """Whether a publication of ``unit`` needs a second person: its own choice, else its nearest ancestor's with
    one, else the deployment's."""
    return review_source(unit)[0]


def review_required(consultation: Consultation) -> bool:
    """Whether publishing ``consultation`` needs a second person: its unit's choice (the administrator's, on the
    unit's page), else the nearest parent unit's with one, else — no unit, or no choice up the chain —
    PORTAL_PUBLICATION_REVIEW."""
    unit = db.session.get(Unit, consultation.owner_unit_id) if consultation.owner_unit_id is not None else None
    return unit_review(unit)


def pending_request(consultation: Consultation) -> PublicationRequest | None:
    return db.session.scalar(select(PublicationRequest).where(
        PublicationRequest.consultation_id == consultation.id, PublicationRequest.status == "pending"))


def latest_request(consultation: Consultation) -> PublicationRequest | None:
    """The last request made for the consultation, whatever became of it (the review page says it)."""
    return db.session.scalar(select(PublicationRequest).where(PublicationRequest.consultation_id == consultation.id)
                             .order_by(PublicationRequest.id.desc()).limit(1))


def may_decide(user, request: PublicationRequest) -> bool:
    """Whether ``user`` may approve or return the request: one who may manage the consultation, not its author."""
    return (request.status == "pending" and can_manage_consultation(user, request.consultation)
            and user.id != request.requested_by_id)


def requests_for(user) -> list[PublicationRequest]:
    """The pending requests ``user`` may decide, oldest first (the office's dashboard lists them)."""
    pending = db.session.scalars(select(PublicationRequest).where(PublicationRequest.status == "pending")
                                 .order_by(PublicationRequest.created_at)).all()
    return [request for request in pending if may_decide(user, request)]


def reviewers(consultation: Consultation, requester_id: int | None) -> tuple[list[User], bool]:
    """Who is asked to decide a request by ``requester_id``: the active colleagues who may manage the consultation,
    else (a unit with one member of staff, say) the active administrators; and whether it fell to the
    administrators."""
    staff = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(("office", "admin")))).all()
    colleagues = [u for u in staff if u.id != requester_id and u.role == "office"
                  and can_manage_consultation(u, consultation)]
    if colleagues:
        return colleagues, False
    return [u for u in staff if u.role == "admin" and u.id != requester_id], True


def _label(user) -> str:
    return f"{user.name} <{user.email}>"


def request_publication(consultation: Consultation, actor, opens_at: datetime | None, deadline: datetime | None,
                        confirmed_short: bool, reason: str, comment_visibility: str) -> PublicationRequest:
    """Submit the period for review; checked as a publication is (PeriodError), nothing published."""
    if consultation.is_published:
        raise OfficeError("opens", _l("这项征求意见已经发布。"))
    if pending_request(consultation) is not None:
        raise OfficeError("opens", _l("已经提交审核，请等待审核，或先撤回提交。"))
    at = now()
    if deadline is None:
        raise PeriodError([("deadline_date", _l("请填写截止日期。"))])
    deadline = day_end_deadline(deadline)  # checked and kept as it will be published (00:00: the day before's end)
    problems = period_problems(opens_at or at, deadline, at, confirmed_short, reason)
    if problems:
        raise PeriodError(problems)
    if comment_visibility not in VISIBILITIES:
        raise PeriodError([("comment_visibility", _l("请选择意见是否公开。"))])
    if consultation.current_draft is None or not consultation.current_draft.sections:
        raise PeriodError([("deadline_date", _l("草案没有任何章节，不能发布。"))])
    request = PublicationRequest(
        consultation_id=consultation.id, requested_by_id=actor.id, requested_by_label=_label(actor),
        opens_at=opens_at, deadline=deadline, comment_visibility=comment_visibility,
        short_reason=reason.strip() or None, status="pending", created_at=at)
    db.session.add(request)
    db.session.flush()
    record_action(actor, "request_publication", consultation, consultation_id=consultation.id,
                  after={"opens_at": opens_at.isoformat() if opens_at else None, "deadline": deadline.isoformat(),
                         "comment_visibility": comment_visibility}, reason=request.short_reason)
    _mail(request, "requested")
    return request


def _decided(request: PublicationRequest, actor, status: str, note: str | None = None) -> None:
    """Decide it, if nobody has meanwhile: taken in the row while still pending (a compare-and-set). Two decisions at
    once (the author's cancel and a reviewer's approval, say) had both been carried out, mailed and audited."""
    at, label = now(), _label(actor)
    taken = db.session.execute(
        update(PublicationRequest).where(PublicationRequest.id == request.id, PublicationRequest.status == "pending")
        .values(status=status, note=note, decided_by_id=actor.id, decided_by_label=label, decided_at=at)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise OfficeError("decision", _l("这项发布申请刚刚已经审核或撤回，请刷新页面查看。"))
    for name, value in (("status", status), ("note", note), ("decided_by_id", actor.id), ("decided_by_label", label),
                        ("decided_at", at)):
        set_committed_value(request, name, value)


def approve(request: PublicationRequest, actor) -> Consultation:
    """Publish as asked. Refused (OfficeError) when the period no longer holds (the deadline passed, or it has
    become shorter than 30 days without a reason given): then return it, to be set again."""
    if not may_decide(actor, request):
        raise OfficeError("decision", _l("只能审核由其他人提交、您有权管理的征求意见。"))
    opening = request.opens_at if request.opens_at is not None and request.opens_at > now() else None
    _decided(request, actor, "approved")  # first: published only by the one decision that took it
    try:
        publish(request.consultation, actor, opening, request.deadline, request.short_reason is not None,
                request.short_reason or "", request.comment_visibility)
    except PeriodError as error:
        raise OfficeError("decision", _l("按提交的时间已不能发布：%(problem)s请退回，由提交人重新设定时间。",
                                         problem=error.problems[0][1])) from error
    record_action(actor, "approve_publication", request.consultation, consultation_id=request.consultation_id,
                  after={"request": request.id, "requested_by": request.requested_by_label})
    _mail(request, "approved")
    return request.consultation


def return_request(request: PublicationRequest, actor, note: str) -> None:
    """Send it back to the one who asked, with a note of what to change."""
    if not may_decide(actor, request):
        raise OfficeError("decision", _l("只能审核由其他人提交、您有权管理的征求意见。"))
    if not note.strip():
        raise OfficeError("note", _l("请写明退回的理由，以便提交人修改。"))
    _decided(request, actor, "returned", note.strip())
    record_action(actor, "return_publication", request.consultation, consultation_id=request.consultation_id,
                  after={"request": request.id, "requested_by": request.requested_by_label}, reason=note.strip())
    _mail(request, "returned")


def cancel_request(request: PublicationRequest, actor) -> None:
    """The one who asked takes the request back (to change the period, say)."""
    if request.status != "pending" or request.requested_by_id != actor.id:
        raise OfficeError("decision", _l("只有提交人可以撤回尚未审核的提交。"))
    _decided(request, actor, "cancelled")
    record_action(actor, "cancel_publication_request", request.consultation, consultation_id=request.consultation_id,
                  after={"request": request.id})


def publish_directly(consultation: Consultation, actor, opens_at: datetime | None, deadline: datetime | None,
                     confirmed_short: bool, reason: str, comment_visibility: str) -> Consultation:
    """Publish without review (``review_required`` is false). A request still pending — made while the unit asked for
    review — ends with it (``superseded``, audited; its mail to the reviewers, not yet sent, is then not sent): the
    consultation is published once, by this decision, not again by a later approval."""
    pending = pending_request(consultation)
    if pending is not None:
        _decided(pending, actor, "superseded")  # refused when a reviewer decided it meanwhile
        record_action(actor, "supersede_publication_request", consultation, consultation_id=consultation.id,
                      after={"request": pending.id, "requested_by": pending.requested_by_label})
    published = publish(consultation, actor, opens_at, deadline, confirmed_short, reason, comment_visibility)
    if pending is not None and pending.requested_by_id != actor.id:
        _mail(pending, "superseded")  # a colleague published it: the one who asked is told, as of a decision
    return published


def _mail(request: PublicationRequest, event: str) -> int:
    """The request to the colleagues who may decide it (else the administrators), a decision to the one who asked;
    staff mail, once an event and address."""
    from portal.mail.services import queue_staff_mail

    consultation = request.consultation
    if event == "requested":
        deciders, _admins = reviewers(consultation, request.requested_by_id)
        addresses = sorted({u.email.lower() for u in deciders})
    else:
        requester = db.session.get(User, request.requested_by_id) if request.requested_by_id else None
        addresses = [requester.email.lower()] if requester is not None and requester.active else []
    return queue_staff_mail(consultation, "publication_review", f"{request.id}:{event}", addresses,
                            {"request_id": request.id, "event": event})
