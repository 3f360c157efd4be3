"""The office answers comments: one at a time or many at once, then publishes its answers after closing."""
from itertools import groupby

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user
from sqlalchemy import select

from portal.comments.agreements import agreement_addresses
from portal.accounts.access import can_manage_consultation, get_managed_consultation, role_required
from portal.comments.attachments import attachments_of
from portal.comments.models import Comment, NOT_RECEIVED
from portal.comments.quotes import changed_quotes, most_quoted, proposals_taken, received_quoting, sentence_of
from portal.core.flash import chinese_part, flash_message
from portal.digests.annotated import ANNOTATED_MAX
from portal.consultations.models import Consultation
from portal.digests.exports import attachments_built_by_worker, built_by_worker, recent_exports
from portal.digests.services import attachment_totals
from portal.extensions import db
from portal.moderation.grouping import group_new_comments
from portal.moderation.labels import STANCE_LABELS
from portal.responses.filters import ANSWERS, letter_sizes, list_counts, parse_filters, section_choices
from portal.responses.advice import advice_by_unit, advice_for, advice_request, give_advice
from portal.responses.forms import AdviceForm, BulkResponseForm, ResponseForm, move_comment_form
from portal.responses.models import Response
from portal.responses.services import (
    ResponseRefused, answered_receipts, common_reasons, filtered_page, list_page, move_comment, place_in_list, publish_responses,
    respond_to_comments, respondable_comments, response_counts,
)

bp = Blueprint("responses", __name__, url_prefix="/office/consultations/<int:consultation_id>")
PAGE_SIZE = 100


