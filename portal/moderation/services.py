"""Moderation: screen new comments, list the queue, act on comments, reports, word list, mode.

Flushes, never commits. Actions use optimistic concurrency: each form carries the comment's
``moderation_version``; an atomic conditional UPDATE changes the comment only if that version (and an
allowed status) is still there, so when two moderators act on one comment the second changes nothing
and is told so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import selectinload

from portal.audit.services import record_action
from portal.comments.attachments import text_of_files_contains
from portal.comments.models import Comment
from portal.consultations.models import Consultation, closed_consultation
from portal.core.statements import prepared, run
from portal.core.time import now
from portal.core.tokens import remember
from portal.core.web import query_int
from portal.extensions import db
from portal.mail.services import queue_reply_mail
from portal.moderation.labels import HIDE_REASON_LABELS
from portal.moderation.models import (
    MODES, CommentReport, SensitiveWord,
)
from portal.moderation.personal import has_personal, mask_personal
from portal.moderation.signs import has_link, has_repetition, matched_words
from portal.search.events import enqueue
from portal.search.models import COMMENT

# action: (statuses it applies to, status it sets)
TRANSITIONS = {
    "approve": (("pending", "approved"), "approved"),
    "hide": (("pending", "approved"), "hidden"),
    "spam": (("pending", "approved", "hidden"), "spam"),
    "restore": (("hidden", "spam"), "approved"),
    "mask": (("pending", "approved"), "approved"),  # personal information in the text masked, then shown
}
# actions after which the office's export files built before are given no more (digests.exports.outdate_exports):
# masking (the numbers in full). Hiding and marking spam do not: at a large consultation moderators do them all day,
# and each would have thrown away the file being prepared and sent it back to the queue, so that the office might never
# get one; the file's page says how many comments were hidden or marked spam since it was built
# (digests.exports.moderated_since), to prepare it again. Approve and restore only add, as a new comment does.
OUTDATING = ("mask",)
VIEWS = ("queue", "approved", "hidden", "spam")


# --- screening a new comment -------------------------------------------------------------------

def screen_new_comment(consultation: Consultation, body: str, client_hash: str | None,
                       author_name: str | None = None) -> tuple[str, str]:
    """Spam signs and sensitive words, and the consultation's moderation mode: the new comment's flags
    (",link,burst,") and status. Runs before the comment is stored, so that it is inserted once, complete.

    Form letters are grouped after the commit (portal/moderation/grouping.py): comparing a comment with
    the earlier ones cost more than everything else a submission does (issue 9).
    """
    flags = []
    words = remember(("sensitive_words", getattr(consultation, "words_token", None)),
                     lambda: tuple(run(_words_statement()).scalars().all()))
    if matched_words(body, words):
        flags.append("sensitive")
    if has_link(body):
        flags.append("link")
    if has_repetition(body):
        flags.append("repeated")
    if has_personal(body) or (author_name and has_personal(author_name)):  # a moderator masks it first
        flags.append("personal")
    burst = current_app.config["MODERATION_BURST_COUNT"]
    if client_hash:
        recent = getattr(consultation, "recent_from_sender", None)  # read with the consultation's facts
        if recent is None:
            recent = _recent_from(client_hash, burst - 1)
        if recent + 1 >= burst:
            flags.append("burst")
    status = "approved" if consultation.moderation_mode == "post" and not flags else "pending"
    return _join(flags), status


@prepared
def _words_statement(_dialect):
    return select(SensitiveWord.__table__.c.word)


@prepared
def _recent_statement(_dialect):
    from portal.comments.services import sent_by_sender

    return sent_by_sender("since", "enough")


def _recent_from(client_hash: str, enough: int) -> int:
    """Stored comments from this sender within the burst window, counted up to ``enough`` (no further:
    the answer only decides a flag, and a busy address must not make every submission slower)."""
    since = now() - timedelta(seconds=current_app.config["MODERATION_BURST_SECONDS"])
    return run(_recent_statement(), {"client_hash": client_hash, "since": since, "enough": enough}).scalar()


def _join(flags) -> str:
    return "," + ",".join(flags) + "," if flags else ""


def _add_flag(comment: Comment, flag: str) -> None:
    if flag not in comment.flag_list:
        comment.flags = _join(comment.flag_list + [flag])


# --- the queue ---------------------------------------------------------------------------------

@dataclass
class QueueFilters:
    view: str = "queue"
    consultation_id: int | None = None
    section: str = ""  # "" any, "whole" the whole draft, or a section id
    stance: str = ""
    flag: str = ""
    text: str = ""
    order: str = "newest"
    page: int = 1


@dataclass
class QueueRow:
    comment: Comment  # the first matching comment of its group
    count: int  # comments of its group in this view
    item: str  # what the form sends back: "c-<id>-<version>" or "g-<group>-<max id>-<count>"


@dataclass
class QueuePage:
    rows: list[QueueRow]
    groups: int
    comments: int
    page: int
    pages: int
    filters: QueueFilters = field(default_factory=QueueFilters)


def _in_view(view: str):
    if view == "queue":
        return or_(Comment.status == "pending", and_(Comment.status == "approved", Comment.review_requested_at.is_not(None)))
    return Comment.status == view


def waiting_by_consultation() -> dict[int, int]:
    """How many comments wait in the moderation queue, by consultation: the queue's consultation filter shows it,
    so that a moderator sees where the work is."""
    return dict(db.session.execute(
        select(Comment.consultation_id, func.count()).where(_in_view("queue")).group_by(Comment.consultation_id)
    ).all())


def _group_key(table=Comment):
    return func.coalesce(table.form_letter_id, table.id)


def queue_page(filters: QueueFilters, per_page: int = 50) -> QueuePage:
    """One row per form-letter group (or single comment) in the view, filtered, paginated."""
    conditions = [_in_view(filters.view)]
    if filters.consultation_id:
        conditions.append(Comment.consultation_id == filters.consultation_id)
    if filters.section == "whole":
        conditions.append(Comment.section_id.is_(None))
    elif (section_id := query_int(filters.section)) is not None:
        conditions.append(Comment.section_id == section_id)
    if filters.stance:  # a reply has no stance of its own (its form sends "suggest"): never under a stance
        conditions.extend((Comment.stance == filters.stance, Comment.parent_id.is_(None)))
    if filters.flag:
        conditions.append(Comment.flags.contains(f",{filters.flag},", autoescape=True))
    if filters.text:
        conditions.append(or_(Comment.body.contains(filters.text, autoescape=True),
                              text_of_files_contains(filters.text)))
    key = _group_key().label("group_key")
    latest = func.max(Comment.created_at).label("latest")
    earliest = func.min(Comment.created_at).label("earliest")
    grouped = select(key, func.min(Comment.id).label("first_id"), latest, earliest).where(*conditions).group_by(key)
    ordering = (latest.desc(), key.desc()) if filters.order != "oldest" else (earliest.asc(), key.asc())
    # the page and the numbers of groups and comments in the view from one grouping of the comments (window
    # functions over the groups), not a count of the groups first; a page beyond the last counts, then shows the last
    counted = grouped.add_columns(func.count().over().label("groups"), func.sum(func.count()).over().label("comments"))

    def page_of(number: int) -> list:
        return db.session.execute(counted.order_by(*ordering).limit(per_page).offset((number - 1) * per_page)).all()

    page = max(1, filters.page)
    found = page_of(page)
    if found:
        groups, comments = found[0].groups, int(found[0].comments)
    else:
        groups = db.session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
        comments = db.session.scalar(select(func.count()).select_from(Comment).where(*conditions)) or 0
        if groups and page > 1:
            found = page_of(page := max(1, math.ceil(groups / per_page)))
    pages = max(1, math.ceil(groups / per_page))
    page = min(page, pages)
    keys = [row.group_key for row in found]
    sizes = {
        row.group_key: (row.n, row.max_id)
        for row in db.session.execute(
            select(key, func.count().label("n"), func.max(Comment.id).label("max_id"))
            .where(_in_view(filters.view), key.in_(keys))
            .group_by(key)
        )
    }
    loaded = {c.id: c for c in db.session.scalars(  # with their sections: the page names each comment's section
        select(Comment).where(Comment.id.in_([r.first_id for r in found])).options(selectinload(Comment.section)))}
    rows = []
    for row in found:
        comment = loaded[row.first_id]
        count, max_id = sizes.get(row.group_key, (1, comment.id))
        item = f"g-{row.group_key}-{max_id}-{count}" if count > 1 else f"c-{comment.id}-{comment.moderation_version}"
        rows.append(QueueRow(comment, count, item))
    return QueuePage(rows, groups, comments, page, pages, filters)


def reports_for(comments: list[Comment]) -> dict[int, list[CommentReport]]:
    if not comments:
        return {}
    found: dict[int, list[CommentReport]] = {}
    ids = [c.id for c in comments]
    for report in db.session.scalars(
        select(CommentReport).where(CommentReport.comment_id.in_(ids)).order_by(CommentReport.created_at)
    ):
        found.setdefault(report.comment_id, []).append(report)
    return found


# --- acting on comments ------------------------------------------------------------------------

@dataclass(frozen=True)
class CommentSelection:
    comment_id: int
    version: int


@dataclass(frozen=True)
class GroupSelection:
    group_key: int
    max_id: int
    count: int


def parse_item(value: str) -> CommentSelection | GroupSelection | None:
    """``c-12-3`` (comment 12 seen at version 3) or ``g-40-97-15`` (group 40, up to comment 97, 15 seen)."""
    parts = value.strip().split("-")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        return None
    if parts[0] == "c" and len(numbers) == 2:
        return CommentSelection(*numbers)
    if parts[0] == "g" and len(numbers) == 3:
        return GroupSelection(*numbers)
    return None


@dataclass
class Outcome:
    done: int = 0
    stale: int = 0  # already handled by someone else since the page was shown
    not_applicable: int = 0  # in a status this action does not apply to
    held_personal: int = 0  # copies of a form letter approved as a group left in the queue: they hold a number


def moderate(actor, action: str, selections, view: str, reason: str | None = None, note: str | None = None) -> Outcome:
    """Apply ``action`` (approve, hide, spam, restore) to the selected comments and groups; audit each change."""
    if action not in TRANSITIONS:
        raise ValueError(action)
    if action == "hide" and reason not in HIDE_REASON_LABELS:
        raise ValueError("a hidden comment needs a reason")
    outcome = Outcome()
    touched: set[int] = set()  # consultations whose count of opinions received may have changed (spam or not)
    outdated: set[int] = set()  # consultations of the comments changed: their export files, if the action outdates
    targets = []  # (comment id, comment, the version the moderator saw, its form letter's key)
    for selection in selections:
        if isinstance(selection, CommentSelection):
            targets.append((selection.comment_id, db.session.get(Comment, selection.comment_id), selection.version,
                            None))
        else:
            members = db.session.scalars(
                select(Comment)
                .where(_group_key() == selection.group_key, Comment.id <= selection.max_id, _in_view(view))
                .order_by(Comment.id)
            ).all()
            for comment in members:
                if action == "approve" and holds_personal(comment):  # a copy the moderator did not see: its
                    outcome.held_personal += 1                      # number would be published in full
                    continue
                targets.append((comment.id, comment, comment.moderation_version, selection.group_key))
            outcome.stale += max(0, selection.count - len(members))
    # changed in the order of their consultations and ids, whatever the page's: each change locks its row, and (by the
    # comments token's trigger) its consultation's, until the commit; two moderators taking the same rows in opposite
    # orders (a page newest first, another oldest first) deadlocked
    done: set[int] = set()
    for comment_id, comment, version, group in sorted(
            targets, key=lambda target: (target[1].consultation_id if target[1] is not None else 0, target[0])):
        if comment_id in done:  # selected alone and with its group
            continue
        done.add(comment_id)
        if _apply(outcome, actor, action, comment, version, reason, note, group=group, touched=touched):
            outdated.add(comment.consultation_id)
    _rewrite_summaries(touched)
    if action in OUTDATING:
        _outdate_exports(outdated)
    return outcome


def _outdate_exports(consultation_ids: set[int]) -> None:
    from portal.digests.exports import outdate_exports

    for consultation_id in sorted(consultation_ids):
        outdate_exports(consultation_id)


def _rewrite_summaries(consultation_ids: set[int]) -> None:
    """A comment marked spam (or no longer) after a consultation was finalised changes the count its stored
    closing summary gives (spam is not counted): write the summary again."""
    from portal.consultations.services import rewrite_closing_summary

    for consultation_id in sorted(consultation_ids):
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is not None:
            rewrite_closing_summary(consultation)


def _apply(outcome: Outcome, actor, action, comment, version, reason, note, group, touched: set[int]) -> bool:
    """Whether the comment was changed."""
    allowed, target = TRANSITIONS[action]
    if comment is None or comment.moderation_version != version:
        outcome.stale += 1
        return False
    if comment.status not in allowed:
        outcome.not_applicable += 1
        return False
    if action == "restore" and holds_personal(comment):  # back to the queue, to be masked (or approved) there
        target = "pending"
    before = _state(comment)
    note = (note or "").strip() or None
    masking = _masking(comment) if action == "mask" else {}
    masked_kinds = masking.pop("_kinds", None)
    result = db.session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.moderation_version == version, Comment.status.in_(allowed))
        .values(
            **masking,
            status=target,
            moderation_version=Comment.moderation_version + 1,
            moderated_at=now(),
            review_requested_at=None,
            hidden_reason=reason if target == "hidden" else None,
            hidden_note=note if target in ("hidden", "spam") else None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        outcome.stale += 1
        return False
    # the status decides what search may find: the index worker takes the comment in or out (a Core UPDATE
    # is no flush, so the session's listener does not see it)
    enqueue([(COMMENT, comment.id, comment.consultation_id)], db.session)
    db.session.refresh(comment)
    if "spam" in (before["status"], target):
        touched.add(comment.consultation_id)
    if before["status"] == "spam" and target != "spam":
        _route_again(comment)
    if target == "approved":  # a reply made public: its parent's author may be told by mail
        queue_reply_mail(comment)
    after = _state(comment)
    if masked_kinds is not None:
        after["masked"] = masked_kinds
    if group is not None:
        after["form_letter"] = group
    label = str(HIDE_REASON_LABELS[reason]) if action == "hide" else None
    record_action(
        actor, action, comment, consultation_id=comment.consultation_id, before=before, after=after,
        reason="；".join(part for part in (label, note) if part) or None,
    )
    outcome.done += 1
    return True


def holds_personal(comment: Comment) -> bool:
    """Whether a telephone, identity card number or e-mail address stands unmasked in what the public would read of
    ``comment`` (its text, name, organisation or proposed wording)."""
    return "personal" in comment.flag_list or any(
        has_personal(text) for text in (comment.body, comment.author_name, comment.organisation, comment.proposal)
        if text)


def _route_again(comment: Comment) -> None:
    """A comment taken out of spam is received after all: queue its mails (the worker skipped them while it was
    spam; any already sent are not sent twice, by their dedup keys)."""
    from portal.routing.models import RoutingQueueItem
    from portal.routing.queue import queue_routing

    if db.session.get(RoutingQueueItem, comment.id) is None:  # not still waiting from its submission
        queue_routing(comment.id)


def _masking(comment: Comment) -> dict:
    """The columns "mask" changes: the text with its personal information masked (138****8000), the flag gone, and,
    when the commenter left no contact, the first telephone number or address of the text as the contact (for the
    office only, as a contact always is). ``_kinds``: what was masked, for the audit log (never the numbers)."""
    masked, pieces = mask_personal(comment.body)
    values = {"body": masked, "flags": _join([f for f in comment.flag_list if f != "personal"])}
    if comment.proposal:  # the wording proposed is shown with the text
        proposal, proposed = mask_personal(comment.proposal)
        if proposed:
            values["proposal"], pieces = proposal, pieces + proposed
    if comment.author_name:  # a number typed into the name shown with the comment
        name, named = mask_personal(comment.author_name)
        if named:
            values["author_name"], pieces = name, pieces + named
    if comment.organisation:  # or into the organisation's name
        organisation, named = mask_personal(comment.organisation)
        if named:
            values["organisation"], pieces = organisation, pieces + named
    if not comment.author_contact:
        contact = next((piece for kind, piece in pieces if kind in ("mobile", "landline", "email")), None)
        if contact is not None:
            values["author_contact"] = contact[:200]
    return {**values, "_kinds": [kind for kind, _piece in pieces]}


def _state(comment: Comment) -> dict:
    state = {"status": comment.status, "version": comment.moderation_version, "receipt": comment.receipt_number}
    if comment.hidden_reason:
        state["hidden_reason"] = comment.hidden_reason
    if comment.review_requested_at is not None:
        state["review_requested"] = True
    return state


# --- citizen reports -----------------------------------------------------------------------------

def report_comment(comment: Comment, reason: str, note: str | None, client_hash: str | None) -> CommentReport:
    """Record a citizen's report and put the comment back in the queue (it stays published meanwhile)."""
    report = CommentReport(comment=comment, reason=reason, note=(note or "").strip() or None, client_hash=client_hash)
    db.session.add(report)
    _add_flag(comment, "reported")
    comment.review_requested_at = now()
    db.session.flush()
    return report


