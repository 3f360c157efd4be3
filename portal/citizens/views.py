"""Citizens' accounts: sign in with a link sent by e-mail, "my comments", settings, sign out, delete."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.comments.organisations import organisation_of
from portal.citizens.forms import ButtonForm, SettingsForm, SignInForm
from portal.citizens.services import (
    COMMENTS_PER_PAGE, LINK_MAX_AGE, LinkProblem, TooManyLinks, current_citizen, delete_account, follow,
    followed_consultations, link_from_token, my_comments, request_sign_in_link, set_consultation_alerts, sign_in,
    sign_out, sign_out_everywhere, unfollow, use_link,
)
from portal.consultations.models import public_consultation
from portal.core.web import local_path, query_int
from portal.extensions import db, limiter
from portal.mail.links import site_address
from portal.mail.services import confirm_address, email_from_contact, is_unsubscribed, unsubscribe_address

bp = Blueprint("citizens", __name__, url_prefix="/account")
SENT_KEY = "citizen_sign_in_sent"  # the address a link was just sent to, for the next page


@bp.after_request
def private(response):
    """An account page is one person's: no shared cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _next_path(value: str | None) -> str | None:
    return value if local_path(value) and len(value) <= 500 else None


def _too_many(_limit):
    # a Response (Flask-Limiter attaches it to the 429 error; a tuple was dropped for the generic page)
    return current_app.make_response((render_template("citizens/sign_in.html", form=SignInForm(), error=_(
        "这台设备（或这个网络）申请登录链接的次数太多。请过一小时再试，或者使用已经收到的登录邮件。")), 429))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CITIZEN_SIGN_IN_RATE_LIMIT"], methods=["POST"], on_breach=_too_many)
def sign_in_page():
    if current_citizen() is not None and request.method == "GET":
        return redirect(_next_path(request.args.get("next")) or url_for("citizens.comments"))
    form = SignInForm(next=request.args.get("next", ""), follow=request.args.get("follow", ""))
    error = None
    following = _followable(query_int(form.follow.data))
    if form.validate_on_submit():
        email = email_from_contact(form.email.data)  # as a comment's contact is read: the two must match
        try:
            request_sign_in_link(email, _next_path(form.next.data), str(get_locale()), site_address(),
                                 following.id if following is not None else None)
        except TooManyLinks:
            db.session.rollback()
            error = _("这个邮箱在一小时内已经收到好几封登录邮件了。请使用最近收到的那一封，或者过一小时再试。")
        else:
            db.session.commit()
            session[SENT_KEY] = email
            return redirect(url_for("citizens.link_sent"), code=303)
    status = 200 if error is None and not form.errors else (429 if error else 422)
    return render_template("citizens/sign_in.html", form=form, error=error, following=following), status


def _followable(consultation_id: int | None):
    """The published consultation a sign-in asks to follow (关注), or None."""
    return public_consultation(consultation_id) if consultation_id is not None else None