def get_comment(consultation: Consultation, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.consultation_id != consultation.id or comment.status in NOT_RECEIVED:
        abort(404)
    return comment


@bp.get("/responses")
@role_required("office")
def index(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    return render_index(consultation, BulkResponseForm())


def render_index(consultation: Consultation, form: BulkResponseForm, status: int = 200):
    # copies of a form letter are shown as such; group what the grouping worker has not reached yet
    group_new_comments(limit=current_app.config["MODERATION_GROUP_ON_VIEW"])
    filters = parse_filters(request.args)
    counts = list_counts(consultation)  # the whole consultation's
    rows = None
    if filters.active:  # the page asked for and the filtered count, from one statement
        rows, total = filtered_page(consultation, filters, filters.page, PAGE_SIZE)
    else:
        total = counts.total
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(filters.page, pages)
    if rows is None or page != filters.page:  # not read yet, or past the end: the last page
        rows = list_page(consultation, filters, page, PAGE_SIZE)
    groups = [(section_id, list(group)) for section_id, group in groupby(rows, key=lambda row: row.Comment.section_id)]
    shown = [row.Comment for row in rows]
    files = attachment_totals(consultation)  # the number of files, and whether their ZIP is built by the worker
    return render_template(
        "responses/index.html", consultation=consultation, form=form, groups=groups, page=page, pages=pages,
        total=total, all_count=counts.total, counts=counts.responses, filters=filters, answers=ANSWERS,
        stances=STANCE_LABELS, sections=section_choices(consultation, counts),
        letters=letter_sizes(consultation.id, shown),
        attachments=attachments_of(c.id for c in shown), file_count=files[0],
        reasons=common_reasons(consultation), advice=advice_for(c.id for c in shown), annotated_max=ANNOTATED_MAX,
        exports_queued=built_by_worker(consultation, received=counts.total), exports=recent_exports(consultation),
        files_queued=attachments_built_by_worker(consultation, files),
        quotes_changed=changed_quotes(consultation, shown), proposals_taken=proposals_taken(consultation, shown),
        sentences=most_quoted(consultation),
        passage_text=received_quoting(consultation, filters.passage)[0] if filters.passage is not None else None,
        units=advice_by_unit(consultation, counts),
        question_counts=counts.question_counts(consultation),
        agreement_addresses=agreement_addresses(c.id for c in shown if c.agreement_count),
        answered=answered_receipts(shown),
    ), status


@bp.post("/responses")
@role_required("office")
def respond_many(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    filters = parse_filters(request.args)
    form = BulkResponseForm()
    if not form.validate():
        return render_index(consultation, form, 422)
    if form.every.data:
        # every comment of the list the office saw: refused if it changed since (a comment arrived, another
        # member of the office answered some), so that nobody answers comments they have not seen counted
        comments = db.session.scalars(respondable_comments(consultation, filters)).all()
        if str(len(comments)) != (form.expected.data or "").strip():
            form.every.data = False  # to be ticked again once the office has looked at the list
            form.every.errors = [_("筛选出的意见已有变化，现在是 %(n)d 条，没有保存。请核对列表后再保存。", n=len(comments))]
            return render_index(consultation, form, 409)
    else:
        comments = db.session.scalars(
            select(Comment).where(Comment.id.in_(form.comment_ids.data), Comment.consultation_id == consultation.id)
        ).all()
    try:
        written = respond_to_comments(consultation, comments, form.outcome.data, form.reason.data, current_user)
    except ResponseRefused as refusal:
        db.session.rollback()
        form.comment_ids.errors = [refusal.message]
        return render_index(consultation, form, 422)
    db.session.commit()
    flash_message(lazy_ngettext("已保存 %(num)d 条答复。", "已保存 %(num)d 条答复。", len(written)))
    return redirect(url_for("responses.index", consultation_id=consultation.id, **filters.args()))


@bp.route("/responses/<int:comment_id>", methods=["GET", "POST"])
@role_required("office")
def respond_one(consultation_id: int, comment_id: int):
    consultation = get_managed_consultation(consultation_id)
    comment = get_comment(consultation, comment_id)
    filters = parse_filters(request.args)  # the list to go back to, or step through
    place = place_in_list(consultation, filters, comment.id)  # before saving: an answer may take it out of the list
    response = db.session.scalar(select(Response).where(Response.comment_id == comment.id))
    form = ResponseForm(obj=response)
    if form.validate_on_submit():
        paraphrase = form.paraphrase.data if not consultation.comments_public else None
        respond_to_comments(consultation, [comment], form.outcome.data, form.reason.data, current_user, paraphrase)
        db.session.commit()
        flash_message(_l("答复已保存。"))
        if request.form.get("then") == "next" and place.next_id:
            return redirect(url_for("responses.respond_one", consultation_id=consultation.id,
                                    comment_id=place.next_id, **filters.args(page=1)))
        return redirect(url_for("responses.index", consultation_id=consultation.id, **filters.args())
                        + f"#comment-{comment.id}")
    status = 422 if form.errors else 200
    return _respond_page(consultation, comment, response, form, filters, place, move_comment_form(consultation, comment),
                         status)


@bp.post("/responses/<int:comment_id>/section")
@role_required("office")
def move(consultation_id: int, comment_id: int):
    """Put a comment under another section of the draft (改归章节)."""
    consultation = get_managed_consultation(consultation_id)
    comment = get_comment(consultation, comment_id)
    filters = parse_filters(request.args)
    form = move_comment_form(consultation, comment, formdata=request.form)
    if form is None:
        abort(404)
    if moved_by_form(consultation, comment, form):
        return redirect(url_for("responses.respond_one", consultation_id=consultation.id, comment_id=comment.id,
                                **filters.args()))
    response = db.session.scalar(select(Response).where(Response.comment_id == comment.id))
    place = place_in_list(consultation, filters, comment.id)
    return _respond_page(consultation, comment, response, ResponseForm(obj=response, formdata=None), filters, place,
                         form, 422)


def moved_by_form(consultation: Consultation, comment: Comment, form) -> bool:
    """Carry out a posted form putting ``comment`` under another section (the office's page of a comment, the
    moderators' queue): True when done and committed (the next page says where it went; nothing to do when it was
    there already), False when the form or the service refused it (the form says why; nothing changed)."""
    if not form.validate():
        return False
    try:
        moved = move_comment(consultation, comment, form.section_id.data or None, current_user, form.move_reason.data)
    except ResponseRefused as refusal:
        db.session.rollback()
        form.section_id.errors = [refusal.message]
        return False
    db.session.commit()
    if moved:
        title = comment.section.title if comment.section is not None else _("草案整体")
        flash_message(_l("已改归“%(section)s”。负责这一部分的责任单位会收到这条意见。", section=chinese_part(title)), "success")
    return True


def _respond_page(consultation, comment, response, form, filters, place, move, status):
    return render_template(
        "responses/respond.html", consultation=consultation, comment=comment, response=response, form=form,
        move_form=move,
        attachments=attachments_of([comment.id]), filters=filters, place=place, reasons=common_reasons(consultation),
        advice=advice_for([comment.id]).get(comment.id, []), letters=letter_sizes(consultation.id, [comment]),
        quotes_changed=changed_quotes(consultation, [comment]), proposals_taken=proposals_taken(consultation, [comment]),
        sentence=sentence_of(consultation, comment.id) if comment.quote else None,
    ), status


@bp.post("/responses/remind-units")
@role_required("office")
def remind(consultation_id: int):
    """Mail the responsible units that have comments without their advice the link to them (催办)."""
    from portal.responses.advice import remind_units

    consultation = get_managed_consultation(consultation_id)
    reminded, already = remind_units(consultation, current_user)
    db.session.commit()
    if reminded:
        flash_message(lazy_ngettext("已给 %(num)d 个责任单位发邮件，提醒他们对还没有提建议的意见提出建议。",
                                    "已给 %(num)d 个责任单位发邮件，提醒他们对还没有提建议的意见提出建议。", reminded))
    if already:
        flash_message(lazy_ngettext("%(num)d 个单位今天已经提醒过，没有再发。", "%(num)d 个单位今天已经提醒过，没有再发。", already))
    if not reminded and not already:
        flash_message(_l("每个责任单位都已对发给它的意见提出了建议，不需要提醒。"))
    return redirect(url_for("responses.index", consultation_id=consultation.id))


@bp.post("/responses/units/links")
@role_required("office")
def renew_links(consultation_id: int):
    """Renew a responsible unit's links (更换链接): the ones mailed to it so far no longer open, a new one is mailed."""
    from portal.responses.advice import renew_unit_links

    consultation = get_managed_consultation(consultation_id)
    addresses = renew_unit_links(consultation, (request.form.get("unit") or "").strip(), current_user)
    if not addresses:
        abort(404)
    db.session.commit()
    flash_message(_l("已更换“%(unit)s”的处理建议链接：以前的链接不能再用，新链接已发到 %(addresses)s。",
                     unit=chinese_part(request.form["unit"].strip()), addresses="、".join(addresses)), "success")
    return redirect(url_for("responses.index", consultation_id=consultation.id))


@bp.get("/responses/preview")
@role_required("office")
def preview(consultation_id: int):
    """The public feedback report as it will read once the office's answers are published, drafted ones included;
    for the office only, before the deadline too."""
    from portal.consultations.services import closing_summary
    from portal.reports.views import feedback_page

    consultation = get_managed_consultation(consultation_id)
    return render_template(
        "reports/feedback.html", consultation=consultation, preview=True, summary=closing_summary(consultation),
        counts=response_counts(consultation), **feedback_page(consultation, drafts=True),
    )


@bp.post("/responses/publish")
@role_required("office")
def publish(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    try:
        count = publish_responses(consultation, current_user)
    except ResponseRefused as refusal:
        db.session.rollback()
        flash_message(refusal.message, "error")
        return redirect(url_for("responses.index", consultation_id=consultation.id))
    db.session.commit()
    flash_message(_l("已公布 %(n)d 条答复。", n=count))
    return redirect(url_for("reports.feedback", consultation_id=consultation.id))


bp.add_app_template_global(can_manage_consultation, "can_manage_consultation")


advice_bp = Blueprint("advice", __name__)


@advice_bp.route("/advice/<token>", methods=["GET", "POST"])
def advice(token: str):
    """A responsible unit's advice on answering one comment, from the link in the comment's mail to the unit:
    no account, the signed link is the key (portal/responses/advice.py)."""
    request_ = advice_request(token)
    if request_ is None:
        abort(404)
    form = AdviceForm(obj=request_.advice)
    saved = False
    if request_.response is None and form.validate_on_submit():
        give_advice(request_, form.outcome.data, form.reason.data, form.author_name.data or "")
        db.session.commit()
        saved = True
    status = 422 if form.errors else 200
    response = make_response(render_template(
        "responses/advice.html", request_=request_, comment=request_.comment,
        consultation=request_.comment.consultation, form=form, saved=saved,
    ), status)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key: never sent on to another site
    return response


@advice_bp.route("/advice/units/<token>", methods=["GET", "POST"])
def unit_comments(token: str):
    """Every comment a responsible unit was sent in a consultation, with the advice it gave on each, from the link in
    its mails: no account, the signed link is the key (portal/responses/advice.py). The same advice may be given on
    several at once (the ticked ones, or every one of the page)."""
    from portal.responses.advice import advice_token, advise_many, unit_list_page, unit_list_request

    list_ = unit_list_request(token)
    if list_ is None:
        abort(404)
    pending = request.args.get("pending") == "1"
    letter = request.args.get("letter", type=int)
    page = unit_list_page(list_, pending, request.args.get("page", 1, type=int), letter)
    form = AdviceForm()
    chosen_error = None
    if form.validate_on_submit():
        open_rows = [row.comment.id for row in page.rows if row.answered is None]
        chosen = open_rows if request.form.get("every") else request.form.getlist("comment_ids", type=int)
        if not chosen:
            chosen_error = _("请先勾选要提出建议的意见。")
        else:
            done = advise_many(list_, chosen, form.outcome.data, form.reason.data, form.author_name.data or "")
            db.session.commit()
            flash_message(lazy_ngettext("已对 %(num)d 条意见提出建议，谢谢。", "已对 %(num)d 条意见提出建议，谢谢。", done))
            return redirect(url_for("advice.unit_comments", token=token, pending=1 if pending else None,
                                    letter=letter, page=page.page if page.page > 1 else None))
    status = 422 if form.errors or chosen_error else 200
    response = make_response(render_template(
        "responses/unit_comments.html", list_=list_, consultation=list_.consultation, page=page, pending=pending,
        token=token, advice_urls={
            row.comment.id: url_for("advice.advice", token=advice_token(row.comment, list_.recipient, list_.generation))
            for row in page.rows}, form=form, chosen_error=chosen_error, letter=letter,
        letters=letter_sizes(list_.consultation.id, [row.comment for row in page.rows], list_.section_ids),
    ), status)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key: never sent on to another site
    return response
