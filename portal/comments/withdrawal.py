"""A commenter withdraws their comment (撤回) before the deadline.

Who may: the browser that sent it (the submission's answer sets a cookie holding the comment's withdrawal key,
scoped to its receipt page), whoever opens the receipt mail's link (the same key in the address), and the
citizen's account it was sent from. The key is a keyed hash of the receipt number (BLAKE2b keyed by the site's
secret key): the receipt number alone, which a commenter reads out on the phone, is not enough.

What happens: the comment's status becomes "withdrawn"; its text, name, contact details and files are erased;
its mails not yet sent are dropped, the addresses it was already mailed to (the contact, responsible
units) are told to delete it, and it leaves the routing queue, the moderation queue, the search index, the
counts, the closing summary, the digest and the office's responses; the export files already built of its
consultation (a large digest, archive, annotated draft) are given no more and built again on asking. The row stays, so that its receipt number
still answers ("withdrawn on …") and public replies keep their place under a notice. Spam cannot be withdrawn
(it stays as the moderators marked it); nothing can once the consultation has closed. Recorded in the audit
log. Flushes, never commits.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.comments.models import Comment, CommentAttachment
from portal.core.time import now
from portal.extensions import db

WITHDRAWABLE = ("pending", "approved", "hidden")
COOKIE = "withdraw"  # one per receipt page (its path), set with the submission's answer
COOKIE_SECONDS = 366 * 24 * 3600  # beyond any comment period; withdrawing is refused once it has closed


class WithdrawalRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@lru_cache(maxsize=4)
def _mac_key(secret: str | bytes) -> bytes:
    """A key of BLAKE2's size derived from the site's secret, for withdrawal keys only."""
    return hashlib.sha256(b"withdraw:" + (secret.encode() if isinstance(secret, str) else secret)).digest()


def withdrawal_key(receipt_number: str) -> str:
    """Keyed BLAKE2b of the receipt number (a MAC by design; a third of HMAC-SHA256's instructions through
    OpenSSL, in the submission's hot path: issue 9)."""
    return hashlib.blake2b(receipt_number.encode(), key=_mac_key(current_app.config["SECRET_KEY"]),
                           digest_size=16).hexdigest()


def key_cookie(receipt_number: str, secure: bool) -> str:
    """The Set-Cookie header that lets this browser withdraw the comment: its key, sent back to its receipt page
    only. Written out rather than through werkzeug's set_cookie, which costs the submission (the hot path, issue
    9) 9 µs against 1; every part is plain ASCII (hex digits, the receipt alphabet), nothing to quote."""
    return (f"{COOKIE}={withdrawal_key(receipt_number)}; Max-Age={COOKIE_SECONDS}; Path=/receipts/{receipt_number}; "
            f"HttpOnly; SameSite=Lax" + ("; Secure" if secure else ""))


def key_matches(receipt_number: str, key: str | None) -> bool:
    return bool(key) and hmac.compare_digest(withdrawal_key(receipt_number), key)


def _is_its_author(comment: Comment, key: str | None, citizen_id: int | None) -> bool:
    """The visitor holds the comment's key (its browser, its receipt mail), or is signed in to its account."""
    return key_matches(comment.receipt_number, key) or (citizen_id is not None and comment.citizen_id == citizen_id)


def may_withdraw(comment: Comment, key: str | None, citizen_id: int | None) -> bool:
    """Whether this visitor (holding ``key``, signed in as ``citizen_id``) may withdraw ``comment`` now."""
    return comment.status in WITHDRAWABLE and comment.consultation.is_open and _is_its_author(comment, key, citizen_id)


def withdraw_comment(comment: Comment, key: str | None, citizen_id: int | None) -> Comment:
    """Withdraw ``comment`` for its author; raises WithdrawalRefused with the reason, changing nothing."""
    from portal.audit.services import record_action  # the audit log builds on the comments
    from portal.digests.exports import outdate_exports
    from portal.mail.models import OutboxMessage
    from portal.responses.models import Response, UnitAdvice
    from portal.routing.queue import unqueue

    for _attempt in range(2):
        if comment.status == "withdrawn":
            raise WithdrawalRefused(_l("这条意见已经撤回了。"))
        if not comment.consultation.is_open:
            raise WithdrawalRefused(_l("征求意见已经截止，意见不能再撤回。"))
        if comment.status not in WITHDRAWABLE:
            raise WithdrawalRefused(_l("这条意见不能撤回。"))
        if not _is_its_author(comment, key, citizen_id):
            raise WithdrawalRefused(_l("撤回链接无效。请使用提交意见的浏览器，或回执邮件中的链接。"))
        # taken in the row as the checks saw it: a moderator's change (spam, say) or a second press at the same
        # moment had been overwritten, or withdrawn twice
        claimed = db.session.execute(
            update(Comment).where(Comment.id == comment.id, Comment.moderation_version == comment.moderation_version,
                                  Comment.status == comment.status)
            .values(moderation_version=Comment.moderation_version + 1).execution_options(synchronize_session=False))
        if claimed.rowcount == 1:
            break
        db.session.refresh(comment)  # changed meanwhile: checked again as it is now
    else:
        raise WithdrawalRefused(_l("这条意见刚刚有了变化，请刷新页面后再试。"))
    before = {"status": comment.status, "version": comment.moderation_version}
    set_committed_value(comment, "moderation_version", comment.moderation_version + 1)
    comment.status = "withdrawn"
    comment.withdrawn_at = now()
    comment.body = ""
    comment.quote = comment.proposal = None
    comment.author_name = comment.author_contact = None
    comment.organisation = comment.organisation_kind = None
    comment.hidden_reason = comment.hidden_note = None
    comment.review_requested_at = None
    db.session.execute(delete(CommentAttachment).where(CommentAttachment.comment_id == comment.id))
    # an answer the office drafted (answers are published only after the deadline) and units' advice: nothing
    # left to answer
    db.session.execute(delete(Response).where(Response.comment_id == comment.id, Response.published_at.is_(None)))
    db.session.execute(delete(UnitAdvice).where(UnitAdvice.comment_id == comment.id))
    unqueue(comment.id)  # not routed yet: no mail will be planned
    db.session.execute(  # planned but not yet taken by a mail worker: dropped (one being sent goes out)
        delete(OutboxMessage).where(OutboxMessage.comment_id == comment.id, OutboxMessage.status == "pending",
                                    OutboxMessage.claimed_by.is_(None)))
    db.session.execute(  # sent (or given up): the copies of what it said are erased, the rows stay as the record
        update(OutboxMessage).where(OutboxMessage.comment_id == comment.id,
                                    OutboxMessage.status.in_(("sent", "failed")))
        .values(subject=None, body_text=None, body_html=None, context=None, headers={}, last_error=None)
        .execution_options(synchronize_session=False))
    db.session.flush()  # the search queue row and the comments' cache token follow the status (listeners, triggers)
    outdate_exports(comment.consultation_id)  # the files built before hold it: given no more, built again on asking
    _tell_who_received_it(comment)
    record_action("citizen", "withdraw_comment", comment, consultation_id=comment.consultation_id, before=before,
                  after={"status": "withdrawn", "version": comment.moderation_version})
    return comment


def _digests_without_it(comment: Comment) -> list[tuple[str, str]]:
    """Digests (意见汇总 mails, a consultation routed by digest) that took the comment in: those not sent yet are
    written again without it; the addresses of those sent (or being sent) are returned, with their language, to
    be told as the per-comment mails' are."""
    from portal.routing.digests import digest_messages, digests_holding, write_again

    sent = []
    for mailing, recipient in digests_holding(comment):
        messages = digest_messages(mailing, recipient.emails)
        waiting = [m for m in messages if m.status == "pending" and m.claimed_by is None]
        if waiting:
            write_again(mailing, recipient, waiting)
        sent += [(m.recipient, m.language) for m in messages
                 if m.status in ("sent", "sending") and m.recipient]
    return sent


def _tell_who_received_it(comment: Comment) -> None:
    """Each address the comment was already mailed to (the contact, a responsible unit) is told it was withdrawn
    and asked to delete what it received: once per address (dedup key)."""
    from sqlalchemy import select

    from portal.mail.models import OutboxMessage
    from portal.mail.services import queue_message

    sent = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.language).where(
            OutboxMessage.comment_id == comment.id, OutboxMessage.kind == "comment",
            OutboxMessage.status.in_(("sent", "sending")), OutboxMessage.recipient != "")
        .order_by(OutboxMessage.id)
    ).all()
    sent += _digests_without_it(comment)
    told = set()
    for recipient, language in sent:
        if recipient.lower() in told:
            continue
        told.add(recipient.lower())
        queue_message("withdrawn", recipient, "withdrawn", language,
                      {"comment": comment, "consultation": comment.consultation},
                      dedup_key=f"withdrawn:{comment.id}:{recipient.lower()}"[:200],
                      consultation_id=comment.consultation_id, comment_id=comment.id)
