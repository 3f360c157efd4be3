"""Queue mail in the caller's transaction; commenters' double opt-in and unsubscribe; resend. Never commits."""
from __future__ import annotations

import hashlib

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from email.utils import make_msgid, parseaddr

from flask import current_app
from sqlalchemy import String, bindparam, case, cast, func, insert, literal, select, text, update

from portal.comments.models import Comment, comment_received
from portal.core.statements import insert_for, prepared, run
from portal.core.time import now
from portal.extensions import db
from portal.mail.compose import mail_language, render_mail
from portal.mail.links import external_url, site_address, unsubscribe_token
from portal.mail.models import COMMENTER_MESSAGES, CommenterAddress, OutboxMessage
from portal.responses.models import Response

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONFIRM_RESEND_AFTER_HOURS = 24  # at most one confirmation request a day to an unconfirmed address


def email_from_contact(contact: str | None) -> str | None:
    """The e-mail address in a commenter's contact field (which may hold a phone number instead), lower case."""
    value = (contact or "").strip()
    return value.lower() if EMAIL.match(value) else None


def queue_message(kind: str, recipient: str, template: str, language: str, context: dict, **columns) -> OutboxMessage:
    """Render a mail and add it to the outbox (the caller's transaction flushes and commits it; a worker
    sends it). ``columns``: its headers, dedup_key, consultation_id and comment_id (``pending_columns``)."""
    language = mail_language(language)
    rendered = render_mail(template, language, **context)
    message = OutboxMessage(**pending_columns(kind, recipient, language, **columns), **rendered.outbox_columns())
    db.session.add(message)
    return message


def outbox_row(kind: str, recipient: str, language: str, context: dict, *, base_url: str | None = None,
               **columns) -> dict:
    """An outbox row the worker renders when it sends it (``portal/mail/rendering.py``; the template is named
    after the kind): ``context`` holds ids and names (JSON), plus the site address the request came in by
    (``base_url``, when the caller has it already). ``columns``: its headers, dedup_key, consultation_id,
    comment_id and ``at``, the moment it is queued (``pending_columns``)."""
    return {**pending_columns(kind, recipient, language, **columns),
            "template": kind, "context": {**context, "base_url": base_url or site_address()}}


def pending_columns(kind: str, recipient: str, language: str, *, headers: dict | None = None,
                    dedup_key: str | None = None, consultation_id: int | None = None, comment_id: int | None = None,
                    at=None) -> dict:
    """The columns of a message queued for ``recipient``, due at once, that queue_message and outbox_row write:
    marked auto-generated (besides ``headers``), in the mail language of ``language``, with its Message-ID.
    ``at``: the moment it is queued (default: now)."""
    at = at or now()
    return {
        "kind": kind, "recipient": recipient, "language": mail_language(language),
        "headers": {"Auto-Submitted": "auto-generated", **(headers or {})},
        "dedup_key": dedup_key, "consultation_id": consultation_id, "comment_id": comment_id,
        "status": "pending", "attempts": 0, "next_attempt_at": at, "created_at": at,
        "message_id": new_message_id(),
    }


def new_message_id() -> str:
    """A Message-ID in the sender's domain, fixed when queued so that a retried message keeps it."""
    return make_msgid(domain=_domain_of(_sender()))


def _sender() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost"
    return sender[-1] if isinstance(sender, (tuple, list)) else sender


@cache
def _domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


# --- commenters -------------------------------------------------------------------------------------

def addresses_of(email: str) -> list[CommenterAddress]:
    return list(db.session.scalars(select(CommenterAddress).where(CommenterAddress.email == email)))