# --- sensitive words -----------------------------------------------------------------------------

def sensitive_words() -> list[str]:
    return list(db.session.scalars(select(SensitiveWord.word).order_by(SensitiveWord.word)))


class SensitiveWordList:
    """The audit log's target for changes to the list as a whole."""

    id = None


def add_sensitive_words(actor, words: list[str]) -> list[str]:
    """Add the words not yet on the list (compared without case); return those added."""
    known = {w.lower() for w in sensitive_words()}
    added = []
    for word in words:
        if word.lower() not in known:
            db.session.add(SensitiveWord(word=word))
            known.add(word.lower())
            added.append(word)
    if added:
        record_action(actor, "add_sensitive_words", SensitiveWordList(), after={"words": added})
    db.session.flush()
    return added


def remove_sensitive_word(actor, entry: SensitiveWord) -> None:
    record_action(actor, "remove_sensitive_word", entry, before={"word": entry.word})
    db.session.delete(entry)
    db.session.flush()


# --- moderation mode -------------------------------------------------------------------------------

def set_moderation_mode(actor, consultation: Consultation, mode: str) -> bool:
    if mode not in MODES:
        raise ValueError(mode)
    if consultation.moderation_mode == mode:
        return False
    before = {"moderation_mode": consultation.moderation_mode}
    consultation.moderation_mode = mode
    record_action(actor, "set_moderation_mode", consultation, consultation_id=consultation.id,
                  before=before, after={"moderation_mode": mode})
    db.session.flush()
    return True


MODES_PER_PAGE = 50  # consultations a page of /admin/moderation-modes lists


@dataclass
class ModesPage:
    consultations: list[Consultation]
    page: int
    pages: int


def moderation_modes_page(page: int, per_page: int = MODES_PER_PAGE) -> ModesPage:
    """One page of the consultations whose moderation mode an administrator sets: those still to take comments
    (open, upcoming, unpublished) first, then the closed ones, each newest first. A page beyond the last shows the
    last."""
    total = db.session.scalar(select(func.count()).select_from(Consultation)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    closed_last = case((closed_consultation(), 1), else_=0)
    consultations = db.session.scalars(
        select(Consultation).order_by(closed_last, Consultation.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return ModesPage(list(consultations), page, pages)