@bp.get("/sign-in/sent")
def link_sent():
    email = session.get(SENT_KEY)
    if not email:
        return redirect(url_for("citizens.sign_in_page"))
    return render_template("citizens/link_sent.html", email=email, minutes=LINK_MAX_AGE // 60)


def _link_problem(problem: LinkProblem):
    messages = {
        "expired": _("这个登录链接已经过期（链接在 %(minutes)s 分钟内有效）。请重新申请一封登录邮件。",
                     minutes=LINK_MAX_AGE // 60),
        "used": _("这个登录链接已经用过了（每个链接只能用一次）。如果您已经登录，请直接打开“我的意见”；"
                  "否则请重新申请一封登录邮件。"),
        "invalid": _("这个登录链接无效。请使用邮件中的完整链接，或者重新申请一封登录邮件。"),
    }
    return render_template("citizens/link_problem.html", message=messages[problem.reason]), (
        410 if problem.reason in ("expired", "used") else 404)


@bp.get("/sign-in/<token>")
def finish_sign_in(token: str):
    """Opening the link only asks: a mail scanner that fetches it signs nobody in."""
    link = link_from_token(token)
    if isinstance(link, LinkProblem):
        return _link_problem(link)
    return render_template("citizens/confirm_sign_in.html", email=link.email, form=ButtonForm(),
                           following=_followable(link.follow_consultation_id))


@bp.post("/sign-in/<token>")
@limiter.limit("30/minute")
def finish_sign_in_post(token: str):
    link = link_from_token(token)
    if isinstance(link, LinkProblem):
        return _link_problem(link)
    if not ButtonForm().validate():
        return _link_problem(LinkProblem("invalid"))
    citizen = use_link(link)
    if citizen is None:  # another request used it a moment ago
        db.session.rollback()
        return _link_problem(LinkProblem("used"))
    next_path = _next_path(link.next_path)
    following = _followable(link.follow_consultation_id)
    if following is not None:  # asked for from the consultation's follow box: done with the same click
        follow(citizen, following, str(get_locale()))
    sign_in(citizen)
    db.session.commit()
    session.pop(SENT_KEY, None)
    return redirect(next_path or url_for("citizens.comments"), code=303)


def _signed_in():
    citizen = current_citizen()
    if citizen is None:
        return None, redirect(url_for("citizens.sign_in_page", next=request.full_path.rstrip("?")))
    return citizen, None


@bp.get("/")
def comments():
    citizen, elsewhere = _signed_in()
    if elsewhere:
        return elsewhere
    page = max(1, query_int(request.args.get("page")) or 1)
    items, total = my_comments(citizen, page)
    pages = max(1, -(-total // COMMENTS_PER_PAGE))
    return render_template(
        "citizens/comments.html", citizen=citizen, items=items,
        total=total, page=page, pages=pages, **_revised([comment for comment, _ in items]),
    )


def _revised(comments) -> dict[str, set[int]]:
    """Of the citizen's comments shown, those whose quotation a revision of the draft has changed since
    (``quotes_changed``), and those whose proposed wording a revision took in (``proposals_taken``)."""
    from portal.comments.quotes import changed_quotes, proposals_taken

    changed: set[int] = set()
    taken: set[int] = set()
    for consultation_id in {c.consultation_id for c in comments if c.quote or c.proposal}:
        mine = [c for c in comments if c.consultation_id == consultation_id]
        changed |= changed_quotes(mine[0].consultation, mine)
        taken |= proposals_taken(mine[0].consultation, mine)
    return {"quotes_changed": changed, "proposals_taken": taken}


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    citizen, elsewhere = _signed_in()
    if elsewhere:
        return elsewhere
    subscribed = not is_unsubscribed(citizen.email)
    # an unsubscribed address gets no alerts: the box shows what the citizen actually receives
    form = SettingsForm(data={"name": citizen.name or "", "mail": subscribed,
                              "alerts": subscribed and citizen.consultation_alerts,
                              "organisation": citizen.organisation or "", "organisation_kind": citizen.organisation_kind or ""})
    saved = False
    if request.method == "POST" and form.validate():
        citizen.name = (form.name.data or "").strip() or None
        citizen.organisation, citizen.organisation_kind = organisation_of(form.organisation.data,
                                                                          form.organisation_kind.data)
        if form.mail.data and not subscribed:
            confirm_address(citizen.email, resubscribe=True)
        elif not form.mail.data and subscribed:
            unsubscribe_address(citizen.email)
        set_consultation_alerts(citizen, form.alerts.data, str(get_locale()))
        db.session.commit()
        saved = True
    status = 422 if form.errors else 200
    return render_template("citizens/settings.html", citizen=citizen, form=form, saved=saved,
                           button=ButtonForm(), followed=followed_consultations(citizen)), status


@bp.post("/follow/<int:consultation_id>")
def follow_post(consultation_id: int):
    """关注: the citizen hears by mail when the consultation is extended, revised or answered."""
    consultation = public_consultation(consultation_id)
    if consultation is None:
        abort(404)
    page = url_for("consultations.show", consultation_id=consultation.id)
    citizen = current_citizen()
    if citizen is None:
        return redirect(url_for("citizens.sign_in_page", next=page), code=303)
    if ButtonForm().validate():
        follow(citizen, consultation, str(get_locale()))
        db.session.commit()
    return redirect(page + "#follow", code=303)


@bp.post("/unfollow/<int:consultation_id>")
def unfollow_post(consultation_id: int):
    citizen, elsewhere = _signed_in()
    if elsewhere:
        return elsewhere
    if ButtonForm().validate():
        unfollow(citizen, consultation_id)
        db.session.commit()
    back = request.form.get("back")
    return redirect(url_for("citizens.settings") if back == "settings"
                    else url_for("consultations.show", consultation_id=consultation_id) + "#follow", code=303)


@bp.post("/sign-out")
def sign_out_post():
    if ButtonForm().validate():
        sign_out()
    return redirect(url_for("consultations.index"), code=303)


@bp.post("/sign-out-everywhere")
def sign_out_everywhere_post():
    citizen, elsewhere = _signed_in()
    if elsewhere:
        return elsewhere
    if ButtonForm().validate():
        sign_out_everywhere(citizen)
        db.session.commit()
    return render_template("citizens/signed_out_everywhere.html")


@bp.route("/delete", methods=["GET", "POST"])
def delete():
    citizen, elsewhere = _signed_in()
    if elsewhere:
        return elsewhere
    form = ButtonForm()
    if request.method == "POST" and form.validate():
        delete_account(citizen)
        db.session.commit()
        return render_template("citizens/deleted.html")
    return render_template("citizens/delete.html", citizen=citizen, form=form)
