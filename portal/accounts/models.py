"""Staff accounts: administrators, office staff (of one unit) and moderators. Citizens need none."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core.time import UTCDateTime, now
from portal.extensions import db

ROLES = ("admin", "office", "moderator")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # part of the id a session carries (get_id): raised when the password changes, which ends every session
    # made before, on every worker and host
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # two-step login (portal/accounts/two_factor.py): the authenticator's shared secret, sealed (core/sealing.py;
    # read and written through totp_secret), when it was turned on, the last time step accepted (a code is taken
    # once), and the hashes of the unused recovery codes
    sealed_totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    recovery_codes: Mapped[list | None] = mapped_column(JSON)

    unit: Mapped["Unit | None"] = relationship()  # noqa: F821

    def set_password(self, password: str) -> None:
        """A new password: its hash, and every session made with the old one ended."""
        self.password_hash = generate_password_hash(password)  # scrypt, werkzeug's current default
        self.end_sessions()

    def end_sessions(self) -> None:
        """Every session made so far names an id this account no longer has (get_id): all of them end."""
        self.session_epoch = (self.session_epoch or 0) + 1

    def get_id(self) -> str:  # Flask-Login: what the session keeps
        return f"{self.id}.{self.session_epoch or 0}"

    @classmethod
    def of_session(cls, session_id: str) -> User | None:
        """The account a session's id (get_id: ``id.epoch``) names, unless its sessions have ended since; ids of
        sessions older than the epoch (the number alone) count as epoch 0."""
        from portal.extensions import db

        number, _dot, epoch = str(session_id or "").partition(".")
        if not number.isdecimal() or not (epoch or "0").isdecimal():
            return None
        user = db.session.get(cls, int(number))
        return user if user is not None and (user.session_epoch or 0) == int(epoch or 0) else None

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def two_factor_on(self) -> bool:
        # on while a sealed secret is stored, even one the keys no longer open: a changed secret key must never
        # turn a second factor off (the account then needs an administrator's reset)
        return self.totp_enabled_at is not None and bool(self.sealed_totp_secret)

    @property
    def totp_secret(self) -> str | None:
        """The authenticator's shared secret, unsealed; None when there is none or the keys do not open it."""
        from portal.core.sealing import unseal

        return unseal(self.sealed_totp_secret) if self.sealed_totp_secret else None

    @totp_secret.setter
    def totp_secret(self, secret: str | None) -> None:
        from portal.core.sealing import seal

        self.sealed_totp_secret = seal(secret) if secret else None
