"""Submitting a comment or a reply, and the receipt."""
from functools import cache

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from limits import parse_many

from portal.citizens.services import current_citizen
from portal.comments.attachments import FIELD as ATTACHMENTS
from portal.comments.attachments import AttachmentRefused, attachments_of, check_uploads, store_uploads
from portal.comments.forms import CommentForm, PostedComment, WithdrawForm, posted_comment
from portal.consultations.rounds import next_rounds
from portal.comments.models import Comment
from portal.comments.quotes import changed_quotes, proposals_taken, quote_found
from portal.comments.services import (CommentRefused, find_by_receipt, find_target, plain_receipt, store_comment,
                                      new_submission_key, submission_key_of)
from portal.consultations.models import Consultation
from portal.consultations.questions import asked_question
from portal.comments.withdrawal import (
    COOKIE, WITHDRAWABLE, WithdrawalRefused, key_cookie, may_withdraw, withdraw_comment,
)
from portal.consultations.services import closing_summary, consultation_facts
from portal.core.flash import shown_now
from portal.core.statements import own_transaction
from portal.core.web import cookies_secure, query_int
from portal.consultations.views import get_public_consultation, render_overview, render_section
from portal.drafts.models import Section
from portal.extensions import db, limiter
from portal.moderation.signs import address_hash
from portal.responses.services import published_response
from portal.routing.services import units_receiving

bp = Blueprint("comments", __name__)
bp.add_app_template_global(new_submission_key)  # each comment form rendered carries a key of its own


def _int(value: str | None) -> int | None:
    """A posted section or comment id: none (the whole draft, no reply), else one the database can hold, else 404
    (2**31 is out of PostgreSQL's integer range: was a server error)."""
    if not value:
        return None
    number = query_int(value)
    if number is None:
        abort(404)
    return number


@cache
def _rate_windows(setting: str) -> list[tuple[int, int]]:
    """COMMENT_RATE_LIMIT ("10/minute;100/day", the notation of ``limits``) as (seconds, comments) pairs."""
    return [(item.get_expiry(), item.amount) for item in parse_many(setting)]


# Flask-Limiter sets no limit on a comment submission: COMMENT_RATE_LIMIT is counted by ``create`` itself
limiter.counts_own_limit("comments.create")


@bp.post("/consultations/<int:consultation_id>/comments")
def create(consultation_id: int):
    """A citizen's comment: validated, stored with its routing queue row (and a search queue row when public at
    once) in one transaction, answered with the receipt. Kept lean (issue 9): a few statements, no ORM flush,
    no mail planned; the mails are planned, rendered and sent and form letters grouped after the commit, by
    workers.

    The rate limit (COMMENT_RATE_LIMIT) counts the comments this address (kept as a keyed hash) has stored,
    read in the same statement as the consultation: one count for every worker and host, and no round trip
    to a rate-limit store.

    Its statements run in a transaction of their own, outside the ORM session (core.statements.own_transaction:
    committed when the view returns, rolled back on an exception); the pages it shows on refusal use the
    session as any page does."""
    try:
        with own_transaction():
            return _create(consultation_id)
    except CommentRefused as refusal:  # nothing was written
        consultation = get_public_consultation(consultation_id)
        return render_template(
            "comments/refused.html", consultation=consultation, message=refusal.message,
            summary=closing_summary(consultation), written=request.form.get("body"),
        ), 403


