"""The office workspace under /office: upload, review and correct, publish, extend, withdraw, revise."""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from portal.accounts.access import can_manage_consultation, get_managed_consultation, role_required
from portal.audit.labels import action_label
from portal.audit.models import AuditEntry
from portal.comments.models import OFFLINE_CHANNELS, Comment
from portal.consultations.models import Consultation
from portal.consultations.rounds import (
    RoundError, earlier_rounds, next_rounds, round_candidates, set_previous_round,
)
from portal.core.flash import chinese_part, flash_message, refuse_at, shown_now
from portal.core.time import SHANGHAI, local, now
from portal.drafts.models import Section
from portal.extensions import db
from portal.office import publication_review, services
from portal.office.forms import (
    END_OF_DAY, ExplanatoryNoteForm, ExtendForm, FinalDocumentForm, ImportCommentsForm, ImportEmailsForm, MailboxForm,
    NoticeForm, PlainForm, PreviousRoundForm, PublishedFileForm, PublishForm, QuestionsForm, RecordCommentForm, ReviseForm,
    ReturnPublicationForm, SectionForm, SplitSectionForm, TermsForm, UploadForm, WithdrawForm,
    draft_section_choices, local_datetime, meeting_choices, previous_round_choices, question_choices, split_emails,
    split_phones,
)
from portal.office.inbox import import_emailed_comments
from portal.office.review import review_of
from portal.units.models import Unit

bp = Blueprint("office", __name__, url_prefix="/office")


def _max_bytes() -> int:
    return current_app.config["OFFICE_UPLOAD_MAX_BYTES"]


def _add_error(form, field: str, message) -> None:
    refuse_at(getattr(form, field, None) or form.file, message)


NOT_DONE = object()
AUDIT_SHOWN = 50  # the consultation page lists the latest entries of its audit log, the rest are counted


def carry_out(form, action: Callable[[], Any]):
    """A form's action: when the form was sent and is valid, ``action()``, committed, and its result; else (not
    sent, not valid, or refused by the service: rolled back, its message shown at its field) NOT_DONE."""
    if not form.validate_on_submit():
        return NOT_DONE
    try:
        result = action()
    except services.OfficeError as error:
        db.session.rollback()
        _add_error(form, error.field, error.message)
        return NOT_DONE
    db.session.commit()
    return result


def _form_page(template: str, consultation: Consultation, form, **context):
    """A form's page of the consultation: 422 with the problems at their fields when it was refused, else 200."""
    return render_template(template, consultation=consultation, form=form, **context), 422 if form.errors else 200


@bp.get("/")
@role_required("office")
def index():
    from portal.meetings.services import undecided_signups
    from portal.office.mailbox import failing_mailboxes

    consultations = services.managed_consultations(current_user)
    ids = [c.id for c in consultations]
    return render_template("office/index.html", consultations=consultations,
                           to_review=publication_review.requests_for(current_user),
                           counts=services.comment_counts(consultations), signups=undecided_signups(ids),
                           mailbox_errors=failing_mailboxes(ids))


