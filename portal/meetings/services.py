"""Meetings of a consultation (座谈会、听证会、论证会): the office announces, changes, cancels them and publishes what was
said; the public signs up; the office chooses who attends. Mails to registrants are queued in the caller's
transaction (the mail worker renders and sends them: portal/mail/rendering.py). Never commits."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record_action
from portal.core.flash import moment_part
from portal.core.statements import insert_for
from portal.core.time import local, now
from portal.core.web import localdatetime
from portal.extensions import db
from portal.mail.services import outbox_row, queue_follower_mail
from portal.mail.models import OutboxMessage
from portal.meetings.models import MEETING_KINDS, Meeting, MeetingRegistration
from portal.office.services import OfficeError

SEATS_MAX = 10000
# promoted: given a place from the waiting list; withdrawn: the consultation's publication taken back before it opened
MAIL_EVENTS = ("accepted", "declined", "changed", "cancelled", "reminder", "promoted", "withdrawn")
EXPECTED = ("applied", "accepted", "waiting")  # sign-ups told of a change or a cancellation
SIGN_IN_BLANK_ROWS = 10  # rows of the sign-in sheet left for those who come without signing up
REMIND_BEFORE = timedelta(hours=24)  # those given a place are reminded of a meeting this long before it


class MeetingError(OfficeError):
    """A refused action; ``field`` names the form field the message belongs to; ``message`` is lazy, as an
    OfficeError's."""


# --- the office ---------------------------------------------------------------------------------------

def _check_plan(consultation, starts_at: datetime, ends_at: datetime | None, signup_until: datetime | None,
                 seats: int | None) -> None:
    if ends_at is not None and ends_at <= starts_at:
        raise MeetingError("end_time", _l("结束时间要晚于开始时间。"))
    if signup_until is not None and signup_until > starts_at:
        raise MeetingError("signup_date", _l("报名截止时间不能晚于会议开始时间。"))
    if seats is not None and not 1 <= seats <= SEATS_MAX:
        raise MeetingError("seats", _l("公开报名的名额要在 1 到 %(max)d 之间；不接受报名请不填。", max=SEATS_MAX))
    if consultation.is_closed:
        raise MeetingError("title", _l("征求意见已经截止，不能再安排会议。"))
    if consultation.published_at is not None and consultation.opens_at is not None and starts_at < consultation.opens_at:
        # what is said there is recorded as opinions received within the period: it could not be
        raise MeetingError("start_date", _l("会议要安排在征求意见开始以后（%(opens)s），会上的意见才能计入。",
                                            opens=moment_part(consultation.opens_at)))
    if consultation.deadline is not None and starts_at > consultation.deadline:
        raise MeetingError("start_date", _l("会议要安排在征求意见截止以前（%(deadline)s）。",
                                            deadline=moment_part(consultation.deadline)))


def _snapshot(meeting: Meeting) -> dict:
    return {"kind": meeting.kind, "title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
            "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None, "place": meeting.place,
            "seats": meeting.seats, "signup_until": meeting.signup_until.isoformat() if meeting.signup_until else None,
            "first_come": meeting.first_come}


