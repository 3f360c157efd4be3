"""Log in and out (staff only)."""
from datetime import timedelta

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from portal.accounts.forms import LoginForm
from portal.accounts.services import authenticate
from portal.extensions import db

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("consultations.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            session.permanent = True
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        error = _("电子邮箱或密码不正确。")
    status = 200 if error is None and not form.errors else 422
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("consultations.index"))
