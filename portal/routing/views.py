"""The office's page: for each section, who receives its comments; how (per comment, digest, both)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.access import get_managed_consultation, role_required
from portal.extensions import db
from portal.routing.forms import RoutingSettingsForm
from portal.routing.services import contact_recipient, routing_table, save_routing_settings, settings_for

bp = Blueprint("routing", __name__, url_prefix="/office/consultations/<int:consultation_id>/routing")




@bp.route("", methods=["GET", "POST"])
@role_required("office")
def show(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    settings = settings_for(consultation)
    form = RoutingSettingsForm(data={
        "mode": settings.mode, "digest_every_hours": settings.digest_every_hours,
        "digest_hour": settings.digest_hour,
    })
    if form.validate_on_submit():
        save_routing_settings(
            consultation, current_user, form.mode.data, form.digest_every_hours.data, form.digest_hour.data
        )
        db.session.commit()
        return redirect(url_for("routing.show", consultation_id=consultation.id, saved=1), code=303)
    status = 422 if form.errors else 200
    return render_template(
        "routing/show.html", consultation=consultation, form=form, settings=settings,
        contact=contact_recipient(consultation), rows=routing_table(consultation),
    ), status