def save_meeting(consultation, actor, meeting: Meeting | None, *, kind: str, title: str, starts_at: datetime,
                 ends_at: datetime | None, place: str, description: str | None, seats: int | None,
                 signup_until: datetime | None, first_come: bool = False) -> Meeting:
    """Announce a meeting (``meeting`` None) or change one not yet held nor cancelled. A change of its time or place
    is mailed to those who signed up and are still expected (with an address). Audited."""
    if kind not in MEETING_KINDS:
        raise MeetingError("kind", _l("请选择会议的形式。"))
    if meeting is not None and (meeting.is_cancelled or now() >= meeting.starts_at):
        raise MeetingError("title", _l("会议已经开始、结束或已取消，不能再修改。"))
    if starts_at <= now():
        raise MeetingError("start_date", _l("会议时间要在现在以后。"))
    _check_plan(consultation, starts_at, ends_at, signup_until, seats)
    before = _snapshot(meeting) if meeting is not None else None
    if meeting is None:
        meeting = Meeting(consultation=consultation, status="scheduled")
        db.session.add(meeting)
    meeting.kind, meeting.title, meeting.starts_at, meeting.ends_at = kind, title.strip(), starts_at, ends_at
    meeting.place, meeting.description = place.strip(), (description or "").strip() or None
    meeting.seats, meeting.signup_until, meeting.updated_at = seats, signup_until, now()
    meeting.first_come = bool(first_come and seats)
    db.session.flush()
    if not meeting.first_come:  # no longer first come: the waiting list goes back to the office to choose from (its
        for registration in db.session.scalars(select(MeetingRegistration).where(  # page promised promotion)
                MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.status == "waiting")):
            registration.status = "applied"
            record_action("system", "unwait_registration", registration, consultation_id=consultation.id,
                          before={"status": "waiting"}, after={"status": "applied", "number": registration.number})
        db.session.flush()
    after = _snapshot(meeting)
    record_action(actor, "meeting" if before is None else "change_meeting", meeting, consultation_id=consultation.id,
                  before=before, after=after)
    if before is None and meeting.seats and consultation.is_published:  # its followers may wish to sign up
        queue_follower_mail(consultation, "meeting", str(meeting.id), about={"meeting_id": meeting.id})
    if before is not None and (before["starts_at"], before["ends_at"], before["place"]) != (
            after["starts_at"], after["ends_at"], after["place"]):
        queue_registrant_mail(meeting, "changed", EXPECTED)
    fill_places(meeting)  # more places: the waiting list moves up
    return meeting


def cancel_meeting(meeting: Meeting, actor, reason: str) -> int:
    """Cancel a meeting not yet held, with the reason the public reads; those who signed up (and are not already
    told they will not attend) hear of it by mail. Audited. Returns the number of mails queued."""
    if meeting.is_cancelled:
        raise MeetingError("reason", _l("会议已经取消了。"))
    if now() >= meeting.starts_at:
        raise MeetingError("reason", _l("会议已经开始或结束，不能取消。"))
    meeting.status, meeting.cancel_reason, meeting.updated_at = "cancelled", reason.strip(), now()
    db.session.flush()
    record_action(actor, "cancel_meeting", meeting, consultation_id=meeting.consultation_id, reason=reason.strip())
    return queue_registrant_mail(meeting, "cancelled", EXPECTED)


def expected_registrants(consultation) -> int:
    """Those signed up for the consultation's meetings to come and still expected (the withdrawal page says so)."""
    return sum(1 for meeting in consultation.meetings if not meeting.is_cancelled and now() < meeting.starts_at
               for r in meeting.registrations if r.status in EXPECTED)


def tell_of_withdrawal(consultation) -> int:
    """The consultation's publication was taken back before it opened (portal/office/services.py:
    withdraw_publication): those signed up for its meetings to come, and still expected, are told by mail that their
    sign-up stands until it is published again and the office says otherwise. Returns the mails queued."""
    return sum(queue_registrant_mail(meeting, "withdrawn", EXPECTED) for meeting in consultation.meetings
               if not meeting.is_cancelled and now() < meeting.starts_at)


def publish_minutes(meeting: Meeting, actor, minutes: str) -> None:
    """Publish (or correct, or with empty text take away) what was said at the meeting (会议情况), once it has begun.
    Audited."""
    if meeting.is_cancelled:
        raise MeetingError("minutes", _l("会议已取消，没有会议情况可以公布。"))
    if now() < meeting.starts_at:
        raise MeetingError("minutes", _l("会议还没有召开，召开以后才能公布会议情况。"))
    text = (minutes or "").strip() or None
    before = meeting.minutes
    meeting.minutes = text
    meeting.minutes_published_at = now() if text else None
    meeting.updated_at = now()
    db.session.flush()
    record_action(actor, "meeting_minutes", meeting, consultation_id=meeting.consultation_id,
                  before={"minutes": before}, after={"minutes": text})


