"""Create users and check credentials. Flushes, never commits."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts.models import ROLES, User
from portal.core.time import now
from portal.extensions import db
from portal.units.models import Unit


class AccountError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def create_user(email: str, name: str, password: str, role: str, unit: Unit | None = None) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError("role", _("角色必须是 %(roles)s 之一。", roles=", ".join(ROLES)))
    if role == "office" and unit is None:
        raise AccountError("unit", _("起草单位工作人员必须属于一个单位。"))
    if len(password) < 10:
        raise AccountError("password", _("密码至少需要 10 个字符。"))
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError("email", _("这个电子邮箱已经有账号了。"))
    user = User(email=email, name=name.strip(), role=role, unit=unit)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = now()
    db.session.flush()
    return user