@dataclass
class MailPlan:
    """The mails a stored comment causes (portal/routing/services.py: plan_comment_mail), written by ``queue``.
    The mail worker plans and queues them for each comment of the routing queue (portal/routing/queue.py)."""

    rows: list[dict] = field(default_factory=list)  # outbox rows; the comment's id is filled in by ``queue``
    new_address: str | None = None  # a commenter's address seen for the first time

    def address_row(self) -> dict | None:
        """The commenter_addresses row of a commenter's address seen for the first time (None: none)."""
        if self.new_address is None:
            return None
        return {"email": self.new_address, "created_at": now(), "confirmed_at": None, "unsubscribed_at": None}

    def rows_for(self, comment_id: int) -> list[dict]:
        """The outbox rows, completed with the comment's id."""
        for row in self.rows:
            row["comment_id"] = comment_id
            row["context"] = {**row["context"], "comment_id": comment_id}
            if row["dedup_key"]:
                row["dedup_key"] = row["dedup_key"].replace("{comment}", str(comment_id))[:200]
        return self.rows

    def queue(self, comment_id: int) -> list[dict]:
        """Write the rows in the caller's transaction; a row whose dedup key is taken (this comment's mail to
        that address is queued already) is left out."""
        address = self.address_row()
        if address is not None:
            run(_new_address_statement(), address)
        rows = self.rows_for(comment_id)
        if rows:
            run(_outbox_insert_new_statement(), rows)
        return rows


def plan_commenter_mail(plan: MailPlan, author_contact: str | None, language: str, consultation_id: int,
                        base_url: str | None = None) -> None:
    """What a commenter who left an e-mail gets for a new comment: the receipt once the address is confirmed,
    else a request to confirm it (at most one a day); nothing after they unsubscribed."""
    email = email_from_contact(author_contact)
    if email is None:
        return
    address = address_state(email)
    if not address.known:
        plan.new_address = email
    if address.unsubscribed:
        return
    if address.confirmed:
        kind, key = "receipt", "receipt:{comment}"  # the comment is new: no receipt for it can exist yet
    elif _recent_confirm_request(email):
        return  # the request already on its way covers this comment too
    else:
        kind, key = "confirm", None
    plan.rows.append(outbox_row(kind, email, language, {}, dedup_key=key, consultation_id=consultation_id,
                                base_url=base_url))


@dataclass
class AddressState:
    """What the commenter_addresses rows of one address say (any row counts: the table is not unique on purpose)."""

    known: bool
    confirmed: bool
    unsubscribed: bool

    @property
    def mailable(self) -> bool:
        """Confirmed and not unsubscribed: mail about the commenter's comments may go to it."""
        return self.confirmed and not self.unsubscribed


def address_state(email: str) -> AddressState:
    rows = run(_address_statement(), {"email": email}).all()
    return AddressState(bool(rows), any(row.confirmed_at for row in rows), any(row.unsubscribed_at for row in rows))


@prepared
def _address_statement(_dialect):
    addresses = CommenterAddress.__table__
    return select(addresses.c.confirmed_at, addresses.c.unsubscribed_at).where(addresses.c.email == bindparam("email"))


@prepared
def _new_address_statement(_dialect):
    return insert(CommenterAddress.__table__)


@prepared
def _recent_confirm_statement(_dialect):
    outbox = OutboxMessage.__table__
    return select(outbox.c.id).where(
        text(COMMENTER_MESSAGES),  # the condition of ix_outbox_recipient, so that SQLite uses it
        outbox.c.kind == "confirm", outbox.c.recipient == bindparam("email"), outbox.c.created_at >= bindparam("since")
    ).limit(1)


@prepared
def _dedup_statement(_dialect):
    outbox = OutboxMessage.__table__
    return select(outbox.c.id).where(outbox.c.dedup_key == bindparam("key"))


def _outbox_insert(dialect: str):
    """INSERT … ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING: a message already queued under
    its key is not queued twice."""
    return insert_for(dialect)(OutboxMessage.__table__).on_conflict_do_nothing(
        index_elements=["dedup_key"], index_where=text("dedup_key IS NOT NULL"))


_outbox_insert_new_statement = prepared(_outbox_insert)  # built once per engine, for run()


