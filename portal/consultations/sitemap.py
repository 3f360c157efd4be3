"""What search engines may read: /robots.txt and /sitemap.xml (the published consultations, their sections, files,
meetings and, once closed, their feedback reports). Pages no search engine should keep (receipts, accounts, staff pages, the
links in mails) also say so themselves: ``X-Robots-Tag: noindex`` (portal/core/web.py: PRIVATE_PATHS)."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, render_template
from sqlalchemy.orm import selectinload

from portal.consultations.models import Consultation, published_consultations
from portal.core.time import rfc3339
from portal.core.web import PRIVATE_PATHS
from portal.drafts.models import Draft
from portal.extensions import db
from portal.mail.links import external_url

bp = Blueprint("sitemap", __name__)


def last_changed(consultation: Consultation) -> datetime:
    """When its public pages last changed in a way worth a new visit: published, extended, finalised."""
    moments = [consultation.published_at, consultation.finalised_at,
               *(e.at for e in consultation.extensions), *(d.created_at for d in consultation.drafts)]
    return max(m for m in moments if m is not None)


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS),
             f"Sitemap: {external_url('sitemap.sitemap')}", ""]
    return Response("\n".join(lines), content_type="text/plain; charset=utf-8")


@bp.get("/sitemap.xml")
def sitemap():
    consultations = db.session.scalars(
        published_consultations()
        .options(selectinload(Consultation.extensions), selectinload(Consultation.meetings),
                 selectinload(Consultation.drafts).selectinload(Draft.sections))
        .order_by(Consultation.id)
    ).all()
    body = render_template("consultations/sitemap.xml", consultations=consultations, external_url=external_url,
                           rfc3339=rfc3339, last_changed=last_changed)
    return Response(body, content_type="application/xml; charset=utf-8")
