"""Citizens' accounts: sign-in links, the signed-in citizen, their comments. Flushes, never commits.

A citizen asks for a link with their e-mail address; the mail worker sends it (rendering the link only then,
so that no stored mail holds a working link); the link, opened and confirmed with one button (a mail
scanner that fetches links does not sign anyone in), signs them in once, within LINK_MAX_AGE. Signing in
proves the address: it counts as confirming it (without undoing an unsubscription), creates the account on
first use and makes the comments left with that address the account's.

The session cookie carries the account's id and its ``session_epoch``; raising the epoch ("sign out
everywhere") or deleting the account ends every session of it, on every worker and host.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request, session
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.citizens.models import Citizen, ConsultationFollow, SignInLink
from portal.comments.models import Comment, NOT_RECEIVED
from portal.core.time import now
from portal.extensions import db

LINK_MAX_AGE = 30 * 60  # seconds a sign-in link works, from the moment it was asked for
LINK_SALT = "citizen-sign-in"
SESSION_KEY = "citizen"
LINKS_PER_ADDRESS = 5  # sign-in links one address may be sent …
LINKS_WINDOW = timedelta(hours=1)  # … within this time (counted in the database: every worker and host agree)
LINKS_KEPT = timedelta(days=1)  # sign-in links (and so the addresses they were asked for) are deleted after this


class TooManyLinks(Exception):
    """This address was sent LINKS_PER_ADDRESS links within LINKS_WINDOW already."""


# --- asking for a link ------------------------------------------------------------------------------------

def request_sign_in_link(email: str, next_path: str | None, language: str, base_url: str | None = None,
                         follow_consultation_id: int | None = None) -> SignInLink:
    """Store a sign-in link for ``email`` (lower case) and queue its mail; TooManyLinks when the address has had
    its share. The caller commits; the mail worker makes the link and sends it."""
    from portal.mail.services import outbox_row, _outbox_insert_new_statement

    # links older than a day serve nothing (expired, rate limit counted): addresses are not kept longer
    db.session.execute(delete(SignInLink).where(SignInLink.created_at < now() - LINKS_KEPT)
                       .execution_options(synchronize_session=False))
    recent = db.session.scalar(
        select(func.count()).select_from(SignInLink)
        .where(SignInLink.email == email, SignInLink.created_at >= now() - LINKS_WINDOW)
    )
    if recent >= LINKS_PER_ADDRESS:
        raise TooManyLinks(email)
    link = SignInLink(email=email, next_path=next_path, created_at=now(), follow_consultation_id=follow_consultation_id)
    db.session.add(link)
    db.session.flush()
    # a key of its own: a link's id may be a deleted one's again (SQLite), whose mail would have taken it
    row = outbox_row("sign_in", email, language, {"link_id": link.id},
                     dedup_key=f"sign_in:{link.id}:{secrets.token_hex(8)}", base_url=base_url)
    db.session.execute(_outbox_insert_new_statement(), [row])
    return link


def link_token(link: SignInLink) -> str:
    """The token of a sign-in link (made by the mail worker when it sends the mail; never stored)."""
    return _serializer().dumps({"link": link.id, "email": link.email})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=LINK_SALT)


# --- using it ---------------------------------------------------------------------------------------------

@dataclass
class LinkProblem:
    """Why a link cannot sign anyone in: "invalid" (forged or garbled), "expired", "used"."""

    reason: str


def link_from_token(token: str) -> SignInLink | LinkProblem:
    """The unused, unexpired link a token names; else the reason it cannot be used."""
    try:
        data = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired:
        return LinkProblem("expired")
    except BadSignature:
        return LinkProblem("invalid")
    link = db.session.get(SignInLink, data.get("link")) if isinstance(data, dict) else None
    if link is None or link.email != data.get("email"):
        return LinkProblem("invalid")
    if link.used_at is not None:
        return LinkProblem("used")
    if now() - link.created_at > timedelta(seconds=LINK_MAX_AGE):
        return LinkProblem("expired")
    return link


def use_link(link: SignInLink) -> Citizen | None:
    """Sign in with ``link``: mark it used (None when another request used it first: a link signs in once,
    whatever the number of workers), and every other unused link of the address with it; the account, created
    on first use; the address confirmed; earlier comments left with it made the account's. Flushes."""
    at = now()
    used = db.session.execute(
        update(SignInLink).where(SignInLink.id == link.id, SignInLink.used_at.is_(None)).values(used_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        return None
    db.session.execute(
        update(SignInLink).where(SignInLink.email == link.email, SignInLink.used_at.is_(None)).values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    citizen = account_for(link.email)
    citizen.signed_in_at = at
    from portal.mail.services import confirm_address

    confirm_address(link.email, resubscribe=False)
    claim_comments(citizen)
    db.session.flush()
    return citizen


def account_for(email: str) -> Citizen:
    """The account of ``email``, created if there is none (two first sign-ins at once: one row, by the unique
    address)."""
    citizen = db.session.scalar(select(Citizen).where(Citizen.email == email))
    if citizen is not None:
        return citizen
    try:
        with db.session.begin_nested():
            citizen = Citizen(email=email, created_at=now(), session_epoch=0)
            db.session.add(citizen)
    except IntegrityError:  # the other request's row won; use it
        citizen = db.session.scalar(select(Citizen).where(Citizen.email == email))
        if citizen is None:
            raise
    return citizen


def claim_comments(citizen: Citizen) -> int:
    """Make the comments left with the account's address (and no account) the account's; how many."""
    return db.session.execute(
        update(Comment)
        .where(Comment.citizen_id.is_(None), func.lower(Comment.author_contact) == citizen.email)
        .values(citizen_id=citizen.id)
        .execution_options(synchronize_session=False)
    ).rowcount


# --- the session ------------------------------------------------------------------------------------------

def sign_in(citizen: Citizen) -> None:
    """Sign this browser in as ``citizen``; the caller commits (an account made before migration 0054 gets its key)."""
    if not citizen.session_key:
        citizen.session_key = secrets.token_hex(16)
    session[SESSION_KEY] = [citizen.id, citizen.session_epoch, citizen.session_key]
    session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME without use, as a staff session does
    request.environ.pop(_LOADED, None)


def sign_out() -> None:
    session.pop(SESSION_KEY, None)
    request.environ.pop(_LOADED, None)


_LOADED = "portal.citizen"  # the request's citizen, once loaded (kept on the request, not on g: one per request)


def current_citizen() -> Citizen | None:
    """The signed-in citizen (one query per request, only when the session names one); None when nobody is
    signed in, or the account was deleted or signed out everywhere since."""
    if SESSION_KEY not in session:
        return None
    if _LOADED in request.environ:
        return request.environ[_LOADED]
    citizen = None
    value = session.get(SESSION_KEY)
    if (isinstance(value, list) and len(value) == 3 and isinstance(value[0], int) and isinstance(value[1], int)
            and isinstance(value[2], str)):
        citizen = db.session.get(Citizen, value[0])
        if citizen is not None and (citizen.session_epoch != value[1] or not citizen.session_key
                                    or not hmac.compare_digest(citizen.session_key, value[2])):
            citizen = None  # signed out everywhere since, or another account under a deleted one's id
    if citizen is None:
        session.pop(SESSION_KEY, None)
    request.environ[_LOADED] = citizen
    return citizen


def sign_out_everywhere(citizen: Citizen) -> None:
    citizen.session_epoch += 1
    db.session.flush()
    sign_in(citizen)  # this browser stays signed in


def delete_account(citizen: Citizen) -> None:
    """The account goes, with its sign-in links; its comments stay (part of the consultation's record), no
    longer linked to it. Mail preferences of the address stay as they are."""
    db.session.execute(update(Comment).where(Comment.citizen_id == citizen.id).values(citizen_id=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(SignInLink).where(SignInLink.email == citizen.email))
    db.session.execute(delete(ConsultationFollow).where(ConsultationFollow.citizen_id == citizen.id))
    db.session.delete(citizen)
    db.session.flush()
    sign_out()


# --- settings ---------------------------------------------------------------------------------------------

def set_consultation_alerts(citizen: Citizen, wanted: bool, language: str) -> None:
    """新征求意见提醒 on or off. Turned on, the mails come in ``language`` (the page's at that moment); turned
    off, alerts already queued are not sent (the mail worker asks again: portal/mail/rendering.py)."""
    from portal.mail.compose import mail_language

    if wanted and not citizen.consultation_alerts:
        citizen.alerts_language = mail_language(language)
    citizen.consultation_alerts = wanted
    db.session.flush()


# --- following a consultation (关注) -----------------------------------------------------------------------

def follow(citizen: Citizen, consultation, language: str) -> None:
    """Follow ``consultation`` (once: following again changes nothing), with mail in ``language``."""
    from portal.mail.compose import mail_language

    if not is_following(citizen, consultation):
        db.session.add(ConsultationFollow(citizen_id=citizen.id, consultation_id=consultation.id,
                                          language=mail_language(language)))
        db.session.flush()


def unfollow(citizen: Citizen, consultation_id: int) -> None:
    db.session.execute(delete(ConsultationFollow).where(ConsultationFollow.citizen_id == citizen.id,
                                                        ConsultationFollow.consultation_id == consultation_id))
    db.session.flush()


def is_following(citizen: Citizen | None, consultation) -> bool:
    return citizen is not None and db.session.scalar(select(ConsultationFollow.id).where(
        ConsultationFollow.citizen_id == citizen.id, ConsultationFollow.consultation_id == consultation.id)) is not None


def followed_consultations(citizen: Citizen) -> list:
    from portal.consultations.models import Consultation

    return list(db.session.scalars(
        select(Consultation).join(ConsultationFollow, ConsultationFollow.consultation_id == Consultation.id)
        .where(ConsultationFollow.citizen_id == citizen.id, Consultation.published_at.is_not(None))
        .order_by(ConsultationFollow.created_at.desc())))


# --- "my comments" ----------------------------------------------------------------------------------------

COMMENTS_PER_PAGE = 20


def my_comments(citizen: Citizen, page: int) -> tuple[list[tuple[Comment, "Response | None"]], int]:  # noqa: F821
    """A page of the citizen's comments, newest first, with their consultation, section and published response
    (none for spam, as on the receipt page); the total. Three queries."""
    from sqlalchemy.orm import joinedload

    from portal.responses.models import Response

    total = db.session.scalar(select(func.count()).select_from(Comment).where(Comment.citizen_id == citizen.id)) or 0
    comments = db.session.scalars(
        select(Comment).where(Comment.citizen_id == citizen.id)
        .options(joinedload(Comment.consultation), joinedload(Comment.section))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(COMMENTS_PER_PAGE).offset((page - 1) * COMMENTS_PER_PAGE)
    ).all()
    responses = {response.comment_id: response for response in db.session.scalars(
        select(Response).where(Response.comment_id.in_([c.id for c in comments]), Response.published_at.is_not(None)))}
    return [(c, responses.get(c.id) if c.status not in NOT_RECEIVED else None) for c in comments], total
