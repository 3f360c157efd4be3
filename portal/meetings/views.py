"""Meetings: the public's page of each (with its sign-up form and its calendar file), the registrant's page, and the
office's pages to announce them, choose who attends and publish what was said."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.accounts.access import get_managed_consultation, role_required
from portal.citizens.services import current_citizen
from portal.consultations.views import get_public_consultation
from portal.core.flash import flash_message, refuse_at, shown_now
from portal.core.time import local
from portal.core.web import file_download, query_int
from portal.extensions import db, limiter
from portal.meetings import services
from portal.meetings.forms import CancelMeetingForm, DecisionForm, MeetingForm, MinutesForm, RegistrationForm
from portal.meetings.models import MEETING_KINDS, Meeting
from portal.meetings.summary import default_title, title_for_kind
from portal.office.forms import local_datetime
from portal.office.views import NOT_DONE, carry_out

bp = Blueprint("meetings", __name__)


def _meeting_of(consultation, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.consultation_id != consultation.id:
        abort(404)
    return meeting


# --- the public -----------------------------------------------------------------------------------------

def _too_many(_limit):
    return current_app.make_response((render_template("errors/error.html", title=_("报名太频繁"), message=_(
        "这台设备（或这个网络）报名的次数太多，这次没有报上名。请过一小时再试，或者打电话向组织单位报名。")), 429))


@bp.route("/consultations/<int:consultation_id>/meetings/<int:meeting_id>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MEETING_SIGNUP_RATE_LIMIT"], methods=["POST"], on_breach=_too_many)
def show(consultation_id: int, meeting_id: int):
    """A meeting as the public sees it: when, where, what, whether one may sign up (and the form), what was said."""
    consultation = get_public_consultation(consultation_id)
    meeting = _meeting_of(consultation, meeting_id)
    form = RegistrationForm()
    if request.method == "GET" and (citizen := current_citizen()) is not None:
        form.email.data = citizen.email
    if form.validate_on_submit():
        try:
            registration, secret = services.register(
                meeting, name=form.name.data, phone=form.phone.data, email=form.email.data,
                organisation=form.organisation.data, statement=form.statement.data, language=str(get_locale()))
        except services.MeetingError as error:
            db.session.rollback()
            refuse_at(getattr(form, error.field, form.name), error.message)
        else:
            db.session.commit()
            if registration.status == "waiting":
                flash_message(_l("名额已满，您已列入候补名单。请收藏这个页面或记下报名编号 %(number)s：递补后这里会显示，留了邮箱的还会收到邮件。",
                                 number=registration.number))
            else:
                flash_message(_l("报名成功。请收藏这个页面或记下报名编号 %(number)s：是否安排您参加，组织单位会通知您。",
                                 number=registration.number))
            return redirect(url_for("meetings.registration", key=secret), 303)
    status = 422 if form.errors else 200
    return render_template("meetings/show.html", consultation=consultation, meeting=meeting, form=form,
                           state=meeting.signup_state()), status


@bp.get("/consultations/<int:consultation_id>/meetings/<int:meeting_id>/meeting.ics")
def calendar(consultation_id: int, meeting_id: int):
    """The meeting as an iCalendar event, to put in a phone's calendar."""
    consultation = get_public_consultation(consultation_id)
    meeting = _meeting_of(consultation, meeting_id)
    page = url_for("meetings.show", consultation_id=consultation.id, meeting_id=meeting.id, _external=True)
    response = Response(services.calendar_file(meeting, page, request.host), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
    return response


@bp.route("/meetings/lookup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RECEIPT_MISS_LIMIT"], methods=["POST"],
               deduct_when=lambda response: response.status_code == 404)
def lookup():
    """A registrant who lost their page's link finds what became of their sign-up: its number and their telephone
    number (the page then shows, but does not let anyone withdraw it; misses are limited per address)."""
    if request.method == "POST":  # its CSRF token checked already
        registration = services.registration_by_number(request.form.get("number", ""), request.form.get("phone", ""))
        if registration is not None:  # its consultation's publication taken back too: the page says so
            return _registration_page(registration, looked_up=True)
        return render_template("meetings/lookup.html", not_found=True), 404
    return render_template("meetings/lookup.html", not_found=False)


@bp.route("/meetings/registrations/<key>", methods=["GET", "POST"])
def registration(key: str):
    """The registrant's own page (reached by the secret link given at sign-up): the state of their sign-up, and a
    button to take it back."""
    registration = services.registration_by_key(key)
    if registration is None:  # (a consultation whose publication was taken back: the page says so)
        abort(404)
    error = None
    if request.method == "POST":  # withdraw (its CSRF token checked already, as every form's)
        try:
            services.withdraw(registration)
        except services.MeetingError as refusal:
            db.session.rollback()
            error = shown_now(refusal.message)
        else:
            db.session.commit()
            flash_message(_l("您已取消报名。"))
            return redirect(url_for("meetings.registration", key=key), 303)
    return _registration_page(registration, error=error)