def _create(consultation_id: int):
    client_hash = address_hash(request.remote_addr, current_app.config["SECRET_KEY"])
    windows = _rate_windows(current_app.config["COMMENT_RATE_LIMIT"])
    facts = consultation_facts(consultation_id, client_hash, windows)  # few columns; the page loads the rest if needed
    if facts is None or not facts.is_published:
        abort(404)
    full = [seconds for sent, (seconds, limit) in zip(facts.sent_in_windows, windows) if sent >= limit]
    if client_hash and full:
        g.rate_window = max(full)  # the error page says when to try again: the longest window that is full
        abort(429)
    posted = request.form
    if posted.get("website"):  # the honeypot was filled in: a bot, or (rarely) a browser's autofill
        return render_template(
            "comments/refused.html", consultation=get_public_consultation(consultation_id), summary=None,
            written=posted.get("body"),
            message=_("提交没有成功：页面上有一个隐藏的栏目，是用来挡住自动发帖程序的，这次它被填上了内容"
                      "（多半是浏览器的“自动填写”填上的），所以您的意见没有保存。"
                      "请返回草案页面，刷新页面后再提交一次；如果还是不成功，请用征求意见公告上写的电话、邮箱或地址提交意见。"),
        ), 400
    target = find_target(facts, _int(posted.get("section_id")), _int(posted.get("parent_id")))
    if target is None:
        abort(404)
    if not facts.is_open:
        consultation = get_public_consultation(consultation_id)
        return render_template(  # what was written is given back to copy: nothing was stored
            "comments/refused.html", consultation=consultation, summary=closing_summary(consultation),
            written=posted.get("body"),
        ), 403
    comment = posted_comment(posted)  # the form is built only to say what is wrong (issue 9)
    uploads, refused = [], None
    if request.files:  # a browser sends the form as multipart; its file field may be empty
        try:
            uploads = check_uploads(request.files.getlist(ATTACHMENTS))
        except AttachmentRefused as refusal:
            refused = refusal.message
        if uploads and target.parent_id is not None:
            refused = _("回复不能附带附件。")
    misquoted = _quote_problem(facts, target, comment.quote) if comment is not None and comment.quote else None
    misproposed = _proposal_problem(target, comment.proposal) if comment is not None else None
    misasked = _question_problem(consultation_id, target, comment.question) if comment is not None else None
    if comment is None or refused or misquoted or misproposed or misasked:
        form = CommentForm()
        valid = form.validate()
        if refused:
            form.attachments.errors = [shown_now(refused)]
        if valid and comment is None:
            comment = PostedComment.of_form(form)
            misquoted = _quote_problem(facts, target, comment.quote) if comment.quote else None
            misproposed = _proposal_problem(target, comment.proposal)
            misasked = _question_problem(consultation_id, target, comment.question)
        if misquoted:
            form.quote.errors = [misquoted]
        if misproposed:
            form.proposal.errors = [misproposed]
        if misasked:
            form.question.errors = [misasked]
        if not valid or refused or misquoted or misproposed or misasked:
            if uploads and not refused:  # a browser never sends a chosen file again: say so, naming them
                form.attachments.errors = [_("您选的附件（%(names)s）还没有保存：改好其他问题后，请重新选择附件再提交。",
                                             names="、".join(upload.filename for upload in uploads))]
            return _form_again(get_public_consultation(consultation_id), target, form)
    language = str(get_locale())
    citizen = current_citizen()  # no query unless the session names a citizen
    stored = store_comment(
        facts,
        target,
        body=comment.body,
        stance=comment.stance,
        author_name=comment.author_name,
        author_contact=comment.author_contact,
        language=language,
        client_hash=client_hash,
        citizen_id=citizen.id if citizen is not None else None,
        quote=comment.quote,
        proposal=comment.proposal,
        organisation=comment.organisation,
        organisation_kind=comment.organisation_kind,
        question=comment.question,
        submission_key=submission_key_of(posted.get("submission_key")),
    )  # with its routing queue row: the mail worker plans its mails, renders and sends them
    if not stored.repeated:  # the form sent again: its files came with the first sending
        store_uploads(stored.id, uploads)  # in the same transaction: the comment is stored with its files or not at all
    # to the receipt's own panel: a Location without a fragment keeps the form's (#comment-errors, its error
    # summary's anchor), which the receipt page showed in its address and passed on
    response = redirect(url_for("comments.receipt", number=stored.receipt_number, _anchor=RECEIPT_ANCHOR), code=303)
    # this browser may withdraw the comment (撤回) until the deadline: its key, sent to its receipt page only
    response.headers.add("Set-Cookie", key_cookie(stored.receipt_number, cookies_secure()))
    return response


RECEIPT_ANCHOR = "receipt"  # the receipt page's panel: "received", or "withdrawn"


def _quote_problem(facts, target, quote: str) -> str | None:
    """What is wrong with a comment's quotation of the draft (引用原文), or None: a reply quotes nothing, and the
    words must be in the section commented on (or in the draft, for a comment on the whole draft)."""
    if target.parent_id is not None:
        return _("回复不能引用原文。")
    if not quote_found(facts.current_draft_id, target.section_id, quote):
        return _("在原文中找不到您引用的文字。请从这一部分的原文中复制您要提意见的那句话，或者清空这一栏。")
    return None


def _question_problem(consultation_id: int, target, question: int | None) -> str | None:
    """What is wrong with the key question (重点问题) a comment names, or None: a reply names none, and the
    consultation must have asked it (read only when one is named: most comments name none)."""
    if question is None:
        return None
    if target.parent_id is not None:
        return _("回复不能选择针对的问题。")
    asked = db.session.scalar(select(Consultation.questions).where(Consultation.id == consultation_id))
    if asked_question(asked, question) is None:
        return _("请从列表中选择您的意见针对的问题，也可以不选。")
    return None


