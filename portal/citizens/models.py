"""Citizens' accounts: optional, without a password. A citizen signs in with a one-use link sent to their
e-mail address; comments made while signed in (and earlier ones left with the same address) are theirs to
follow on "my comments". Kept apart from the staff accounts (portal/accounts), which Flask-Login serves."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import UTCDateTime, now
from portal.extensions import db


class Citizen(db.Model):
    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)  # lower case
    # the signature the comment form starts with (may be left empty: comments then show "匿名")
    name: Mapped[str | None] = mapped_column(String(50))
    # the organisation on whose behalf the citizen usually comments (以单位名义), filled into the comment form; None:
    # for themselves (portal/comments/organisations.py)
    organisation: Mapped[str | None] = mapped_column(String(200))
    organisation_kind: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session cookie of this account: raised by "sign out everywhere", which ends them all
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # a random key of this account, in its sessions beside id and epoch (migration 0054): a deleted account's id may
    # be given to a new one (SQLite reuses the highest), whose epoch starts at 0 again; the key tells them apart
    session_key: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    # 新征求意见提醒: one mail for each consultation published (portal/mail/services.py: queue_new_consultation_mail),
    # in the language the citizen read the site in when they turned the alerts on
    consultation_alerts: Mapped[bool] = mapped_column(default=False, server_default=false())
    alerts_language: Mapped[str | None] = mapped_column(String(10))


class SignInLink(db.Model):
    """A sign-in link requested for an address: used once, within LINK_MAX_AGE of the request.

    The link itself (a signature over this row's id and the address) is made by the mail worker when it
    sends the mail and is never stored: the outbox keeps the mail with the link left out."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), index=True)  # lower case
    # where to go once signed in: a path on this site (checked when requested)
    next_path: Mapped[str | None] = mapped_column(String(500))
    # asked for from a consultation's "follow" box (关注) without an account: using the link also follows it (no
    # foreign key: a consultation gone by then is simply not followed)
    follow_consultation_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsultationFollow(db.Model):
    """关注: a signed-in citizen follows a consultation and hears by mail, in the language they followed it in,
    when its deadline is extended, a revised draft is put out, or the office publishes its responses
    (portal/mail/services.py: queue_follower_mail). Goes with the account or the consultation."""

    __tablename__ = "consultation_follows"
    __table_args__ = (UniqueConstraint("citizen_id", "consultation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(10), default="zh_CN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