def _recent_confirm_request(email: str) -> bool:
    since = now() - timedelta(hours=CONFIRM_RESEND_AFTER_HOURS)
    return run(_recent_confirm_statement(), {"email": email, "since": since}).first() is not None


def receipt_row(comment, email: str) -> dict | None:
    """The receipt (receipt number and a link to the comment) as an outbox row; once per comment."""
    key = f"receipt:{comment.id}"
    if run(_dedup_statement(), {"key": key}).first() is not None:
        return None
    return outbox_row(
        "receipt", email, comment.language, {"comment_id": comment.id}, dedup_key=key,
        consultation_id=comment.consultation_id, comment_id=comment.id,
    )


def mailable_commenters(comments) -> dict[str, list[Comment]]:
    """``comments`` by the e-mail address their commenters left (in order), those addresses only that are confirmed
    and not unsubscribed (AddressState.mailable), read in one query for all of them."""
    by_email: dict[str, list[Comment]] = {}
    for comment in comments:
        if (email := email_from_contact(comment.author_contact)) is not None:
            by_email.setdefault(email, []).append(comment)
    if not by_email:
        return {}
    confirmed, unsubscribed = set(), set()
    for address in db.session.scalars(select(CommenterAddress).where(CommenterAddress.email.in_(list(by_email)))):
        if address.confirmed_at:
            confirmed.add(address.email)
        if address.unsubscribed_at:
            unsubscribed.add(address.email)
    return {email: theirs for email, theirs in by_email.items() if email in confirmed and email not in unsubscribed}


def queue_response_mail(comment_ids: list[int]) -> None:
    """The office's response has just been published for these comments: tell each commenter who left a
    confirmed e-mail address (not unsubscribed), once per comment (dedup key ``response:<comment>``, so that
    publishing again or confirming later queues nothing twice). Spam gets none. Flushes."""
    if not comment_ids:
        return
    comments = db.session.scalars(
        select(Comment).join(Response, Response.comment_id == Comment.id)
        .where(Comment.id.in_(comment_ids), comment_received(), Response.published_at.is_not(None))
        .order_by(Comment.id)
    ).all()
    rows = []
    for email, theirs in mailable_commenters(comments).items():
        rows += [outbox_row("response", email, comment.language, {"comment_id": comment.id},
                            dedup_key=f"response:{comment.id}",
                            consultation_id=comment.consultation_id, comment_id=comment.id) for comment in theirs]
    if rows:
        db.session.execute(_outbox_insert_new_statement(), rows)
        db.session.flush()


def queue_issued_mail(consultation, base_url: str | None = None) -> int:
    """The policy consulted on has been issued (正式印发, portal/office/services.py: publish_final_document): tell each
    commenter who left a confirmed e-mail address (not unsubscribed) once, whatever the number of their comments (dedup
    key ``issued:<consultation>:<their first comment>``), with its link and their receipt numbers. Returns the number
    queued; flushes."""
    comments = db.session.scalars(
        select(Comment).where(comment_received(consultation.id), Comment.author_contact.is_not(None))
        .order_by(Comment.id)).all()
    rows = []
    for email, theirs in mailable_commenters(comments).items():
        rows.append(outbox_row("issued", email, theirs[-1].language,
                               {"consultation_id": consultation.id, "comment_ids": [c.id for c in theirs]},
                               dedup_key=f"issued:{consultation.id}:{theirs[0].id}", consultation_id=consultation.id,
                               base_url=base_url))
    if rows:
        db.session.execute(_outbox_insert_new_statement(), rows)
        db.session.flush()
    return len(rows)


def address_key(email: str) -> str:
    """What stands for a citizen's address in a dedup key: a hash (SHA-256, 32 hex), so that the key, which the outbox
    keeps after ``mail erase-old`` erased the recipient, never holds the address itself. Unkeyed, so that it stays
    the same when the secret key changes (a key is only compared with the keys of the same address)."""
    return hashlib.sha256(b"outbox-address:" + email.strip().lower().encode()).hexdigest()[:32]