@bp.route("/upload", methods=["GET", "POST"])
@role_required("office")
def upload():
    form = UploadForm()
    if current_user.role == "admin":
        form.unit.choices = [SelectChoice(0, _("（不指定，只有管理员可以管理）"))] + [
            SelectChoice(u.id, u.name) for u in db.session.scalars(select(Unit).order_by(Unit.name))
        ]
    else:
        del form.unit
    candidates = round_candidates(None, _managed)
    form.previous_round.choices = previous_round_choices(candidates)
    if request.method == "GET":
        form.previous_round.data = request.args.get("previous", 0, type=int)
        if form.previous_round.data not in {c.id for c in candidates}:
            form.previous_round.data = 0

    def store():
        unit = current_user.unit if current_user.role != "admin" else db.session.get(Unit, form.unit.data or 0)
        upload = form.file.data
        consultation = services.upload_draft(current_user, upload.read(), upload.filename, unit, _max_bytes())
        if form.previous_round.data:
            try:
                set_previous_round(consultation, db.session.get(Consultation, form.previous_round.data), current_user,
                                   _managed)
            except RoundError as error:  # shown at the form's field, as the upload's own refusals
                raise services.OfficeError("previous_round", error.message) from error
        return consultation

    if (consultation := carry_out(form, store)) is not NOT_DONE:
        return redirect(url_for("office.review", consultation_id=consultation.id))
    status = 422 if form.errors else 200
    return render_template("office/upload.html", form=form, max_mb=_max_bytes() // 1024 // 1024), status


@bp.get("/consultations/<int:consultation_id>")
@role_required("office")
def review(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    # the latest entries only: each moderation action and answer writes one, thousands on a busy consultation
    in_consultation = AuditEntry.consultation_id == consultation.id
    audit = db.session.scalars(
        select(AuditEntry).where(in_consultation).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_SHOWN)
    ).all()
    audit_more = 0
    if len(audit) == AUDIT_SHOWN:
        total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(in_consultation))
        audit_more = total - AUDIT_SHOWN
    round_form = None
    if not consultation.is_published:
        round_form = PreviousRoundForm()
        round_form.previous_round.choices = previous_round_choices(round_candidates(consultation, _managed))
        round_form.previous_round.data = consultation.previous_round_id or 0
    request_ = publication_review.latest_request(consultation)
    return render_template("office/review.html", consultation=consultation, review=review_of(consultation),
                           audit=audit, audit_more=audit_more, round_form=round_form,
                           earlier_rounds=earlier_rounds(consultation),
                           next_rounds=next_rounds(consultation),
                           reviewed=publication_review.review_required(consultation),
                           publication_request=request_,
                           may_decide=request_ is not None and publication_review.may_decide(current_user, request_),
                           return_form=ReturnPublicationForm(), plain_form=PlainForm(), action_label=action_label)