def _registration_page(registration, error: str | None = None, looked_up: bool = False):
    """A sign-up's page, for its registrant only: never kept by a cache, and its address (the key, on the own page)
    never sent on to another site."""
    response = current_app.make_response((render_template(
        "meetings/registration.html", registration=registration, meeting=registration.meeting,
        consultation=registration.meeting.consultation, error=error, looked_up=looked_up), 422 if error else 200))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the office -----------------------------------------------------------------------------------------

def _times(form: MeetingForm) -> dict:
    starts_at = local_datetime(form.start_date.data, form.start_time.data)
    ends_at = local_datetime(form.start_date.data, form.end_time.data) if form.end_time.data else None
    signup_until = local_datetime(form.signup_date.data, form.signup_time.data) if form.signup_date.data else None
    return {"starts_at": starts_at, "ends_at": ends_at, "signup_until": signup_until}


def _save(consultation, meeting: Meeting | None, form: MeetingForm) -> Meeting:
    title = title_for_kind(consultation, form.title.data, form.kind.data) if meeting is None else form.title.data
    return services.save_meeting(
        consultation, current_user, meeting, kind=form.kind.data, title=title, place=form.place.data,
        description=form.description.data, seats=form.seats.data, first_come=form.first_come.data, **_times(form))


@bp.route("/office/consultations/<int:consultation_id>/meetings", methods=["GET", "POST"])
@role_required("office")
def office_index(consultation_id: int):
    """The consultation's meetings, with their sign-ups counted, and the form to announce another."""
    consultation = get_managed_consultation(consultation_id)
    form = MeetingForm()
    if request.method == "GET":
        form.title.data = default_title(consultation)
    meeting = carry_out(form, lambda: _save(consultation, None, form))
    if meeting is not NOT_DONE:
        return redirect(url_for("meetings.office_meeting", consultation_id=consultation.id, meeting_id=meeting.id))
    proposed = {kind: default_title(consultation, kind) for kind in MEETING_KINDS}
    return render_template("meetings/office_index.html", consultation=consultation, form=form,
                           counts=services.registration_counts(consultation.meetings),
                           proposed_titles=proposed), 422 if form.errors else 200


def _office_page(consultation, meeting: Meeting, *, form=None, cancel_form=None, minutes_form=None,
                 registration_form=None, error=None):
    if form is None:
        form = MeetingForm(formdata=None, obj=None)
        start, signup = local(meeting.starts_at), meeting.signup_until and local(meeting.signup_until)
        form.kind.data, form.title.data, form.place.data = meeting.kind, meeting.title, meeting.place
        form.start_date.data, form.start_time.data = start.date(), start.time()
        form.end_time.data = local(meeting.ends_at).time() if meeting.ends_at else None
        form.description.data, form.seats.data, form.first_come.data = meeting.description, meeting.seats, meeting.first_come
        form.signup_date.data = signup.date() if signup else None
        form.signup_time.data = signup.time() if signup else form.signup_time.default
    if minutes_form is None:
        minutes_form = MinutesForm(formdata=None)
        minutes_form.minutes.data = meeting.minutes or ""
    forms = (form, cancel_form, minutes_form, registration_form)
    status = 422 if error or any(f is not None and f.errors for f in forms) else 200
    return render_template("meetings/office_meeting.html", consultation=consultation, meeting=meeting, form=form,
                           cancel_form=cancel_form or CancelMeetingForm(formdata=None), minutes_form=minutes_form,
                           decision_form=DecisionForm(formdata=None), error=error,
                           registration_form=registration_form or RegistrationForm(formdata=None),
                           voiced=services.opinions_voiced(meeting),
                           state=meeting.signup_state()), status


def _managed_meeting(consultation_id: int, meeting_id: int) -> tuple:
    """The consultation the signed-in staff member manages (else 404) and its meeting."""
    consultation = get_managed_consultation(consultation_id)
    return consultation, _meeting_of(consultation, meeting_id)


