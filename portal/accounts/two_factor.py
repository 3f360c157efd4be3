"""Two-step login for staff (两步验证): after the password, a six-digit code from an authenticator app (TOTP, RFC
6238, by pyotp: 30-second steps, one step of clock drift either way), or one of ten one-use recovery codes.

Staff see commenters' phone numbers and e-mail addresses; a password alone is one factor. An account turns it on
itself (/two-factor: scan the QR code, type a code to show the app works); a deployment may require it of every
staff account (PORTAL_TWO_FACTOR_REQUIRED=1: a staff member without it is taken to that page first). An
administrator resets it for someone who lost their phone.

A code is taken once: the last step accepted is stored, and a code of that step or an earlier one is refused, so
a code seen over a shoulder cannot be used again, on any worker. Times come from the portal's clock (core.time).
Services flush, never commit.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets

import pyotp
from pyotp.exceptions import OTPVerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sqlalchemy import Text, cast, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.models import User
from portal.accounts.services import AccountError
from portal.core.time import now
from portal.extensions import db

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
DRIFT_STEPS = 1  # a code of the step before or after is taken too (phone clocks drift)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(email: str, secret: str) -> str:
    """The otpauth:// address the authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=_("公开征求意见平台"))  # the app's label


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _step_of(secret: str, code: str) -> int | None:
    """The time step whose code ``code`` is (now, or one step either way); None if none."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now(), valid_window=DRIFT_STEPS)
    except OTPVerificationError:
        return None


def _hash(code: str, key: str | bytes | None = None) -> str:
    """Recovery codes carry 40 random bits: a keyed fast hash is enough (no one can try them offline without the
    key, and the login's rate limit stands before any guess). Under the current secret key, or ``key``."""
    normal = re.sub(r"[^A-Z0-9]", "", code.upper())
    key = current_app.secret_key if key is None else key
    return hmac.new(key.encode() if isinstance(key, str) else key, normal.encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes() -> list[str]:
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _j in range(8))
        codes.append(f"{raw[:4]}-{raw[4:]}")
    return codes


def turn_on(user: User, secret: str, code: str) -> list[str]:
    """Turn two-step login on with ``secret`` once ``code`` shows the app has it; the recovery codes, to be shown
    once. Every other session of the account ends (session_epoch)."""
    from portal.audit.services import record_action

    step = _step_of(secret, code)
    if step is None:
        raise AccountError("code", _l("验证码不对。请输入验证器应用里现在显示的 6 位数字。"))
    codes = _new_recovery_codes()
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now(), step
    user.recovery_codes = [_hash(c) for c in codes]
    user.end_sessions()
    db.session.flush()
    record_action(user, "two_factor_on", user, after={"two_factor": True})
    return codes


def new_recovery_codes(user: User, code: str) -> list[str]:
    """Ten new recovery codes in place of the old ones (used up, lost, or voided by a new secret key), once a code
    of the app shows it is the account's owner asking."""
    from portal.audit.services import record_action

    if not check_second_step(user, code):
        raise AccountError("code", _l("验证码不对，或者已经用过。"))
    codes = _new_recovery_codes()
    user.recovery_codes = [_hash(c) for c in codes]
    db.session.flush()
    record_action(user, "recovery_codes", user, after={"recovery_codes": len(codes)})
    return codes


def check_second_step(user: User, code: str) -> bool:
    """Whether ``code`` (an app's code, or an unused recovery code) completes ``user``'s login; a code is used up."""
    if not user.two_factor_on:
        return False
    secret = user.totp_secret  # None if the keys no longer open it: then only a recovery code, or a reset
    step = _step_of(secret, code) if secret else None
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # taken already
        # taken in the database, not on the object read: two logins sending one code at once would both have read
        # the step before it and both have passed; the row's compare-and-set lets one through
        taken = db.session.execute(
            update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            return False
        set_committed_value(user, "totp_last_step", step)
        if current_app.config.get("SECRET_KEY_FALLBACKS"):  # the secret key changed: sealed anew with the new one
            user.totp_secret = secret
        db.session.flush()
        return True
    from portal.core.web import secret_keys

    hashes = [_hash(code or "", key) for key in secret_keys()]  # made under the current key or an earlier one
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:  # the codes as they are now, the row locked until the commit: one code sent twice at once is
        db.session.refresh(user, ["recovery_codes"], with_for_update=True)  # used once
        stored_text = None
    else:  # SQLite: the codes as stored now (not as this session read them), taken by a compare-and-set below
        stored_text = db.session.execute(select(cast(User.recovery_codes, Text)).where(User.id == user.id)).scalar()
        set_committed_value(user, "recovery_codes", json.loads(stored_text) if stored_text else None)
    remaining = list(user.recovery_codes or [])
    for stored in remaining:
        if any(hmac.compare_digest(stored, hashed) for hashed in hashes):
            remaining.remove(stored)
            if not postgresql:  # only if no other login took one of the codes since they were read
                taken = db.session.execute(
                    update(User).where(User.id == user.id, cast(User.recovery_codes, Text) == stored_text)
                    .values(recovery_codes=remaining).execution_options(synchronize_session=False))
                if taken.rowcount != 1:
                    return False
                set_committed_value(user, "recovery_codes", remaining)
                return True
            user.recovery_codes = remaining
            db.session.flush()
            return True
    return False


def turn_off(user: User, actor: User) -> None:
    """Turn two-step login off (the account's own choice, or an administrator's reset); other sessions end."""
    from portal.audit.services import record_action

    user.totp_secret = user.totp_enabled_at = user.totp_last_step = user.recovery_codes = None
    user.end_sessions()
    db.session.flush()
    reason = _("本人关闭") if actor.id == user.id else _("管理员重置")
    record_action(actor, "two_factor_off", user, after={"two_factor": False}, reason=reason)


def required() -> bool:
    return bool(current_app.config.get("TWO_FACTOR_REQUIRED"))