def queue_next_round_mail(consultation, base_url: str | None = None) -> int:
    """``consultation`` follows an earlier round (再次征求意见, portal/consultations/rounds.py) and has just been
    published: tell each commenter of that round who left a confirmed address (not unsubscribed) and each citizen
    following it, once an address (dedup key ``next_round:<consultation>:<address_key>``), in their language, with the
    new draft and what changed. Taken back with the publication (withdraw_new_consultation_mail). Returns the
    number queued; flushes."""
    from portal.citizens.models import Citizen, ConsultationFollow

    previous = consultation.previous_round
    if previous is None:
        return 0
    comments = db.session.scalars(
        select(Comment).where(comment_received(previous.id), Comment.author_contact.is_not(None))
        .order_by(Comment.id)).all()
    recipients: dict[str, dict] = {
        email: {"language": theirs[-1].language, "comment_ids": [c.id for c in theirs]}
        for email, theirs in mailable_commenters(comments).items()}
    unsubscribed = select(CommenterAddress.id).where(
        CommenterAddress.email == Citizen.email, CommenterAddress.unsubscribed_at.is_not(None)).exists()
    for email, language in db.session.execute(
            select(Citizen.email, ConsultationFollow.language).join(Citizen, Citizen.id == ConsultationFollow.citizen_id)
            .where(ConsultationFollow.consultation_id == previous.id, ~unsubscribed).order_by(ConsultationFollow.id)):
        recipients.setdefault(email, {"language": language, "comment_ids": []})["following"] = True
    rows = [outbox_row("next_round", email, facts["language"],
                       {"consultation_id": consultation.id, "previous_id": previous.id,
                        "comment_ids": facts["comment_ids"], "following": facts.get("following", False)},
                       dedup_key=f"next_round:{consultation.id}:{address_key(email)}", consultation_id=consultation.id,
                       base_url=base_url)
            for email, facts in recipients.items()]
    if rows:
        db.session.execute(_outbox_insert_new_statement(), rows)
        db.session.flush()
    return len(rows)


def queue_quote_changed_mail(consultation, changed: list, base_url: str | None = None) -> int:
    """A revised draft has just been put out: tell each commenter who left a confirmed e-mail address (not
    unsubscribed) and quoted words of the draft that this revision changed (``changed``: portal/comments/quotes.py,
    changed_by_revision; nobody is told again by a later one), once per comment and version (dedup key
    ``quote_changed:<comment>:<version>``). Returns the number queued; flushes."""
    version = consultation.current_draft.version if consultation.current_draft is not None else None
    rows = [outbox_row("quote_changed", email, comment.language, {"comment_id": comment.id, "version": version},
                       dedup_key=f"quote_changed:{comment.id}:{version}", consultation_id=consultation.id,
                       comment_id=comment.id, base_url=base_url)
            for email, theirs in mailable_commenters(changed).items() for comment in theirs]
    if rows:
        db.session.execute(_outbox_insert_new_statement(), rows)
        db.session.flush()
    return len(rows)


def queue_reply_mail(reply: Comment, base_url: str | None = None) -> None:
    """A reply has just become public: tell the author of the comment it answers, when they left a confirmed
    e-mail address (not unsubscribed), once per reply (dedup key ``reply:<reply>``, so that approving again,
    restoring or routing twice queues nothing twice). Nobody is told of their own reply, nor of a reply in a
    consultation whose comments are not public. Flushes."""
    parent = reply.parent if reply.parent_id else None
    if parent is None or reply.status != "approved" or not reply.consultation.comments_public:
        return
    email = email_from_contact(parent.author_contact)
    if email is None or email == email_from_contact(reply.author_contact):
        return
    if parent.citizen_id is not None and parent.citizen_id == reply.citizen_id:
        return
    if not address_state(email).mailable:
        return
    db.session.execute(_outbox_insert_new_statement(), [outbox_row(
        "reply", email, parent.language, {"comment_id": reply.id}, dedup_key=f"reply:{reply.id}",
        consultation_id=reply.consultation_id, comment_id=reply.id, base_url=base_url)])
    db.session.flush()