def _office_action(consultation_id: int, meeting_id: int, form_class, page_form: str, action, done):
    """A form of the meeting's office page posted: ``action(meeting, form)`` carried out, ``done(meeting)`` flashed
    and back to the page; else the page again with the form's errors (as ``page_form``)."""
    consultation, meeting = _managed_meeting(consultation_id, meeting_id)
    form = form_class()
    if carry_out(form, lambda: action(meeting, form)) is not NOT_DONE:
        flash_message(done(meeting))
        return redirect(url_for("meetings.office_meeting", consultation_id=consultation.id, meeting_id=meeting.id))
    return _office_page(consultation, meeting, **{page_form: form})


@bp.route("/office/consultations/<int:consultation_id>/meetings/<int:meeting_id>", methods=["GET", "POST"])
@role_required("office")
def office_meeting(consultation_id: int, meeting_id: int):
    """One meeting: change it, see who signed up and choose who attends, cancel it, publish what was said."""
    if request.method == "POST":
        return _office_action(consultation_id, meeting_id, MeetingForm, "form",
                              lambda meeting, form: _save(meeting.consultation, meeting, form),
                              lambda meeting: _l("会议安排已保存。"))
    return _office_page(*_managed_meeting(consultation_id, meeting_id))


@bp.post("/office/consultations/<int:consultation_id>/meetings/<int:meeting_id>/cancel")
@role_required("office")
def office_cancel(consultation_id: int, meeting_id: int):
    return _office_action(consultation_id, meeting_id, CancelMeetingForm, "cancel_form",
                          lambda meeting, form: services.cancel_meeting(meeting, current_user, form.reason.data),
                          lambda meeting: _l("会议已取消，已报名的人会收到通知（留了电子邮箱的）。请同时打电话告诉他们。"))


@bp.post("/office/consultations/<int:consultation_id>/meetings/<int:meeting_id>/registrations")
@role_required("office")
def office_register(consultation_id: int, meeting_id: int):
    """Someone who asked by telephone or in person, signed up by the office."""
    return _office_action(consultation_id, meeting_id, RegistrationForm, "registration_form",
                          lambda meeting, form: services.register_for(
                              meeting, current_user, name=form.name.data, phone=form.phone.data, email=form.email.data,
                              organisation=form.organisation.data, statement=form.statement.data),
                          lambda meeting: _l("已代为报名。"))


@bp.post("/office/consultations/<int:consultation_id>/meetings/<int:meeting_id>/minutes")
@role_required("office")
def office_minutes(consultation_id: int, meeting_id: int):
    return _office_action(consultation_id, meeting_id, MinutesForm, "minutes_form",
                          lambda meeting, form: services.publish_minutes(meeting, current_user, form.minutes.data),
                          lambda meeting: _l("会议情况已公布。") if meeting.minutes else _l("会议情况已撤下。"))


@bp.post("/office/consultations/<int:consultation_id>/meetings/<int:meeting_id>/decide")
@role_required("office")
def office_decide(consultation_id: int, meeting_id: int):
    consultation, meeting = _managed_meeting(consultation_id, meeting_id)
    form = DecisionForm()
    registration_id = query_int(form.registration_id.data)
    if not form.validate_on_submit() or registration_id is None:
        abort(400)
    try:
        services.decide(meeting, current_user, registration_id, form.decision.data)
    except services.MeetingError as error:
        db.session.rollback()
        return _office_page(consultation, meeting, error=shown_now(error.message))
    db.session.commit()
    return redirect(url_for("meetings.office_meeting", consultation_id=consultation.id, meeting_id=meeting.id)
                    + "#registrations")


@bp.get("/office/consultations/<int:consultation_id>/meetings/<int:meeting_id>/sign-in-sheet")
@role_required("office")
def office_sign_in_sheet(consultation_id: int, meeting_id: int):
    """The sign-in sheet (签到表) to print: those given a place, or all who signed up while none is chosen yet."""
    consultation, meeting = _managed_meeting(consultation_id, meeting_id)
    return render_template("meetings/sign_in_sheet.html", consultation=consultation, meeting=meeting,
                           listed=services.sign_in_list(meeting), blank_rows=services.SIGN_IN_BLANK_ROWS)


@bp.post("/office/consultations/<int:consultation_id>/meetings/<int:meeting_id>/registrations.csv")
@role_required("office")
def office_registrations(consultation_id: int, meeting_id: int):
    """The sign-ups with their contact details, for the office to call them: audited (a POST, as every download
    that writes the audit log: a link followed or prefetched records nothing)."""
    consultation, meeting = _managed_meeting(consultation_id, meeting_id)
    data = services.registrations_csv(meeting, current_user)
    db.session.commit()
    return file_download(data, "text/csv; charset=utf-8", _("报名名单-%(id)d.csv", id=meeting.id), private=True,
                         fallback=f"meeting-{meeting.id}-registrations.csv")
