"""Public pages of a draft's versions: an earlier version as it was, and what a revision changed."""
from flask import Blueprint, abort, render_template
from sqlalchemy import select

from portal.consultations.views import get_public_consultation
from portal.drafts.models import Draft
from portal.drafts.revisions import draft_changes
from portal.extensions import db

bp = Blueprint("drafts", __name__)


def get_version(consultation_id: int, version: int) -> Draft:
    consultation = get_public_consultation(consultation_id)
    draft = db.session.scalar(
        select(Draft).where(Draft.consultation_id == consultation.id, Draft.version == version)
    )
    if draft is None:
        abort(404)
    return draft


@bp.get("/consultations/<int:consultation_id>/versions/<int:version>")
def version(consultation_id: int, version: int):
    draft = get_version(consultation_id, version)
    return render_template("drafts/version.html", consultation=draft.consultation, draft=draft)


@bp.get("/consultations/<int:consultation_id>/versions/<int:version>/changes")
def changes(consultation_id: int, version: int):
    draft = get_version(consultation_id, version)
    if draft.version == 1:
        abort(404)
    return render_template("drafts/changes.html", consultation=draft.consultation, draft=draft,
                           changes=draft_changes(draft))