def queue_new_consultation_mail(consultation, base_url: str | None = None) -> int:
    """A consultation has just been published: tell every citizen who asked for new consultation alerts
    (portal/citizens, settings), in the language they turned them on in, once per consultation and citizen
    (dedup key ``new_consultation:<consultation>:<citizen>``, so that publishing again queues nothing twice).
    Their addresses were proved by signing in; an unsubscribed one gets nothing. A consultation closed already
    is not announced. One INSERT … SELECT from the accounts, whatever their number: nothing per subscriber runs
    in Python (the one-click unsubscribe headers are added when the worker sends: worker._prepare). Flushes;
    returns the number of rows queued now."""
    from portal.citizens.models import Citizen

    if consultation.state() == "closed":
        return 0
    citizens = Citizen.__table__
    return _queue_to_citizens(
        "new_consultation", consultation.id, {"consultation_id": consultation.id},
        dedup_prefix=f"new_consultation:{consultation.id}:", message_id_prefix=f"alert.{consultation.id}",
        language=case((citizens.c.alerts_language.like("en%"), "en"), else_="zh_CN"),
        source=citizens, where=citizens.c.consultation_alerts.is_(True), base_url=base_url)


FOLLOW_EVENTS = ("extended", "revised", "responses", "closing_soon", "final", "meeting")


def queue_follower_mail(consultation, event: str, occasion: str, base_url: str | None = None,
                        about: dict | None = None) -> int:
    """Something the followers of ``consultation`` (关注, portal/citizens) want to hear of happened: its deadline
    was ``extended``, a draft ``revised``, the office published ``responses`` or the policy as issued (``final``),
    announced a ``meeting`` the public may sign up for (``about``: its id, {"meeting_id": …}), or its deadline is near
    (``closing_soon``, from close-due: portal/consultations/services.py). One mail to each follower, in
    the language they followed it in, once per ``occasion`` (the extension, the version, the day: dedup key
    ``followed:<event>:<consultation>:<occasion>:<citizen>``); none to an unsubscribed address. One INSERT …
    SELECT, whatever the number of followers. Flushes; returns the number of rows queued now."""
    from portal.citizens.models import Citizen, ConsultationFollow

    if event not in FOLLOW_EVENTS:
        raise ValueError(event)
    follows, citizens = ConsultationFollow.__table__, Citizen.__table__
    return _queue_to_citizens(
        "followed", consultation.id, {"consultation_id": consultation.id, "event": event, **(about or {})},
        dedup_prefix=f"followed:{event}:{consultation.id}:{occasion}:", message_id_prefix=f"followed.{consultation.id}",
        language=follows.c.language, source=follows.join(citizens, citizens.c.id == follows.c.citizen_id),
        where=follows.c.consultation_id == consultation.id, base_url=base_url)


