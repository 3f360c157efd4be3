"""Log in and out, and change one's password (staff only)."""
from flask import (Blueprint, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts.forms import LoginForm, PasswordForm
from portal.accounts.services import AccountError, authenticate, change_password
from portal.core.web import local_path
from portal.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    if not local_path(target):
        return url_for("consultations.index")
    return target


def _login_key() -> str:
    """Attempts are counted per address and e-mail, so one office's typo does not lock out its neighbours."""
    return f"{get_remote_address()}|{(request.form.get('email') or '').strip().lower()}"


def _too_many_attempts(_limit):
    message = _("登录尝试次数太多。为了保护账号，请过一段时间（最多一小时）再试。")
    return make_response(render_template("accounts/login.html", form=LoginForm(), error=message), 429)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, methods=["POST"],
               on_breach=_too_many_attempts)
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


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password: the other sessions end (other browsers must log in again); this one goes on."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data,
                            form.repeated_password.data)
        except AccountError as error:
            db.session.rollback()
            field = getattr(form, error.code)
            field.errors = list(field.errors) + [error.message]
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session with the new epoch
            flash(_("密码已修改。其他浏览器和设备上的登录已经退出。"), "success")
            return redirect(url_for("accounts.password"))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200
