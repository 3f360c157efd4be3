"""Who receives a section's comments, and routing a new comment to them. Flushes, never commits."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from portal.audit.services import record_action
from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.core.statements import prepared, run
from portal.core.time import now
from portal.drafts.models import Section
from portal.extensions import db
from portal.mail.links import site_address
from portal.mail.services import MailPlan, outbox_row, plan_commenter_mail
from portal.routing.models import MODES, RoutingSettings
from portal.routing.queue import requeue_failed, unqueue
from portal.units.models import Unit
from portal.units.services import UnitDirectory, match_unit_names

STAFF_LANGUAGE = "zh_CN"


@dataclass
class Recipient:
    """The consultation's contact, or one responsible unit, with its e-mail addresses."""

    key: str  # "contact" or "unit:<id>"
    name: str
    emails: list[str]


@dataclass
class SectionRouting:
    """For one section (None: the whole draft): the units the draft names and who receives its comments."""

    section: Section | None
    unit_names: list[str] = field(default_factory=list)
    inherited: bool = False
    units: list[Unit] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)

    @property
    def missing_emails(self) -> list[Recipient]:
        return [r for r in self.recipients if not r.emails]


def contact_recipient(consultation: Consultation) -> Recipient:
    name = consultation.contact_office or consultation.issuer or _("联系人")
    return Recipient("contact", name, clean_emails(consultation.contact_emails))


def unit_recipient(unit: Unit) -> Recipient:
    return Recipient(f"unit:{unit.id}", unit.name, clean_emails(unit.emails))


def text_addresses(emails) -> list[str]:
    """The text values of a unit's address list as stored, in their order: a number or null among them left out (a
    row written by hand); a whole list written as one text is that one address, anything else no address."""
    if isinstance(emails, str):
        return [emails]
    if not isinstance(emails, (list, tuple)):
        return []
    return [email for email in emails if isinstance(email, str)]


def clean_emails(emails) -> list[str]:
    """Addresses trimmed, in lower case, each once, in their order; empty ones left out, and any value that is not
    text (a number or null in a unit's row written by hand), which no mail can go to. Routing mails these, and the
    receipt names the units that have one (units_receiving)."""
    seen: list[str] = []
    for email in text_addresses(emails):
        email = email.strip().lower()
        if email and email not in seen:
            seen.append(email)
    return seen


def route_section(consultation: Consultation, section: Section | None,
                  directory: UnitDirectory | None = None) -> SectionRouting:
    """The contact always; the responsible units of the section (its own, else its nearest parent's).
    ``directory``: the units read once, for a caller routing many sections (else a query or more each)."""
    routing = SectionRouting(section=section)
    if section is not None:
        routing.unit_names = section.responsible_units
        routing.inherited = bool(routing.unit_names) and not section.unit_names
        match = directory.match if directory is not None else match_unit_names
        routing.units, routing.unmatched = match(routing.unit_names)
    routing.recipients = [contact_recipient(consultation)] + [unit_recipient(u) for u in routing.units]
    return routing


def routing_table(consultation: Consultation) -> list[SectionRouting]:
    """The whole draft first, then every section of the current draft in document order."""
    draft = consultation.current_draft
    sections = list(draft.sections) if draft else []
    directory = UnitDirectory()  # every section's units matched in memory: two queries, not one or more a section
    return [route_section(consultation, None)] + [route_section(consultation, s, directory) for s in sections]


def addresses_for(routing: SectionRouting) -> dict[str, list[str]]:
    """Each address once, with the names of the recipients it stands for."""
    addresses: dict[str, list[str]] = {}
    for recipient in routing.recipients:
        for email in recipient.emails:
            addresses.setdefault(email, []).append(recipient.name)
    return addresses


def settings_for(consultation: Consultation) -> RoutingSettings:
    """The consultation's settings; the defaults (a message per comment) when none were saved."""
    settings = db.session.get(RoutingSettings, consultation.id)
    return settings or RoutingSettings(consultation_id=consultation.id, mode="per_comment",
                                       digest_every_hours=24, digest_hour=8)


@prepared
def _units_by_name_statement(_dialect):
    units = Unit.__table__
    return select(units.c.id, units.c.name, units.c.emails).where(units.c.name.in_(bindparam("names", expanding=True)))


def _unit_recipients(names: list[str]) -> list[Recipient]:
    """The recipients for the units ``names`` refers to: one query when every name is a unit's own name (the
    usual case); else the full matching rules (aliases, normalised names)."""
    if not names:
        return []
    found = {row.name: row for row in run(_units_by_name_statement(), {"names": list(names)})}
    if any(name not in found for name in names):
        return [unit_recipient(u) for u in match_unit_names(names)[0]]
    recipients: list[Recipient] = []
    for name in names:
        recipient = unit_recipient(found[name])  # a row has the unit's id, name and emails
        if all(r.key != recipient.key for r in recipients):
            recipients.append(recipient)
    return recipients