def _queue_to_citizens(kind: str, consultation_id: int, context: dict, *, dedup_prefix: str, message_id_prefix: str,
                       language, source, where, base_url: str | None) -> int:
    """One mail of ``kind`` (its template too) to each citizen account ``source`` … ``where`` selects, but those
    whose address is unsubscribed: one INSERT … SELECT, its dedup key ``dedup_prefix`` + the citizen's id (ON
    CONFLICT DO NOTHING: queued once), its Message-ID made in SQL, rendered by the worker when it sends. Flushes;
    the number of rows queued now."""
    from portal.citizens.models import Citizen

    citizens, addresses, outbox = Citizen.__table__, CommenterAddress.__table__, OutboxMessage.__table__
    unsubscribed = select(addresses.c.id).where(
        addresses.c.email == citizens.c.email, addresses.c.unsubscribed_at.is_not(None)).exists()
    at, citizen_id = now(), cast(citizens.c.id, String)
    # unique across calls: <prefix.batch.citizen@sender's domain>
    message_id = f"<{message_id_prefix}.{secrets.token_hex(6)}."
    values = {
        "kind": literal(kind),
        "recipient": citizens.c.email,
        "template": literal(kind),
        "language": language,
        "context": literal({**context, "base_url": base_url or site_address()}, outbox.c.context.type),
        "headers": literal({"Auto-Submitted": "auto-generated"}, outbox.c.headers.type),
        "dedup_key": literal(dedup_prefix) + citizen_id,
        "consultation_id": literal(consultation_id),
        "status": literal("pending"),
        "attempts": literal(0),
        "next_attempt_at": literal(at, outbox.c.next_attempt_at.type),
        "created_at": literal(at, outbox.c.created_at.type),
        "message_id": literal(message_id) + citizen_id + literal(f"@{_domain_of(_sender())}>"),
    }
    rows = select(*(value.label(name) for name, value in values.items())).select_from(source).where(
        where, ~unsubscribed)
    dialect = db.session.get_bind().dialect.name
    # the ids of the rows written (RETURNING): the driver's rowcount of an INSERT … SELECT … ON CONFLICT is not
    # the same on both databases
    queued = db.session.execute(_outbox_insert(dialect).from_select(list(values), rows).returning(outbox.c.id)).all()
    db.session.flush()
    return len(queued)


def withdraw_new_consultation_mail(consultation_id: int) -> int:
    """The consultation was unpublished before opening: its alerts (and the mails to the round before's commenters
    and followers) not sent yet are taken out of the outbox, so that publishing it again queues them afresh (their
    dedup keys free). Flushes; returns how many."""
    result = db.session.execute(
        OutboxMessage.__table__.delete().where(
            OutboxMessage.kind.in_(("new_consultation", "next_round")), OutboxMessage.consultation_id == consultation_id,
            OutboxMessage.status == "pending")
    )
    db.session.flush()
    return result.rowcount or 0


def office_addresses(consultation) -> list[str]:
    """The drafting office's addresses: the contact addresses of the consultation's notice and those of its
    unit's active office accounts, each once."""
    from portal.accounts.models import User
    from portal.routing.services import clean_emails

    staff = db.session.scalars(select(User.email).where(
        User.unit_id == consultation.owner_unit_id, User.role == "office", User.active.is_(True))
    ).all() if consultation.owner_unit_id is not None else []
    return clean_emails([*(consultation.contact_emails or []), *staff])


def queue_office_mail(consultation, kind: str, occasion: str, context: dict | None = None) -> int:
    """A staff mail of ``kind`` to each of the drafting office's addresses (office_addresses), once an occasion:
    queue_staff_mail."""
    return queue_staff_mail(consultation, kind, occasion, office_addresses(consultation), context)


def queue_staff_mail(consultation, kind: str, occasion: str, addresses: list[str], context: dict | None = None) -> int:
    """A staff mail of ``kind`` about ``consultation`` to each of ``addresses``, once an occasion (dedup key
    ``<kind>:<consultation>:<occasion>:<address>``). Rendered when sent. Flushes; returns the rows queued that
    were not queued before (two callers at once may both count a row the unique key lets in once)."""
    at = now()
    keys = {email: ":".join(filter(None, (kind, str(consultation.id), occasion, email))) for email in addresses}
    queued = set(db.session.scalars(select(OutboxMessage.dedup_key).where(
        OutboxMessage.dedup_key.in_(list(keys.values()))))) if keys else set()
    rows = [outbox_row(kind, email, "zh_CN", {"consultation_id": consultation.id, **(context or {})},
                       dedup_key=key, consultation_id=consultation.id, at=at)
            for email, key in keys.items() if key not in queued]
    if rows:
        db.session.execute(_outbox_insert_new_statement(), rows)
        db.session.flush()
    return len(rows)


def queue_closing_mail(consultation) -> int:
    """A consultation has just been finalised (its deadline passed, its closing summary written): tell the
    drafting office, at the contact addresses of its notice and at those of its active staff accounts, once each
    (dedup key ``closed:<consultation>:<address>``), with the summary, what still waits for moderation and the
    links to answer the comments and download the digest. Staff mail, rendered when sent. Flushes; returns the
    number of rows offered."""
    return queue_office_mail(consultation, "closed", "")