def decide(meeting: Meeting, actor, registration_id: int, decision: str) -> MeetingRegistration:
    """The office's choice for one sign-up: ``accepted`` (will attend) or ``declined``, or back to ``applied``;
    the registrant is mailed when the choice changes (and they left an address). Audited."""
    if decision not in ("applied", "accepted", "declined"):
        raise MeetingError("decision", _l("请选择是否安排参加。"))
    registration = db.session.get(MeetingRegistration, registration_id)
    if registration is None or registration.meeting_id != meeting.id:
        raise MeetingError("decision", _l("没有这条报名。"))
    if registration.status == "withdrawn":
        raise MeetingError("decision", _l("报名人已经取消了报名。"))
    if meeting.is_cancelled:
        raise MeetingError("decision", _l("会议已取消。"))
    if registration.status == decision:
        return registration
    before = registration.status
    registration.status, registration.decided_at = decision, now()
    db.session.flush()
    record_action(actor, "decide_registration", registration, consultation_id=meeting.consultation_id,
                  before={"status": before}, after={"status": decision, "number": registration.number})
    if decision in ("accepted", "declined"):
        _queue(registration, decision)
    if before == "accepted":  # a place freed: the waiting list moves up
        fill_places(meeting)
    return registration


def fill_places(meeting: Meeting) -> list[MeetingRegistration]:
    """Give the places free of a first-come meeting to those on its waiting list (候补), first signed up first, until
    the meeting begins; each is mailed (if they left an address) and the change audited. Returns those given a place.
    Flushes. On PostgreSQL the meeting's row is locked first, as a sign-up locks it, so that two places freed at the
    same moment never go to one sign-up while another waits (on SQLite the caller's write holds the one lock)."""
    if not meeting.first_come or not meeting.seats or meeting.is_cancelled or now() >= meeting.starts_at:
        return []
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.flush()
    taken = _counted(meeting, "accepted")
    if taken >= meeting.seats:
        return []
    promoted = list(db.session.scalars(
        select(MeetingRegistration).where(MeetingRegistration.meeting_id == meeting.id,
                                          MeetingRegistration.status == "waiting")
        .order_by(MeetingRegistration.id).limit(meeting.seats - taken)))
    for registration in promoted:
        registration.status, registration.decided_at = "accepted", now()
        db.session.flush()
        record_action("system", "promote_registration", registration, consultation_id=meeting.consultation_id,
                      before={"status": "waiting"}, after={"status": "accepted", "number": registration.number})
        _queue(registration, "promoted")
    return promoted


def registrations_csv(meeting: Meeting, actor) -> bytes:
    """The sign-ups as a CSV file for the office (UTF-8 with BOM, for Excel), contact details included: audited.
    Cells that a spreadsheet would run as a formula are written as text."""
    from portal.digests.rows import csv_bytes
    from portal.meetings.labels import REGISTRATION_LABELS

    data = csv_bytes(
        [_("报名编号"), _("姓名"), _("联系电话"), _("电子邮箱"), _("工作单位"), _("拟发言要点或报名理由"), _("报名时间"),
         _("状态")],
        [[r.number, r.name, r.phone, r.email, r.organisation, r.statement, localdatetime(r.created_at),
          REGISTRATION_LABELS[r.status]] for r in meeting.registrations])
    record_action(actor, "export_registrations", meeting, consultation_id=meeting.consultation_id,
                  after={"registrations": len(meeting.registrations)})
    return data


def opinions_voiced(meeting: Meeting) -> int:
    """The opinions the office typed in as voiced at ``meeting`` and counted as received (not spam nor withdrawn)."""
    from portal.comments.models import Comment, comment_received

    return db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.consultation_id == meeting.consultation_id, Comment.meeting_id == meeting.id, comment_received())) or 0