def plan_comment_mail(consultation, unit_names: list[str], author_contact: str | None, language: str,
                      base_url: str | None = None, memo: dict | None = None) -> MailPlan:
    """The mails a new comment causes (reads only; ``MailPlan.queue`` writes them): a message to each address
    of the contact and of the responsible units ``unit_names`` (unless the consultation wants digests only),
    and the commenter's receipt or opt-in request. The worker renders them when it sends them. ``base_url``:
    the site address the commenter used (default: the current request's). ``memo``: a dict kept through one
    transaction of the worker, so that a batch reads each consultation's settings and each set of units once.
    """
    plan = MailPlan()
    base_url = base_url or site_address()
    memo = {} if memo is None else memo
    if (mode := ("per_comment", consultation.id)) not in memo:
        memo[mode] = settings_for(consultation).per_comment
    if memo[mode]:
        routing = SectionRouting(section=None, unit_names=unit_names)
        if (units := ("units", tuple(unit_names))) not in memo:
            directory = memo.get("unit_directory")  # the worker's batch: the directory read once for all its sets
            memo[units] = ([unit_recipient(u) for u in directory.match(unit_names)[0]] if directory is not None
                           else _unit_recipients(unit_names))
        routing.recipients = [contact_recipient(consultation), *memo[units]]  # read only: shared in the batch
        at = now()
        for email, names in addresses_for(routing).items():
            plan.rows.append(outbox_row(
                "comment", email, STAFF_LANGUAGE, {"recipient_names": names},
                dedup_key=f"comment:{{comment}}:{email}", consultation_id=consultation.id, base_url=base_url, at=at,
            ))
    plan_commenter_mail(plan, author_contact, language, consultation.id, base_url)
    return plan


def remember_responsible_units(section_ids: set[int], memo: dict) -> None:
    """Put each section's responsible units (``Section.responsible_units``: its own, else its nearest parent's)
    in ``memo`` for route_comment, from one query of the few columns of their drafts' sections, instead of
    loading each section of a batch and its parents; and, when there are some, the directory of units to match
    their names (plan_comment_mail)."""
    if not section_ids:
        return
    drafts = select(Section.draft_id).where(Section.id.in_(section_ids))
    rows = {row.id: row for row in db.session.execute(
        select(Section.id, Section.parent_id, Section.unit_names).where(Section.draft_id.in_(drafts)))}
    for section_id in section_ids:
        current = rows.get(section_id)
        while current is not None and not current.unit_names:
            current = rows.get(current.parent_id)
        memo[("responsible_units", section_id)] = list(current.unit_names) if current is not None else []
    if any(memo[("responsible_units", section_id)] for section_id in section_ids):
        memo["unit_directory"] = UnitDirectory()  # each set of units matched in memory, not a query each


def route_comment(comment: Comment, base_url: str | None = None, queued: bool = True,
                  memo: dict | None = None) -> list[dict]:
    """Write the outbox rows of a stored comment, in the caller's transaction: the mail worker does it for
    each queued comment (portal/routing/queue.py); the CLI and tests may do it at once (``queued``: the
    comment is then taken out of the routing queue). Routing a comment twice adds no message twice (dedup
    keys). ``memo``: see plan_comment_mail. Returns the rows planned."""
    if queued:
        unqueue(comment.id)
    if comment.status == "spam":  # marked spam before its mails were planned: not received, nobody is mailed
        return []              # (restored, it is queued again: portal/moderation/services.py)
    if comment.section_id is None:
        unit_names = []
    elif memo is not None and (key := ("responsible_units", comment.section_id)) in memo:
        unit_names = memo[key]  # read by remember_responsible_units for the batch
    else:
        unit_names = comment.section.responsible_units
    plan = plan_comment_mail(comment.consultation, unit_names, comment.author_contact, comment.language, base_url,
                             memo)
    rows = plan.queue(comment.id)
    if comment.parent_id is not None and comment.status == "approved":  # a reply public at once (post-moderation)
        from portal.mail.services import queue_reply_mail

        queue_reply_mail(comment, base_url)
    return rows


def units_receiving(comment: Comment) -> list[str]:
    """The names of the responsible units ``comment`` is sent to, as routing sends it: those of its section (its own,
    else its nearest parent's) found in the unit directory with an address (clean_emails: the recipients routing
    mails); none for the whole draft, a comment marked spam or withdrawn. What its receipt page tells the commenter
    (reads only)."""
    if comment.section_id is None or comment.status in ("spam", "withdrawn"):
        return []
    return [r.name for r in _unit_recipients(comment.section.responsible_units) if r.emails]


def save_routing_settings(
    consultation: Consultation, actor, mode: str, digest_every_hours: int, digest_hour: int
) -> RoutingSettings:
    if mode not in MODES:
        raise ValueError(f"unknown routing mode {mode!r}")
    settings = db.session.get(RoutingSettings, consultation.id)
    before = None
    if settings is None:
        settings = RoutingSettings(consultation_id=consultation.id)
        db.session.add(settings)
    else:
        before = {"mode": settings.mode, "digest_every_hours": settings.digest_every_hours,
                  "digest_hour": settings.digest_hour}
    settings.mode = mode
    settings.digest_every_hours = digest_every_hours
    settings.digest_hour = digest_hour
    settings.updated_at = now()
    db.session.flush()
    record_action(
        actor, "routing_settings", consultation, consultation_id=consultation.id, before=before,
        after={"mode": mode, "digest_every_hours": digest_every_hours, "digest_hour": digest_hour},
    )
    return settings


def retry_failed_routing(actor, comment_id: int | None = None) -> list[int]:
    """Put the comments whose routing was given up (every one, or ``comment_id``) back in the routing queue as
    new: the mail worker plans their mails in its next pass (once the fault is mended; else they fail again,
    counted anew). One audit entry a comment, with the attempts and the error it had. Returns their ids: none
    when none had failed (or another administrator put them back first)."""
    retried = requeue_failed(comment_id)
    ids = [row.comment_id for row in retried]
    comments = {c.id: c for c in db.session.scalars(select(Comment).where(Comment.id.in_(ids)))}
    for row in retried:
        comment = comments.get(row.comment_id)
        if comment is None:  # erased meanwhile: the worker takes its row out, nothing to mail
            continue
        record_action(actor, "retry_routing", comment, consultation_id=comment.consultation_id,
                      before={"attempts": row.attempts, "error": (row.last_error or "")[:300]},
                      after={"attempts": 0}, flush=False)
    db.session.flush()
    return ids