def unsubscribe_headers(email: str, base_url: str | None = None) -> dict:
    """RFC 8058 one-click unsubscribe: an https link a mail client may POST to without asking. ``base_url``:
    the site address the commenter used (default: PORTAL_BASE_URL, else the current request's)."""
    return {
        "List-Unsubscribe": f"<{external_url('mail.unsubscribe', base=base_url, token=unsubscribe_token(email))}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirm_address(email: str, resubscribe: bool = True) -> list[OutboxMessage]:
    """The commenter confirmed: mark the address, then queue the receipts of all their comments.

    ``resubscribe``: confirming from the link in a mail is a fresh, explicit choice to get mail, and undoes an
    earlier unsubscription; signing in (portal/citizens) proves the address too, but leaves that choice as it
    was: then an unsubscribed address is marked confirmed and gets nothing."""
    rows = addresses_of(email) or [CommenterAddress(email=email)]
    for row in rows:
        row.confirmed_at = row.confirmed_at or now()
        if resubscribe:
            row.unsubscribed_at = None
        db.session.add(row)
    db.session.flush()
    if any(row.unsubscribed_at for row in rows):
        return []
    comments = db.session.scalars(
        select(Comment).where(func.lower(Comment.author_contact) == email).order_by(Comment.created_at)
    ).all()
    receipts = [OutboxMessage(**row) for comment in comments if (row := receipt_row(comment, email)) is not None]
    db.session.add_all(receipts)
    db.session.flush()
    queue_response_mail([comment.id for comment in comments])  # answers published before the address was confirmed
    return receipts


def unsubscribe_address(email: str) -> int:
    """No more mail to this commenter; messages not yet sent are given up. Returns how many were dropped."""
    rows = addresses_of(email) or [CommenterAddress(email=email)]
    for row in rows:
        row.unsubscribed_at = row.unsubscribed_at or now()
        db.session.add(row)
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            text(COMMENTER_MESSAGES),  # the kinds of COMMENTER_KINDS, as ix_outbox_recipient names them
            OutboxMessage.recipient == email,
            OutboxMessage.status == "pending",
        )
        .values(status="failed", last_error="收件人已退订")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount


def is_unsubscribed(email: str) -> bool:
    return db.session.scalar(
        select(CommenterAddress.id).where(
            CommenterAddress.email == email, CommenterAddress.unsubscribed_at.is_not(None)
        ).limit(1)
    ) is not None


# --- the administrator's outbox ---------------------------------------------------------------------

def resend_message(message: OutboxMessage) -> OutboxMessage:
    """Try again: a failed row goes back to the queue; a sent one is copied into a new row (each row is
    sent at most once)."""
    if message.is_erased:
        raise ValueError("an erased message cannot be sent again")
    if message.withdrawn_content:
        raise ValueError("the comment it carried was withdrawn: it is not sent again")
    if message.status == "failed":
        message.status = "pending"
        message.attempts = 0
        message.next_attempt_at = now()
        message.claimed_by = message.claimed_at = None
        db.session.flush()
        return message
    if message.status != "sent":
        raise ValueError("only a sent or failed message can be sent again")
    # a sign-in mail is stored without its link: sent again, it is rendered again (if the link still works)
    rendered = message.kind != "sign_in"
    copy = OutboxMessage(
        kind=message.kind, recipient=message.recipient, subject=message.subject if rendered else None,
        body_text=message.body_text if rendered else None, body_html=message.body_html if rendered else None,
        headers=dict(message.headers or {}),
        template=message.template, context=message.context,
        language=message.language, consultation_id=message.consultation_id, comment_id=message.comment_id,
        status="pending", attempts=0, next_attempt_at=now(), message_id=new_message_id(),
    )
    db.session.add(copy)
    db.session.flush()
    return copy
