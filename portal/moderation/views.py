"""The moderation queue (/moderation) and the actions on it; the moderation mode of each consultation."""
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user

from portal.accounts.access import role_required
from portal.comments.attachments import attachments_of
from portal.comments.attachments import staff_download
from portal.comments.models import STANCES
from portal.consultations.filter import Found, filter_options, find_consultation
from portal.consultations.models import Consultation
from portal.core.flash import chinese_part, flash_message
from portal.core.web import query_int
from portal.extensions import db
from portal.moderation.forms import ModerationForm, ModerationModeForm
from portal.moderation.labels import (
    ACTION_LABELS, FLAG_LABELS, HIDE_REASON_LABELS, MODE_LABELS, REPORT_REASON_LABELS, STANCE_LABELS,
    STATUS_LABELS, withheld_notice,
)
from portal.moderation.models import FLAGS
from portal.moderation.grouping import group_new_comments, ungrouped_count
from portal.moderation.services import (
    MODES_PER_PAGE, VIEWS, QueueFilters, moderate, moderation_modes_page, parse_item, queue_page, reports_for,
    sensitive_words, set_moderation_mode, waiting_by_consultation,
)
from portal.moderation.personal import has_personal, personal_spans
from portal.moderation.signs import highlight

bp = Blueprint("moderation", __name__)


@bp.app_template_global()
def withheld(comment) -> str:
    return withheld_notice(comment)


def _filters(args) -> QueueFilters:
    def number(name):
        return query_int(args.get(name))

    section = args.get("section", "").strip()

    return QueueFilters(
        view=args.get("view") if args.get("view") in VIEWS else "queue",
        consultation_id=number("consultation"),
        section=section if section == "whole" or query_int(section) else "",
        stance=args.get("stance") if args.get("stance") in STANCES else "",
        flag=args.get("flag") if args.get("flag") in FLAGS else "",
        text=args.get("q", "").strip()[:100],
        order="oldest" if args.get("order") == "oldest" else "newest",
        page=number("page") or 1,
    )


def _query(filters: QueueFilters, **changes) -> str:
    values = {
        "view": filters.view, "consultation": filters.consultation_id or "", "section": filters.section,
        "stance": filters.stance, "flag": filters.flag, "q": filters.text, "order": filters.order,
        "page": filters.page,
    }
    values.update(changes)
    defaults = {"view": "queue", "order": "newest", "page": 1}  # left out, as empty values are (consultation 1 is not)
    return urlencode({k: v for k, v in values.items() if v not in ("", None) and defaults.get(k) != v})


@bp.get("/moderation")
@role_required("moderator")
def queue():
    # Form letters are grouped after each comment's commit, by `flask moderation group --loop`; comments it
    # has not reached yet are grouped here first (a bounded number), so that the queue shows their groups.
    group_new_comments(limit=current_app.config["MODERATION_GROUP_ON_VIEW"])
    filters = _filters(request.args)
    # another consultation than those listed, by its number or words of its title: one found is chosen
    found = find_consultation(request.args.get("find", ""))
    if found.only is not None:
        chosen = _query(filters, consultation=found.only.id, section="", page=1)
        return redirect(url_for("moderation.queue") + "?" + chosen)
    form = ModerationForm(view=filters.view, back=_query(filters))
    return _render_queue(filters, form, found=found)


def _render_queue(filters: QueueFilters, form: ModerationForm, status: int = 200, found: Found | None = None):
    page = queue_page(filters, current_app.config["MODERATION_PAGE_SIZE"])
    waiting = waiting_by_consultation()
    consultations = filter_options(filters.consultation_id, first_ids=waiting)
    chosen = db.session.get(Consultation, filters.consultation_id) if filters.consultation_id else None
    words = sensitive_words()
    return render_template(
        "moderation/queue.html",
        page=page, filters=filters, form=form, consultations=consultations, chosen=chosen, found=found or Found(""),
        sections=chosen.current_draft.sections if chosen and chosen.current_draft else [],
        reports=reports_for([row.comment for row in page.rows]),
        attachments=attachments_of(row.comment.id for row in page.rows),
        highlight=lambda text: highlight(text, words, [(start, end) for start, end, _kind in personal_spans(text)]),
        has_personal=has_personal,
        query=lambda **changes: _query(filters, **changes),
        labels={"flag": FLAG_LABELS, "status": STATUS_LABELS, "stance": STANCE_LABELS, "action": ACTION_LABELS,
                "hide": HIDE_REASON_LABELS, "report": REPORT_REASON_LABELS},
        views=VIEWS, ungrouped=ungrouped_count(), waiting=waiting,
    ), status


