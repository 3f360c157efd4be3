"""The sample drafts ``flask consultations load-samples`` loads (samples/*.txt), and which are loaded already.

A loaded sample is known by the audit log's entry of its loading (``load_sample``, naming the sample's file), not
by a draft of the same file name: an office that uploaded a file of that name stopped the sample from loading.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.audit.services import record_action
from portal.consultations.models import Consultation
from portal.drafts.models import Draft
from portal.extensions import db

LOADED = "load_sample"


def loaded_samples(names: list[str]) -> set[str]:
    """Which of the sample files ``names`` are loaded: their consultation still there (one deleted is loaded
    again, as before)."""
    marked = select(AuditEntry.after).join(Consultation, Consultation.id == AuditEntry.consultation_id).where(
        AuditEntry.action == LOADED)
    found = {after.get("sample") for after in db.session.scalars(marked) if isinstance(after, dict)}
    # loaded before its loading was recorded: a first draft of the sample's name that no office uploaded
    uploaded = select(AuditEntry.consultation_id).where(AuditEntry.action == "upload",
                                                        AuditEntry.consultation_id.is_not(None))
    found.update(db.session.scalars(select(Draft.source_filename).where(
        Draft.source_filename.in_(names), Draft.version == 1, Draft.consultation_id.not_in(uploaded))))
    return found & set(names)


def record_sample(consultation: Consultation, name: str) -> None:
    """Note in the audit log that ``consultation`` is the sample of file ``name``."""
    record_action("cli", LOADED, consultation, consultation_id=consultation.id, after={"sample": name})
