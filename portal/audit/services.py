"""Record an action in the audit log (in the same transaction as the action itself)."""
from __future__ import annotations

from portal.audit.models import AuditEntry
from portal.extensions import db


def record_action(
    actor,
    action: str,
    target,
    *,
    consultation_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    flush: bool = True,
) -> AuditEntry:
    """``actor`` is a User, or a string such as "cli" or "system". ``flush=False`` leaves the entry to the
    next flush (many entries written at once)."""
    label = actor if isinstance(actor, str) else f"{actor.name} <{actor.email}>"
    entry = AuditEntry(
        actor_id=None if isinstance(actor, str) else actor.id,
        actor_label=label,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=getattr(target, "id", None),
        consultation_id=consultation_id,
        before=before,
        after=after,
        reason=reason,
    )
    db.session.add(entry)
    if flush:
        db.session.flush()
    return entry


def find_entries(
    *,
    action: str = "",
    actor: str = "",
    consultation_id: int | None = None,
    target_type: str = "",
    target_id: int | None = None,
    since=None,
    until=None,
    page: int = 1,
    per_page: int = 50,
):
    """Entries matching the filters, newest first: ``(entries, total)``. Read-only."""
    from sqlalchemy import func, select

    conditions = []
    if action:
        conditions.append(AuditEntry.action == action)
    if actor:
        conditions.append(AuditEntry.actor_label.contains(actor, autoescape=True))
    if consultation_id:
        conditions.append(AuditEntry.consultation_id == consultation_id)
    if target_type:
        conditions.append(AuditEntry.target_type == target_type)
    if target_id:
        conditions.append(AuditEntry.target_id == target_id)
    if since is not None:
        conditions.append(AuditEntry.at >= since)
    if until is not None:
        conditions.append(AuditEntry.at < until)
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    entries = db.session.scalars(
        select(AuditEntry).where(*conditions).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((max(1, page) - 1) * per_page)
    ).all()
    return entries, total


def known_actions() -> list[str]:
    from sqlalchemy import select

    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
