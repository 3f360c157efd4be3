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
) -> AuditEntry:
    """``actor`` is a User, or a string such as "cli" or "system"."""
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
    db.session.flush()
    return entry