def sign_in_list(meeting: Meeting) -> list[MeetingRegistration]:
    """Who the sign-in sheet (签到表) lists: those given a place; while nobody is, all who signed up and have not
    withdrawn nor been told no."""
    accepted = [r for r in meeting.registrations if r.status == "accepted"]
    return accepted or [r for r in meeting.registrations if r.status == "applied"]


def upcoming_meetings(limit: int = 5) -> list[Meeting]:
    """The next meetings of the published consultations, soonest first (the list of consultations shows them)."""
    from portal.consultations.models import Consultation

    return list(db.session.scalars(
        select(Meeting).join(Meeting.consultation)
        .where(Consultation.published_at.is_not(None), Meeting.status == "scheduled", Meeting.starts_at > now())
        .order_by(Meeting.starts_at, Meeting.id).limit(limit)))


def undecided_signups(consultation_ids: list[int]) -> dict[int, int]:
    """Sign-ups waiting for the office's decision, for meetings still to come, by consultation (one query): the office's
    dashboard says so."""
    if not consultation_ids:
        return {}
    return dict(db.session.execute(
        select(Meeting.consultation_id, func.count()).join(MeetingRegistration.meeting)
        .where(Meeting.consultation_id.in_(consultation_ids), Meeting.status == "scheduled", Meeting.starts_at > now(),
               MeetingRegistration.status == "applied")
        .group_by(Meeting.consultation_id)).all())


def registration_counts(meetings: list[Meeting]) -> dict[int, dict[str, int]]:
    """Sign-ups by status of each meeting: {meeting id: {status: count}}, one query."""
    counts: dict[int, dict[str, int]] = {m.id: {} for m in meetings}
    if not meetings:
        return counts
    rows = db.session.execute(
        select(MeetingRegistration.meeting_id, MeetingRegistration.status, func.count())
        .where(MeetingRegistration.meeting_id.in_(list(counts)))
        .group_by(MeetingRegistration.meeting_id, MeetingRegistration.status))
    for meeting_id, status, count in rows:
        counts[meeting_id][status] = count
    return counts


# --- the public -----------------------------------------------------------------------------------------

_COUNTRY_CODE = re.compile(r"(?:00)?86(1[3-9]\d{9}|0\d{9,11})")


def phone_key(phone: str) -> str:
    """A telephone number's digits, without China's country code (+86 138 0013 8000 is 13800138000, the same
    person): one sign-up a number (migration 0052 made the keys stored before so)."""
    digits = re.sub(r"\D", "", phone or "")
    bare = _COUNTRY_CODE.fullmatch(digits)
    return bare[1] if bare else digits


def masked_phone(phone: str) -> str:
    """A telephone number with its middle digits hidden (138****8000), for a page anyone with its link may read."""
    digits = phone_key(phone)
    return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:] if len(digits) > 7 else "*" * len(digits)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_registration(meeting: Meeting, *, name: str, phone: str, email: str | None, organisation: str | None,
                      statement: str | None, language: str, status: str) -> tuple[MeetingRegistration, str]:
    """A new sign-up, its fields tidied, refused when the number has a standing one for the meeting (checked first,
    and by the unique index when two come at the same moment); the secret of its page's link (only its hash kept).
    Flushes (in a savepoint)."""
    key = phone_key(phone)
    already = _l("这个电话号码已经报名了这次会议，不用重复报名。")
    if db.session.scalar(select(MeetingRegistration.id).where(
            MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.phone_key == key,
            MeetingRegistration.status != "withdrawn")) is not None:
        raise MeetingError("phone", already)
    secret = secrets.token_urlsafe(18)
    registration = MeetingRegistration(
        meeting=meeting, name=name.strip(), phone=phone.strip(), phone_key=key,
        email=(email or "").strip().lower() or None, organisation=(organisation or "").strip() or None,
        statement=(statement or "").strip() or None, language=language, status=status, key_hash=key_hash(secret))
    db.session.add(registration)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same number signed up at the same moment in another request
        raise MeetingError("phone", already) from None
    return registration, secret


