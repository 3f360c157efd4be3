"""Log in and out, and change one's password (staff only)."""
from flask import (Blueprint, current_app, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts.forms import CodeForm, LoginForm, PasswordForm, TurnOffForm
from portal.accounts.services import AccountError, authenticate, change_password
from portal.accounts.two_factor import (check_second_step, grouped, new_recovery_codes, new_secret, provisioning_uri,
                                        required, turn_off, turn_on)
from portal.core.flash import flash_message, refuse_at, shown_now
from portal.core.qr import qr_svg_inline
from portal.core.time import now
from portal.core.web import local_path
from portal.extensions import db, limiter

bp = Blueprint("accounts", __name__)


LANDING = {"office": "office.index", "moderator": "moderation.queue", "admin": "admin.home"}


def _safe_next(target: str | None, user=None) -> str:
    """Where a login leads: the page that asked for it, else the user's own work (the public list had nothing
    saying what to do next)."""
    if not local_path(target):
        return url_for(LANDING.get(getattr(user, "role", None), "consultations.index"))
    return target


def _login_key() -> str:
    """Attempts are counted per address and e-mail, so one office's typo does not lock out its neighbours."""
    return f"{get_remote_address()}|{(request.form.get('email') or '').strip().lower()}"


def _too_many_attempts(_limit):
    message = _("登录尝试次数太多。为了保护账号，请过一段时间（最多一小时）再试。")
    return make_response(render_template("accounts/login.html", form=LoginForm(), error=message, limited=True), 429)


def _address_key() -> str:
    return "address|" + (get_remote_address() or "")


def _failed(response) -> bool:
    return response.status_code == 422


def _clear_failures(key: str) -> None:
    """A right answer clears the failed attempts counted under ``key`` (this person's, not the address's): only
    failures count, and a staff member who mistyped a few times is not left with fewer tries for the hour. In the
    limiter's storage (Redis when configured), so every worker sees it; a storage that fails only leaves them."""
    for counted in limiter.current_limits:
        if key in counted.request_args:
            try:
                limiter.limiter.clear(counted.limit, *counted.request_args)
            except Exception:  # noqa: BLE001 - the login goes on; the count runs out by itself
                current_app.logger.exception("could not clear the failed logins of %s", key)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, methods=["POST"],
               deduct_when=_failed, on_breach=_too_many_attempts)
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_FAILURE_LIMIT"], key_func=_address_key, methods=["POST"],
               deduct_when=_failed, on_breach=_too_many_attempts)
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            _clear_failures(_login_key())
            session.permanent = True
            if user.two_factor_on:  # the password was right: the code comes next, then the login
                session[PENDING] = {"user": user.get_id(), "at": int(now().timestamp()),
                                    "next": _safe_next(request.args.get("next"), user)}
                return redirect(url_for("accounts.second_step"))
            login_user(user)
            return redirect(_safe_next(request.args.get("next"), user))
        error = _("电子邮箱或密码不正确。")
    status = 200 if error is None and not form.errors else 422
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """Log out, and end every session of the account: a copy of this browser's cookie (a shared computer, a stolen
    one) no longer opens anything, nor does a session left open elsewhere."""
    current_user.end_sessions()
    db.session.commit()
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
            refuse_at(getattr(form, error.code), error.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session with the new epoch
            flash_message(_l("密码已修改。其他浏览器和设备上的登录已经退出。"), "success")
            return redirect(url_for("accounts.password"))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200


PENDING = "two_factor_pending"  # the session's note of a right password awaiting its code
PENDING_SECONDS = 300


def _pending_user():
    """The staff member whose password was right in this browser in the last five minutes; None otherwise."""
    from portal.accounts.models import User

    pending = session.get(PENDING)
    if not isinstance(pending, dict) or now().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.of_session(pending.get("user"))
    return user if user is not None and user.active and user.two_factor_on else None


def _code_key() -> str:
    """Codes tried are counted per account, whatever the address: only someone with the password gets this far,
    and a million codes must not be tried from many addresses."""
    pending = session.get(PENDING)
    return f"code|{pending.get('user') if isinstance(pending, dict) else get_remote_address()}"


def _too_many_codes(_limit):
    return make_response(render_template("accounts/second_step.html", form=CodeForm(), error=_(
        "验证码尝试次数太多。为了保护账号，请过一段时间（最多一小时）再试。")), 429)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_code_key, methods=["POST"],
               deduct_when=_failed, on_breach=_too_many_codes)