@bp.post("/moderation/actions")
@role_required("moderator")
def act():
    form = ModerationForm()
    back = form.back.data or ""
    filters = _filters(_parse_query(back))
    if not form.validate():
        return _render_queue(filters, form, status=422)
    if form.row.data:
        action, _sep, item = form.row.data.partition(":")
        values = [item]
    else:
        action, values = form.action.data, request.form.getlist("items")
    selections = [s for s in (parse_item(v) for v in values) if s is not None]
    if not selections:
        flash_message(_l("请先勾选要处理的意见。"), "error")
        return redirect(url_for("moderation.queue") + ("?" + back if back else ""), code=303)
    outcome = moderate(current_user, action, selections, filters.view, form.reason.data or None, form.note.data)
    db.session.commit()
    if outcome.done:
        flash_message(lazy_ngettext("已%(action)s %(n)s 条意见。", "已%(action)s %(n)s 条意见。", outcome.done,
                                    action=ACTION_LABELS[action], n=outcome.done), "success")
    if outcome.stale:
        flash_message(lazy_ngettext("%(n)s 条意见已由其他审核员处理，这次没有更改。请看它们现在的状态。",
                                    "%(n)s 条意见已由其他审核员处理，这次没有更改。请看它们现在的状态。", outcome.stale,
                                    n=outcome.stale), "error")
    if outcome.held_personal:
        flash_message(lazy_ngettext("%(n)s 份同文意见含有电话、身份证号或邮箱，没有一起通过，仍在队列中：请逐条查看，遮盖个人信息并通过。",
                                    "%(n)s 份同文意见含有电话、身份证号或邮箱，没有一起通过，仍在队列中：请逐条查看，遮盖个人信息并通过。",
                                    outcome.held_personal, n=outcome.held_personal), "error")
    if outcome.not_applicable:
        flash_message(lazy_ngettext("%(n)s 条意见的当前状态不能“%(action)s”，没有更改。",
                                    "%(n)s 条意见的当前状态不能“%(action)s”，没有更改。", outcome.not_applicable,
                                    n=outcome.not_applicable, action=ACTION_LABELS[action]), "error")
    return redirect(url_for("moderation.queue") + ("?" + back if back else ""), code=303)


@bp.route("/moderation/comments/<int:comment_id>/section", methods=["GET", "POST"])
@role_required("moderator")
def move(comment_id: int):
    """Put a comment under another section of its draft (改归其他章节): a citizen who commented on the wrong part, seen
    while triaging. The same form and service as the office's page of a comment; back to the queue as it was."""
    from portal.comments.models import NOT_RECEIVED, Comment
    from portal.responses.forms import move_comment_form
    from portal.responses.views import moved_by_form

    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status in NOT_RECEIVED:
        abort(404)
    consultation = comment.consultation
    form = move_comment_form(consultation, comment, formdata=request.form if request.method == "POST" else None)
    if form is None:
        abort(404)
    back = _query(_filters(_parse_query(request.args.get("back", ""))))
    if request.method == "POST" and moved_by_form(consultation, comment, form):
        return redirect(url_for("moderation.queue") + ("?" + back if back else "") + f"#comment-{comment.id}",
                        code=303)
    return render_template("moderation/move.html", comment=comment, consultation=consultation, form=form,
                           back=back), 422 if form.errors else 200


def _parse_query(query: str):
    from werkzeug.datastructures import MultiDict
    from urllib.parse import parse_qsl

    return MultiDict(parse_qsl(query))


@bp.get("/admin/moderation-modes")
@role_required("admin")
def modes():
    listed = moderation_modes_page(query_int(request.args.get("page")) or 1)
    return render_template("moderation/modes.html", consultations=listed.consultations, page=listed.page,
                           pages=listed.pages, per_page=MODES_PER_PAGE, form=ModerationModeForm(),
                           mode_labels=MODE_LABELS)


@bp.post("/admin/moderation-modes/<int:consultation_id>")
@role_required("admin")
def set_mode(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    form = ModerationModeForm()
    back = url_for("moderation.modes", page=query_int(request.args.get("page")) or None)  # the page it was set on
    if not form.validate():
        flash_message(_l("请选择审核方式。"), "error")
        return redirect(back, code=303)
    if set_moderation_mode(current_user, consultation, form.mode.data):
        db.session.commit()
        flash_message(_l("“%(title)s”的审核方式已改为：%(mode)s。", title=chinese_part(consultation.title),
                         mode=MODE_LABELS[form.mode.data]), "success")
    return redirect(back, code=303)


@bp.get("/moderation/attachments/<int:attachment_id>")
@role_required("moderator")
def attachment(attachment_id: int):
    """A file sent with a comment, for the moderator deciding on it."""
    return staff_download(attachment_id)