def _proposal_problem(target, proposal: str | None) -> str | None:
    """What is wrong with a comment's proposed wording (建议修改为), or None: a reply proposes none."""
    if proposal and target.parent_id is not None:
        return _("回复不能提出修改文字。")
    return None


def _form_again(consultation, target, form):
    section = db.session.get(Section, target.section_id) if target.section_id else None
    parent = db.session.get(Comment, target.parent_id) if target.parent_id else None
    if parent is not None:
        return render_template("comments/reply.html", consultation=consultation, parent=parent, form=form), 422
    if section is not None:
        return render_section(consultation, section, form, status=422)
    return render_overview(consultation, form, status=422)


def get_public_comment(consultation_id: int, comment_id: int):
    """A published comment of a published consultation that shows its comments, with it; else 404."""
    consultation = get_public_consultation(consultation_id)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.consultation_id != consultation.id or not comment.is_public:
        abort(404)
    if not consultation.comments_public:
        abort(404)
    return consultation, comment


@bp.get("/consultations/<int:consultation_id>/comments/<int:comment_id>/reply")
def reply(consultation_id: int, comment_id: int):
    consultation, parent = get_public_comment(consultation_id, comment_id)
    form = CommentForm(parent_id=str(parent.id), section_id=str(parent.section_id or ""))
    return render_template("comments/reply.html", consultation=consultation, parent=parent, form=form)


@bp.get("/receipts/<number>")
@limiter.limit(lambda: current_app.config["RECEIPT_MISS_LIMIT"], deduct_when=lambda response: response.status_code == 404)
def receipt(number: str):
    comment = find_by_receipt(number)
    if comment is None:  # the lookup form again, the number kept, saying what a number looks like
        return render_template("comments/lookup.html", number=number, not_found=True), 404
    if comment.receipt_number != number:  # typed as people type it (20230512k7m2qx): the number's own address
        return redirect(url_for("comments.receipt", number=comment.receipt_number, **request.args))
    return _receipt_page(comment, WithdrawForm(key=request.args.get("key", "")))


def _withdrawer(form: WithdrawForm) -> tuple[str | None, int | None]:
    """What may show this visitor is the comment's author: the key (the mail's link, else this browser's cookie)
    and the signed-in citizen's id."""
    citizen = current_citizen()
    return form.key.data or request.cookies.get(COOKIE), citizen.id if citizen is not None else None


def _receipt_page(comment: Comment, form: WithdrawForm, status: int = 200, refused: str | None = None):
    can_withdraw = may_withdraw(comment, *_withdrawer(form))
    # looked up elsewhere by its number: say where it can be withdrawn, rather than seem not to be withdrawable
    elsewhere = not can_withdraw and comment.status in WITHDRAWABLE and comment.consultation.is_open
    return render_template("comments/receipt.html", comment=comment, consultation=comment.consultation,
                           response=published_response(comment), withdraw_form=form if can_withdraw else None,
                           withdraw_elsewhere=elsewhere,
                           quote_changed=comment.id in changed_quotes(comment.consultation, [comment]),
                           proposal_taken=comment.id in proposals_taken(comment.consultation, [comment]),
                           refused=refused, attachments=attachments_of([comment.id]).get(comment.id, []),
                           next_rounds=next_rounds(comment.consultation), units=units_receiving(comment)), status


@bp.post("/receipts/<number>/withdraw")
@limiter.limit("30/minute")
def withdraw(number: str):
    """The commenter withdraws the comment (撤回): its text, name, contact details and files are erased."""
    comment = find_by_receipt(number)
    if comment is None:
        abort(404)
    form = WithdrawForm()
    if not form.validate():
        return _receipt_page(comment, form, 422)
    try:
        withdraw_comment(comment, *_withdrawer(form))
    except WithdrawalRefused as refusal:
        db.session.rollback()
        return _receipt_page(comment, form, 403, refused=str(refusal.message))
    db.session.commit()
    response = redirect(url_for("comments.receipt", number=comment.receipt_number, _anchor=RECEIPT_ANCHOR), code=303)
    response.delete_cookie(COOKIE, path=f"/receipts/{comment.receipt_number}", httponly=True, samesite="Lax",
                           secure=cookies_secure())
    return response


@bp.get("/receipts/")
def lookup():
    number = plain_receipt(request.args.get("number", ""))
    if number:
        return redirect(url_for("comments.receipt", number=number))
    return render_template("comments/lookup.html")
