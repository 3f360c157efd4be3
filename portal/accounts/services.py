"""Create users and check credentials. Flushes, never commits."""
from __future__ import annotations

import secrets
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import ROLES, User
from portal.core.time import now
from portal.extensions import db
from portal.units.models import Unit


class AccountError(ValueError):
    """A refused account change; ``code`` names the form field, ``message`` is lazy (``_l``): the view flashes it as
    it is or shows it at its field with ``shown_now``; the command line prints it as text."""

    def __init__(self, code: str, message):
        super().__init__(message)
        self.code = code
        self.message = message


def create_user(email: str, name: str, password: str, role: str, unit: Unit | None = None) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError("role", _l("角色必须是 %(roles)s 之一。", roles=", ".join(ROLES)))
    if role == "office" and unit is None:
        raise AccountError("unit", _l("起草单位工作人员必须属于一个单位。"))
    if len(password) < 10:
        raise AccountError("password", _l("密码至少需要 10 个字符。"))
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError("email", _l("这个电子邮箱已经有账号了。"))
    user = User(email=email, name=name.strip(), role=role, unit=unit)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account of ``email`` when ``password`` is its own. An unknown or inactive account costs the same
    hashing (a dummy hash): the time of the answer does not tell which addresses have accounts."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = now()
    db.session.flush()
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))  # scrypt, as every account's


def change_password(user: User, current: str, new: str, repeated: str) -> None:
    """A staff member's own new password (the current one asked first); every other session of theirs ends."""
    from portal.audit.services import record_action

    if not user.check_password(current or ""):
        raise AccountError("current_password", _l("当前密码不正确。"))
    if len(new or "") < 10:
        raise AccountError("new_password", _l("密码至少需要 10 个字符。"))
    if new == current:
        raise AccountError("new_password", _l("新密码不能和当前密码相同。"))
    if new.strip().lower() == user.email.lower():
        raise AccountError("new_password", _l("密码不能是自己的电子邮箱。"))
    if new != repeated:
        raise AccountError("repeated_password", _l("两次输入的新密码不一样。"))
    user.set_password(new)
    db.session.flush()
    record_action(user, "change_password", user, after={"password": "changed"})