@bp.get("/consultations/<int:consultation_id>/audit")
@role_required("office")
def audit_log(consultation_id: int):
    """The consultation's whole audit log, newest first, a page at a time (its page lists the latest entries)."""
    from portal.audit.services import find_entries
    from portal.core.web import query_int

    consultation = get_managed_consultation(consultation_id)
    page = query_int(request.args.get("page")) or 1
    entries, total = find_entries(consultation_id=consultation.id, page=page, per_page=AUDIT_SHOWN)
    return render_template("office/audit.html", consultation=consultation, entries=entries, total=total, page=page,
                           pages=max(1, -(-total // AUDIT_SHOWN)), action_label=action_label)


def _managed(consultation: Consultation) -> bool:
    return can_manage_consultation(current_user, consultation)


@bp.post("/consultations/<int:consultation_id>/previous-round")
@role_required("office")
def previous_round(consultation_id: int):
    """再次征求意见: name (or clear) the consultation this one follows, before it is published."""
    consultation = get_managed_consultation(consultation_id)
    form = PreviousRoundForm()
    form.previous_round.choices = previous_round_choices(round_candidates(consultation, _managed))
    if not form.validate_on_submit():
        flash_message(_l("请从列表中选择要接续的征求意见。"), "error")
        return redirect(url_for("office.review", consultation_id=consultation.id, _anchor="rounds"))
    try:
        set_previous_round(consultation, db.session.get(Consultation, form.previous_round.data or 0), current_user,
                           _managed)
    except RoundError as error:
        db.session.rollback()
        flash_message(error.message, "error")
    else:
        db.session.commit()
        flash_message(_l("已保存。"))
    return redirect(url_for("office.review", consultation_id=consultation.id, _anchor="rounds"))


@bp.route("/consultations/<int:consultation_id>/notice", methods=["GET", "POST"])
@role_required("office")
def edit_notice(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    form = NoticeForm()
    if request.method == "GET":
        form = NoticeForm(
            title=consultation.title, issuer=consultation.issuer, notice_date=consultation.notice_date,
            addressee=consultation.addressee, contact_office=consultation.contact_office,
            contact_person=consultation.contact_person, contact_phones="、".join(consultation.contact_phones or []),
            contact_emails="、".join(consultation.contact_emails or []), contact_address=consultation.contact_address,
            deadline_date=consultation.deadline.astimezone(SHANGHAI).date() if consultation.deadline else None,
            deadline_time=consultation.deadline.astimezone(SHANGHAI).time() if consultation.deadline else END_OF_DAY,
        )
    elif form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "title", "issuer", "notice_date", "addressee", "contact_office", "contact_person", "contact_address")}
        values["contact_phones"] = split_phones(form.contact_phones.data)
        values["contact_emails"] = split_emails(form.contact_emails.data)
        if not consultation.is_published:  # published: the page shows the deadline, the extension page moves it
            values["deadline"] = local_datetime(form.deadline_date.data, form.deadline_time.data)
        try:
            services.update_notice(consultation, current_user, values)
        except services.OfficeError as error:
            db.session.rollback()
            _add_error(form, error.field, error.message)
        else:
            db.session.commit()
            return redirect(url_for("office.review", consultation_id=consultation.id) + "#notice")
    return _form_page("office/notice.html", consultation, form)


def _current_section(consultation_id: int, section_id: int) -> tuple[Consultation, Section]:
    """The managed consultation and a section of its current draft (404 for any other)."""
    consultation = get_managed_consultation(consultation_id)
    section = db.session.get(Section, section_id)
    if section is None or section.draft_id != consultation.current_draft.id:
        abort(404)
    return consultation, section


@bp.route("/consultations/<int:consultation_id>/sections/<int:section_id>", methods=["GET", "POST"])
@role_required("office")
def edit_section(consultation_id: int, section_id: int):
    consultation, section = _current_section(consultation_id, section_id)
    form = SectionForm() if request.method == "POST" else SectionForm(level=section.level, heading=section.heading,
                                                                      key_points=section.key_points, text=section.text)
    sent = request.form  # a field the form did not send is left as it is (the text: after publishing)
    if carry_out(form, lambda: services.update_section(
            section, current_user, form.level.data, form.heading.data or "",
            form.key_points.data if "key_points" in sent else None,
            form.text.data if "text" in sent else None)) is not NOT_DONE:
        return redirect(url_for("office.review", consultation_id=consultation.id) + f"#outline-{section.id}")
    status = 422 if form.errors else 200
    return render_template("office/section.html", consultation=consultation, section=section, form=form,
                           split=split_form(section) if not consultation.is_published and section.lines else None), status


def split_form(section: Section) -> SplitSectionForm:
    form = SplitSectionForm(prefix="split")
    form.line.choices = [SelectChoice(number, line if len(line) <= 40 else line[:40] + "…")
                         for number, line in enumerate(section.lines)]
    if not form.is_submitted():
        form.level.data = section.level + 1 if section.level < 6 else 6
    return form


def _restructured(consultation: Consultation, section: Section, change: Callable[[], Section],
                  done: Callable[[Section], str]):
    """A change of the draft's structure before publishing: carried out, committed, said, and the review page
    shown at the section it gave; refused: rolled back and said on the section's page."""
    try:
        result = change()
    except services.OfficeError as error:
        db.session.rollback()
        flash_message(error.message, "error")
        return redirect(url_for("office.edit_section", consultation_id=consultation.id, section_id=section.id))
    db.session.commit()
    flash_message(done(result))
    return redirect(url_for("office.review", consultation_id=consultation.id) + f"#outline-{result.id}")


@bp.post("/consultations/<int:consultation_id>/sections/<int:section_id>/split")
@role_required("office")
def split_section(consultation_id: int, section_id: int):
    """Before publishing: a numbered line of the text the import did not read as a heading starts a section."""
    consultation, section = _current_section(consultation_id, section_id)
    form = split_form(section)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash_message(message, "error")
        return redirect(url_for("office.edit_section", consultation_id=consultation.id, section_id=section.id))
    return _restructured(consultation, section,
                         lambda: services.split_section(section, current_user, form.line.data, form.level.data),
                         lambda new: _l("已另起一部分“%(title)s”。", title=chinese_part(new.title)))


@bp.post("/consultations/<int:consultation_id>/sections/<int:section_id>/merge")
@role_required("office")
def merge_section(consultation_id: int, section_id: int):
    """Before publishing: a heading read where the draft has none becomes text of the section before it."""
    consultation, section = _current_section(consultation_id, section_id)
    return _restructured(consultation, section, lambda: services.merge_section(section, current_user),
                         lambda into: _l("已并入上一部分“%(title)s”。", title=chinese_part(into.title)))


@bp.route("/consultations/<int:consultation_id>/publish", methods=["GET", "POST"])
@role_required("office")
def publish(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    if consultation.is_published:
        return redirect(url_for("office.review", consultation_id=consultation.id))
    form = PublishForm()
    if request.method == "GET" and consultation.deadline and consultation.deadline > now():
        local = consultation.deadline.astimezone(SHANGHAI)
        form.deadline_date.data, form.deadline_time.data = local.date(), local.time()
    short = False
    # 审核发布 (the unit's choice, else the deployment's): submitted for a colleague's approval
    reviewed = publication_review.review_required(consultation)
    pending = publication_review.pending_request(consultation)
    if reviewed and pending is not None:
        return redirect(url_for("office.review", consultation_id=consultation.id, _anchor="publication-request"))
    by_admins = reviewed and publication_review.reviewers(consultation, current_user.id)[1]
    if form.validate_on_submit():
        opens_at = local_datetime(form.opens_date.data, form.opens_time.data) if form.opens.data == "later" else None
        deadline = local_datetime(form.deadline_date.data, form.deadline_time.data)
        # no review (any longer): published at once, a request still pending from before ending with it
        act = publication_review.request_publication if reviewed else publication_review.publish_directly
        try:
            act(consultation, current_user, opens_at, deadline, form.confirm_short.data,
                form.short_reason.data or "", form.comment_visibility.data)
        except services.PeriodError as error:
            db.session.rollback()
            for field, message in error.problems:
                _add_error(form, field, message)
                short = short or field in ("confirm_short", "short_reason")
        except services.OfficeError as error:
            db.session.rollback()
            _add_error(form, "opens", error.message)
        else:
            db.session.commit()
            if reviewed:
                flash_message(_l("已提交审核。本单位没有其他工作人员，由管理员审核，审核通过后才会发布；管理员已收到邮件。")
                              if by_admins else _l("已提交审核。本单位的其他工作人员审核通过后才会发布；审核人已收到邮件。"))
                return redirect(url_for("office.review", consultation_id=consultation.id,
                                        _anchor="publication-request"))
            return redirect(url_for("office.review", consultation_id=consultation.id))
    return _form_page("office/publish.html", consultation, form, short=short,
                      reviewed=reviewed, by_admins=by_admins, pending=pending)


@bp.post("/consultations/<int:consultation_id>/publication-request/approve")
@role_required("office")
def approve_publication(consultation_id: int):
    """审核发布: approve a colleague's request, publishing the consultation."""
    return _decide_publication(consultation_id, "approve")


@bp.post("/consultations/<int:consultation_id>/publication-request/return")
@role_required("office")
def return_publication(consultation_id: int):
    """审核发布: return a colleague's request with a note."""
    return _decide_publication(consultation_id, "return")


@bp.post("/consultations/<int:consultation_id>/publication-request/cancel")
@role_required("office")
def cancel_publication_request(consultation_id: int):
    """审核发布: take back one's own request."""
    return _decide_publication(consultation_id, "cancel")


def _decide_publication(consultation_id: int, decision: str):
    consultation = get_managed_consultation(consultation_id)
    request_ = publication_review.pending_request(consultation)
    form = ReturnPublicationForm() if decision == "return" else PlainForm()
    if request_ is None:
        flash_message(_l("这项发布申请已经审核或撤回。"), "error")
    elif not form.validate_on_submit():
        flash_message(next(iter(form.errors.values()))[0] if form.errors else _l("请重试。"), "error")
    else:
        try:
            if decision == "approve":
                publication_review.approve(request_, current_user)
            elif decision == "return":
                publication_review.return_request(request_, current_user, form.note.data or "")
            else:
                publication_review.cancel_request(request_, current_user)
        except services.OfficeError as error:
            db.session.rollback()
            flash_message(error.message, "error")
        else:
            db.session.commit()
            flash_message({"approve": _l("已审核通过并发布。"), "return": _l("已退回，提交人已收到邮件。"),
                           "cancel": _l("已撤回提交。")}[decision])
    return redirect(url_for("office.review", consultation_id=consultation.id, _anchor="publication-request"))


@bp.route("/consultations/<int:consultation_id>/extend", methods=["GET", "POST"])
@role_required("office")
def extend(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    form = ExtendForm()
    form.problems = functools.partial(services.extension_problems, consultation)
    if carry_out(form, lambda: services.extend_deadline(
            consultation, current_user, local_datetime(form.deadline_date.data, form.deadline_time.data),
            form.reason.data)) is not NOT_DONE:
        return redirect(url_for("office.review", consultation_id=consultation.id))
    return _form_page("office/extend.html", consultation, form)


@bp.route("/consultations/<int:consultation_id>/withdraw", methods=["GET", "POST"])
@role_required("office")
def withdraw(consultation_id: int):
    from portal.meetings.services import expected_registrants

    consultation = get_managed_consultation(consultation_id)
    form = WithdrawForm()
    if carry_out(form, lambda: services.withdraw_publication(consultation, current_user,
                                                               form.reason.data)) is not NOT_DONE:
        return redirect(url_for("office.review", consultation_id=consultation.id))
    return _form_page("office/withdraw.html", consultation, form, registrants=expected_registrants(consultation))


@bp.route("/consultations/<int:consultation_id>/revise", methods=["GET", "POST"])
@role_required("office")
def revise(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    form = ReviseForm()
    if (revised := carry_out(form, lambda: services.revise_draft(
            consultation, current_user, form.file.data.read(), form.file.data.filename, form.change_note.data,
            _max_bytes()))) is not NOT_DONE:
        if changed := revised.quotes_changed:  # the office hears what its changes touched
            flash_message(lazy_ngettext("这次修订改动了 %(num)d 条意见所引用的原文。意见人在回执页面上会看到；留下并确认了电子邮箱的，会收到邮件。",
                                        "这次修订改动了 %(num)d 条意见所引用的原文。意见人在回执页面上会看到；留下并确认了电子邮箱的，会收到邮件。",
                                        changed))
        return redirect(url_for("office.review", consultation_id=consultation.id, revised=revised.draft.version))
    return _form_page("office/revise.html", consultation, form, max_mb=_max_bytes() // 1024 // 1024)


RECENTLY_RECORDED = 20  # the opinions typed in last, listed under the form (a letter typed in twice shows)


@bp.route("/consultations/<int:consultation_id>/comments/new", methods=["GET", "POST"])
@role_required("office")
def record_comment(consultation_id: int):
    """Type in an opinion received by e-mail, letter, fax, telephone or in person; the next one after it."""
    consultation = get_managed_consultation(consultation_id)
    form = RecordCommentForm()
    form.section_id.choices = draft_section_choices(consultation.current_draft)
    form.question.choices = question_choices(consultation)
    form.meeting_id.choices = meeting_choices(consultation)
    if (stored := carry_out(form, lambda: services.record_comment(
            consultation, current_user, channel=form.channel.data, received_on=form.received_on.data,
            received_at=form.received_moment(),
            section_id=form.section_id.data or None, body=form.body.data, stance=form.stance.data,
            author_name=form.author_name.data, author_contact=form.author_contact.data,
            files=request.files.getlist("attachments"), quote=form.quote.data,
            proposal=form.proposal.data, organisation=form.organisation.data,
            organisation_kind=form.organisation_kind.data,
            question=int(form.question.data) if form.question.data else None,
            meeting_id=form.meeting_id.data or None))) is not NOT_DONE:
        return redirect(url_for("office.record_comment", consultation_id=consultation.id,
                                recorded=stored.receipt_number))
    recent = db.session.scalars(
        select(Comment).where(Comment.consultation_id == consultation.id, Comment.channel.in_(OFFLINE_CHANNELS))
        .options(selectinload(Comment.section))  # the table names each one's section
        .order_by(Comment.id.desc()).limit(RECENTLY_RECORDED)
    ).all()
    recorded = next((c for c in recent if c.receipt_number == request.args.get("recorded")), None)
    if not form.is_submitted():  # the next of a pile of letters came the same way, most likely the same day
        form.channel.data = recorded.channel if recorded else form.channel.default
        form.received_on.data = local(recorded.created_at if recorded else now()).date()
        if recorded is None and (meeting := _meeting_arg(consultation)) is not None:  # from a meeting's page
            form.channel.data, form.received_on.data = "meeting", local(meeting.starts_at).date()
            form.meeting_id.data = meeting.id
    return _form_page("office/record_comment.html", consultation, form, recent=recent,
                      recorded=recorded, imported=request.args.get("imported", type=int))


def _meeting_arg(consultation):
    """The consultation's meeting named by ``?meeting=`` (the meeting's page links here to type in what was said
    there), or None."""
    from portal.core.web import query_int

    meeting_id = query_int(request.args.get("meeting"))
    return next((m for m in consultation.meetings if m.id == meeting_id), None) if meeting_id else None


@bp.route("/consultations/<int:consultation_id>/comments/import", methods=["GET", "POST"])
@role_required("office")
def import_comments(consultation_id: int):
    """Type in many opinions at once: a filled feedback form, or the office's own list of those received."""
    consultation = get_managed_consultation(consultation_id)
    form = ImportCommentsForm()
    if not form.is_submitted():
        form.received_on.data = local(now()).date()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            stored = services.import_recorded_comments(
                consultation, current_user, form.file.data.read(), channel=form.channel.data,
                received_on=form.received_on.data, max_length=current_app.config["COMMENT_MAX_LENGTH"])
        except services.ImportRefused as error:
            db.session.rollback()  # all or nothing
            problems = [shown_now(message) for message in error.messages]
        else:
            db.session.commit()
            return redirect(url_for("office.record_comment", consultation_id=consultation.id, imported=len(stored)))
    status = 422 if form.errors or problems else 200
    return render_template("office/import_comments.html", consultation=consultation, form=form,
                           problems=problems), status


@bp.route("/consultations/<int:consultation_id>/comments/emails", methods=["GET", "POST"])
@role_required("office")
def import_emails(consultation_id: int):
    """Record the opinions received by e-mail: the messages as the office's mail program saved them."""
    consultation = get_managed_consultation(consultation_id)
    form = ImportEmailsForm()
    problems: list[str] = []
    result = None
    if form.validate_on_submit():
        try:
            result = import_emailed_comments(consultation, current_user, [
                (file.filename, file.read()) for file in request.files.getlist("files") if file.filename])
        except services.ImportRefused as error:
            db.session.rollback()
            problems = [shown_now(message) for message in error.messages]
        else:
            db.session.commit()
    status = 422 if form.errors or problems else 200
    return _emails_page(consultation, form, problems=problems, result=result, status=status)


def _emails_page(consultation, form=None, mailbox_form=None, problems=(), result=None, fetched=None, status=200):
    """The page of opinions received by e-mail: the upload of saved messages, and the mailbox the portal reads."""
    from portal.office.mailbox import mailbox_of

    mailbox = mailbox_of(consultation)
    if mailbox_form is None:
        mailbox_form = MailboxForm(formdata=None, obj=mailbox) if mailbox is not None else MailboxForm(formdata=None)
    upload_bytes = current_app.config["MAX_CONTENT_LENGTH"] - 64 * 1024  # the form's other fields and framing
    return render_template("office/import_emails.html", consultation=consultation, form=form or ImportEmailsForm(),
                           problems=problems, result=result, upload_bytes=upload_bytes, mailbox=mailbox,
                           mailbox_form=mailbox_form, fetched=fetched,
                           upload_mb=current_app.config["MAX_CONTENT_LENGTH"] // 1024 // 1024), status


@bp.post("/consultations/<int:consultation_id>/comments/mailbox")
@role_required("office")
def mailbox(consultation_id: int):
    """Set, read now or remove the mailbox the portal reads the consultation's e-mailed opinions from."""
    from portal.office.mailbox import MailboxError, fetch_mailbox, mailbox_of, remove_mailbox, save_mailbox

    consultation = get_managed_consultation(consultation_id)
    action = request.form.get("action")  # its CSRF token checked already
    if action == "remove":
        remove_mailbox(consultation, current_user)
        db.session.commit()
        flash_message(_l("已停止收取这个邮箱，保存的密码已删除。"))
        return redirect(url_for("office.import_emails", consultation_id=consultation.id, _anchor="mailbox"), 303)
    if action == "fetch":
        found = mailbox_of(consultation)
        if found is None:
            return redirect(url_for("office.import_emails", consultation_id=consultation.id, _anchor="mailbox"), 303)
        fetched = fetch_mailbox(found, current_user, interactive=True)  # within gunicorn's worker timeout
        return _emails_page(consultation, fetched=fetched, status=200 if fetched.error is None else 422)
    form = MailboxForm()
    if form.validate_on_submit():
        try:
            save_mailbox(consultation, current_user, host=form.host.data, port=form.port.data,
                         security=form.security.data, username=form.username.data, password=form.password.data,
                         folder=form.folder.data)
        except MailboxError as error:
            db.session.rollback()
            getattr(form, error.field).errors = [shown_now(error.message)]
        else:
            db.session.commit()
            flash_message(_l("已保存。平台每隔几分钟收取一次这个邮箱；也可以点“立即收取”。"))
            return redirect(url_for("office.import_emails", consultation_id=consultation.id, _anchor="mailbox"), 303)
    return _emails_page(consultation, mailbox_form=form, status=422)


@bp.route("/consultations/<int:consultation_id>/final-document", methods=["GET", "POST"])
@role_required("office")
def final_document(consultation_id: int):
    """Publish, correct or take away the policy as finally issued (正式文件), once the consultation has closed."""
    consultation = get_managed_consultation(consultation_id)
    existing = consultation.final_document
    form = FinalDocumentForm()
    if request.method == "GET" and existing is not None:
        form.title.data, form.document_number.data = existing.title, existing.document_number
        form.issued_on.data, form.note.data = existing.issued_on, existing.note
    elif request.method == "POST" and request.form.get("action") == "remove":  # its CSRF token checked already
        services.remove_final_document(consultation, current_user)
        db.session.commit()
        return redirect(url_for("office.final_document", consultation_id=consultation.id))
    elif request.method == "POST":
        upload = form.file.data
        if carry_out(form, lambda: services.publish_final_document(
                consultation, current_user, data=upload.read() if upload else None,
                filename=upload.filename if upload else None, title=form.title.data,
                document_number=form.document_number.data, issued_on=form.issued_on.data, note=form.note.data,
                max_bytes=_max_bytes())) is not NOT_DONE:
            return redirect(url_for("consultations.final_document", consultation_id=consultation.id))
    return _form_page("office/final_document.html", consultation, form, existing=existing)


@bp.route("/consultations/<int:consultation_id>/explanatory-note", methods=["GET", "POST"])
@role_required("office")
def explanatory_note(consultation_id: int):
    """Publish, replace or take away the explanatory note (起草说明) shown beside the draft."""
    consultation = get_managed_consultation(consultation_id)
    form = ExplanatoryNoteForm()
    if request.method == "GET":
        form.text.data = consultation.explanatory_note or ""
    elif request.form.get("action") == "remove":
        if carry_out(form, lambda: services.remove_explanatory_note(consultation, current_user)) is not NOT_DONE:
            return redirect(url_for("office.review", consultation_id=consultation.id) + "#explanatory-note")
    else:
        upload = form.file.data
        if carry_out(form, lambda: services.set_explanatory_note(
                consultation, current_user, text=form.text.data, data=upload.read() if upload else None,
                filename=upload.filename if upload else None, max_bytes=_max_bytes())) is not NOT_DONE:
            return redirect(url_for("office.review", consultation_id=consultation.id) + "#explanatory-note")
    return _form_page("office/explanatory_note.html", consultation, form)


@bp.route("/consultations/<int:consultation_id>/terms", methods=["GET", "POST"])
@role_required("office")
def terms(consultation_id: int):
    """The terms the draft uses, explained in plain words (术语解释), shown with the sections that use them."""
    from portal.consultations.terms import terms_text

    consultation = get_managed_consultation(consultation_id)
    form = TermsForm()
    if request.method == "GET":
        form.text.data = terms_text(consultation.terms)
    if carry_out(form, lambda: services.set_terms(consultation, current_user, form.text.data or "")) is not NOT_DONE:
        return redirect(url_for("office.review", consultation_id=consultation.id) + "#terms")
    return _form_page("office/terms.html", consultation, form)


@bp.route("/consultations/<int:consultation_id>/questions", methods=["GET", "POST"])
@role_required("office")
def questions(consultation_id: int):
    """The key questions (重点问题) the office most wants to hear about, one a line, some with choices (选择题), whose
    answers so far it sees here."""
    from portal.consultations.choices import choice_results
    from portal.consultations.questions import question_lines

    consultation = get_managed_consultation(consultation_id)
    form = QuestionsForm()
    if request.method == "GET":
        form.text.data = question_lines(consultation.questions, consultation.question_choices,
                                        consultation.multiple_choice_questions)
    if carry_out(form, lambda: services.set_questions(
            consultation, current_user, form.text.data or "")) is not NOT_DONE:
        return redirect(url_for("office.review", consultation_id=consultation.id) + "#questions")
    return _form_page("office/questions.html", consultation, form, results=choice_results(consultation))


@bp.route("/consultations/<int:consultation_id>/files", methods=["GET", "POST"])
@role_required("office")
def files(consultation_id: int):
    """Files published beside the draft (相关文件): add one, see and take away those published."""
    consultation = get_managed_consultation(consultation_id)
    form = PublishedFileForm()
    if carry_out(form, lambda: services.add_published_file(
            consultation, current_user, title=form.title.data, data=form.file.data.read(),
            filename=form.file.data.filename, max_bytes=_max_bytes())) is not NOT_DONE:
        return redirect(url_for("office.files", consultation_id=consultation.id))
    return _form_page("office/files.html", consultation, form, max_mb=_max_bytes() // 1024 // 1024)


@bp.post("/consultations/<int:consultation_id>/files/<int:file_id>/delete")
@role_required("office")
def delete_file(consultation_id: int, file_id: int):
    consultation = get_managed_consultation(consultation_id)
    try:
        services.remove_published_file(consultation, current_user, file_id)
    except services.OfficeError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    return redirect(url_for("office.files", consultation_id=consultation.id))