def register(meeting: Meeting, *, name: str, phone: str, email: str | None, organisation: str | None,
             statement: str | None, language: str) -> tuple[MeetingRegistration, str]:
    """Sign up for ``meeting`` while its sign-up is open; one standing sign-up a telephone number. Returns the
    sign-up and the secret of the registrant's link (only its hash is kept). Flushes."""
    state = meeting.signup_state()
    if state == "full":
        raise MeetingError("name", _l("名额已经报满了。您可以在网上提意见，效果一样。"))
    if state not in ("open", "waiting"):
        raise MeetingError("name", _l("这次会议现在不接受报名。"))
    if meeting.kind == "hearing" and not (statement or "").strip():
        raise MeetingError("statement", _l("报名参加听证会，请写下您的主要观点和理由。"))
    if meeting.first_come:  # PostgreSQL: sign-ups for one meeting take turns, its row locked until the commit
        db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    registration, secret = _new_registration(
        meeting, name=name, phone=phone, email=email, organisation=organisation, statement=statement,
        language=language, status="accepted" if meeting.first_come else "applied")
    if meeting.first_come:
        # counted after the insert (SQLite: the insert took the one write lock, so another sign-up's commit is seen;
        # PostgreSQL: after the lock above): two at once never both take the last place; the caller rolls back
        if _counted(meeting, "accepted") > meeting.seats:  # the places are taken: the waiting list (候补)
            registration.status = "waiting"
            db.session.flush()
            if _counted(meeting, "waiting") > meeting.seats:  # and the waiting list is as long as it may be
                raise MeetingError("name", _l("名额已经报满了。您可以在网上提意见，效果一样。"))
    return registration, secret


def _counted(meeting: Meeting, status: str) -> int:
    return db.session.scalar(select(func.count()).select_from(MeetingRegistration).where(
        MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.status == status)) or 0


def register_for(meeting: Meeting, actor, *, name: str, phone: str, email: str | None, organisation: str | None,
                 statement: str | None) -> MeetingRegistration:
    """The office signs someone up who asked by telephone or in person (电话报名、现场报名): until the meeting begins,
    past the public sign-up's deadline too, and for a meeting by invitation; one standing sign-up a number still.
    Audited. Flushes."""
    if meeting.is_cancelled or now() >= meeting.starts_at:
        raise MeetingError("name", _l("会议已经开始、结束或已取消，不能再报名。"))
    registration, _secret = _new_registration(  # no page of their own: the office tells them
        meeting, name=name, phone=phone, email=email, organisation=organisation, statement=statement,
        language="zh_CN", status="applied")
    record_action(actor, "register_for", registration, consultation_id=meeting.consultation_id,
                  after={"number": registration.number, "meeting": meeting.id})
    return registration


def registration_by_key(secret: str) -> MeetingRegistration | None:
    if not secret or len(secret) > 64:
        return None
    return db.session.scalar(select(MeetingRegistration).where(MeetingRegistration.key_hash == key_hash(secret)))


def registration_by_number(number: str, phone: str) -> MeetingRegistration | None:
    """The sign-up with this number (``12-0003``) and this telephone number (its digits compared), for a registrant
    who lost their page's link; None when either does not match."""
    match = re.fullmatch(r"\s*(\d{1,9})\s*[-－—]\s*(\d{1,9})\s*", number or "")
    key = phone_key(phone)
    if match is None or not key:
        return None
    registration = db.session.get(MeetingRegistration, int(match[2]))
    if registration is None or registration.meeting_id != int(match[1]) or registration.erased_at is not None:
        return None
    return registration if hmac.compare_digest(registration.phone_key, key) else None


def withdraw(registration: MeetingRegistration) -> None:
    """The registrant takes back their sign-up, until the meeting begins."""
    if registration.status == "withdrawn":
        return
    if now() >= registration.meeting.starts_at:
        raise MeetingError("withdraw", _l("会议已经开始，不能再取消报名。"))
    freed = registration.status == "accepted"
    registration.status, registration.withdrawn_at = "withdrawn", now()
    db.session.flush()
    if freed:  # the waiting list moves up
        fill_places(registration.meeting)


