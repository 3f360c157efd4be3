"""Readers agree with a public comment (赞同), or take it back: a page with the comment and one button (no script
needed), and the same POST answered in JSON for the threads' script (portal/static/portal.js)."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.citizens.services import current_citizen
from portal.comments.agreements import (SESSION_KEY, AgreementRefused, agree, has_agreed, new_browser_key, take_back,
                                        voter_hash)
from portal.comments.services import THREAD_ORDERS
from portal.comments.views import get_public_comment
from portal.core.forms import Form
from portal.core.web import session_digest
from portal.extensions import db, limiter
from portal.moderation.signs import address_hash

bp = Blueprint("agreements", __name__)


def agreement_rate_limit() -> str:
    return current_app.config["AGREEMENT_RATE_LIMIT"]


def _voter(make: bool) -> tuple[str | None, int | None, tuple[str, ...]]:
    """The reader's keyed hash (made for a browser that has none when ``make``), their account's id, and the keys they
    may have agreed as before (a signed-in reader's browser key: one reader, counted once)."""
    secret, citizen = current_app.config["SECRET_KEY"], current_citizen()
    if citizen is not None:
        before = voter_hash(secret, browser_key=session.get(SESSION_KEY))
        return voter_hash(secret, citizen_id=citizen.id), citizen.id, (before,) if before else ()
    if make and not session.get(SESSION_KEY):
        # drawn from the session (core.web.session_digest): two first presses in flight together carry the same
        # session and so make the same key (random ones had counted one reader twice)
        session[SESSION_KEY] = (session_digest("agreement voter") or new_browser_key())[:22]
    return voter_hash(secret, browser_key=session.get(SESSION_KEY)), None, ()


def _back(consultation, comment) -> str:
    """The list of threads the reader came from (its page and order, when the link said), at the comment."""
    args = {"consultation_id": consultation.id, "_anchor": f"comment-{comment.id}"}
    page = request.args.get("page", type=int)
    if page and 1 < page < 100_000:
        args["page"] = page
    if request.args.get("order") in THREAD_ORDERS[1:]:
        args["order"] = request.args["order"]
    if comment.section is not None:
        return url_for("consultations.section", anchor=comment.section.anchor, **args)
    return url_for("consultations.show", **args)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/consultations/<int:consultation_id>/comments/<int:comment_id>/agree", methods=["GET", "POST"])
@limiter.limit(agreement_rate_limit, methods=["POST"])
def agree_page(consultation_id: int, comment_id: int):
    consultation, comment = get_public_comment(consultation_id, comment_id)
    form = Form()
    refusal = None
    if request.method == "POST":
        if not form.validate_on_submit():
            refusal = _("页面已过期，请刷新页面后再试。")
        else:
            taking_back = request.form.get("action") == "take-back"
            voter, citizen_id, also = _voter(make=not taking_back)
            try:
                if taking_back:
                    take_back(consultation, comment, voter, citizen_id, also)
                else:
                    agree(consultation, comment, voter,
                          address_hash(request.remote_addr, current_app.config["SECRET_KEY"]), citizen_id, also)
            except AgreementRefused as refused:
                db.session.rollback()
                refusal = str(refused)
            else:
                db.session.commit()
                if _wants_json():
                    return jsonify(agreed=not taking_back, count=comment.agreement_count,
                                   message=_("已取消赞同。") if taking_back else _("已赞同这条意见。"))
                kept = {name: request.args[name] for name in ("page", "order") if name in request.args}
                return redirect(url_for("agreements.agree_page", consultation_id=consultation.id,
                                        comment_id=comment.id, **kept), 303)
        if _wants_json():
            return jsonify(error=refusal), 422
    voter, citizen_id, also = _voter(make=False)
    return render_template(
        "comments/agree.html", consultation=consultation, comment=comment, form=form, refusal=refusal,
        agreed=has_agreed(comment, voter, also), own=citizen_id is not None and comment.citizen_id == citizen_id,
        back=_back(consultation, comment),
    ), 422 if refusal else 200