def second_step():
    """The login's second step: the code of the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if check_second_step(user, form.code.data):
            db.session.commit()
            _clear_failures(_code_key())
            target = session.pop(PENDING)["next"]
            login_user(user)
            return redirect(_safe_next(target, user))
        db.session.rollback()
        error = _("验证码不对，或者已经用过。请输入验证器应用里现在显示的 6 位数字，或者一个没用过的恢复码。")
    status = 422 if error or form.errors else 200
    return render_template("accounts/second_step.html", form=form, error=error), status


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Turn two-step login on (scan, type a code, keep the recovery codes) or off (password and a code)."""
    user = current_user._get_current_object()
    if user.two_factor_on:
        if request.form.get("action") == "recovery_codes":  # new recovery codes, for a code of the app
            renew = CodeForm()
            if renew.validate_on_submit():
                try:
                    codes = new_recovery_codes(user, renew.code.data)
                except AccountError as error:
                    db.session.rollback()
                    flash_message(error.message, "error")
                else:
                    db.session.commit()
                    return render_template("accounts/recovery_codes.html", codes=codes)
            return redirect(url_for("accounts.two_factor"))
        form = TurnOffForm()
        if required():
            form = None
        elif form.validate_on_submit():
            if not user.check_password(form.password.data):
                form.password.errors = [_("密码不正确。")]
            elif not check_second_step(user, form.code.data):
                form.code.errors = [_("验证码不对，或者已经用过。")]
            else:
                turn_off(user, user)
                db.session.commit()
                login_user(user)  # this session with the new epoch
                flash_message(_l("两步验证已关闭。"), "success")
                return redirect(url_for("accounts.two_factor"))
            db.session.rollback()
        return render_template("accounts/two_factor_on.html", form=form,
                               left=len(user.recovery_codes or [])), 422 if form and form.errors else 200
    secret = session.get("totp_pending")
    if not isinstance(secret, str) or request.method == "GET":
        secret = session["totp_pending"] = new_secret()  # shown to this browser only, until a code confirms it
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = turn_on(user, secret, form.code.data)
        except AccountError as error:
            db.session.rollback()
            form.code.errors = [shown_now(error.message)]
        else:
            db.session.commit()
            session.pop("totp_pending", None)
            login_user(user)  # this session with the new epoch
            return render_template("accounts/recovery_codes.html", codes=codes)
    uri = provisioning_uri(user.email, secret)
    return render_template("accounts/two_factor_off.html", form=form, secret=grouped(secret), uri=uri,
                           qr=qr_svg_inline(uri, _("用验证器应用扫描这个二维码"))), 422 if form.errors else 200


OPEN_WITHOUT_TWO_FACTOR = {"accounts.two_factor", "accounts.logout", "accounts.login", "accounts.second_step",
                           "static"}


@bp.before_app_request
def _two_factor_first():
    """With PORTAL_TWO_FACTOR_REQUIRED, a staff member without two-step login is taken to turn it on before
    anything else (nothing is checked, and nothing loaded, when the deployment does not require it)."""
    if not required() or request.endpoint in OPEN_WITHOUT_TWO_FACTOR or request.endpoint is None:
        return None
    if current_user.is_authenticated and not current_user.two_factor_on:
        return redirect(url_for("accounts.two_factor"))
    return None