def calendar_file(meeting: Meeting, page_url: str, host: str) -> bytes:
    """The meeting as an iCalendar event (RFC 5545, the icalendar library), in Asia/Shanghai time, for a phone's or a
    computer's calendar: a cancelled meeting says so (STATUS:CANCELLED); without an end, two hours are assumed."""
    from icalendar import Calendar, Event

    from portal.meetings.labels import KIND_LABELS

    calendar = Calendar()
    calendar.add("prodid", "-//consultation-portal//meetings//ZH")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{host}")
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", local(meeting.starts_at))
    event.add("dtend", local(meeting.ends_at or meeting.starts_at + timedelta(hours=2)))
    event.add("summary", meeting.title)
    event.add("location", meeting.place)
    event.add("description", f"{KIND_LABELS[meeting.kind]}{_('：')}{meeting.consultation.title}\n{page_url}")
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    calendar.add_component(_shanghai_timezone())
    calendar.add_component(event)
    return calendar.to_ical()


def _shanghai_timezone():
    """The VTIMEZONE that RFC 5545 asks for each TZID of the file (a calendar without it, such as Outlook's, may
    read the times as UTC): Asia/Shanghai, +08:00 all year (no summer time since 1991)."""
    from datetime import datetime

    from icalendar import Timezone, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", "Asia/Shanghai")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(hours=8))
    standard.add("tzoffsetto", timedelta(hours=8))
    standard.add("tzname", "CST")
    zone.add_component(standard)
    return zone


# --- mail -------------------------------------------------------------------------------------------------

def _queue(registration: MeetingRegistration, event: str) -> bool:
    """One mail of ``event`` to the registrant, if they left an address; rendered when sent (portal/mail/rendering.py:
    _meeting_context, which sends nothing no longer true by then)."""
    if event not in MAIL_EVENTS:
        raise ValueError(event)
    if not registration.email or registration.erased_at is not None:
        return False
    db.session.add(OutboxMessage(**outbox_row(
        "meeting", registration.email, registration.language,
        {"registration_id": registration.id, "event": event},
        consultation_id=registration.meeting.consultation_id)))
    return True


def queue_registrant_mail(meeting: Meeting, event: str, statuses: tuple[str, ...]) -> int:
    """Tell those who signed up for ``meeting`` (in ``statuses``, with an address) of ``event``. Flushes."""
    queued = sum(_queue(r, event) for r in meeting.registrations if r.status in statuses)
    db.session.flush()
    return queued


def remind_attendees(at: datetime | None = None) -> int:
    """Remind those given a place (with an address) of a meeting that starts within REMIND_BEFORE: once each, for
    the meeting's time (moved, it is reminded again; dedup key ``meeting:reminder:<sign-up>:<start>``), however
    often it runs and however many schedulers run it. Flushes; returns the number of mails queued now."""
    at = at or now()
    due = db.session.scalars(
        select(MeetingRegistration).join(MeetingRegistration.meeting)
        .where(Meeting.status == "scheduled", Meeting.starts_at > at, Meeting.starts_at <= at + REMIND_BEFORE,
               MeetingRegistration.status == "accepted", MeetingRegistration.email.is_not(None),
               MeetingRegistration.erased_at.is_(None))).all()
    if not due:
        return 0
    rows = [outbox_row("meeting", r.email, r.language, {"registration_id": r.id, "event": "reminder"},
                       dedup_key=f"meeting:reminder:{r.id}:{r.meeting.starts_at.isoformat()}",
                       consultation_id=r.meeting.consultation_id, at=at) for r in due]
    outbox = OutboxMessage.__table__
    insert = insert_for(db.session.get_bind().dialect.name)(outbox).on_conflict_do_nothing(
        index_elements=["dedup_key"], index_where=text("dedup_key IS NOT NULL"))
    queued = db.session.execute(insert.returning(outbox.c.id), rows).all()
    db.session.flush()
    return len(queued)
