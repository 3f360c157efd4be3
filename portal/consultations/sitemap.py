"""What search engines may read: /robots.txt and /sitemap.xml (the published consultations, their sections, files,
meetings and, once closed, their feedback reports). Pages no search engine should keep (receipts, accounts, staff pages, the
links in mails) also say so themselves: ``X-Robots-Tag: noindex`` (portal/core/web.py: PRIVATE_PATHS)."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.consultations.models import Consultation, published_consultations
from portal.core.time import rfc3339
from portal.core.web import PRIVATE_PATHS
from portal.drafts.models import Section
from portal.extensions import db
from portal.mail.links import external_url, site_address

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
    """Every published consultation's pages. A thousand consultations make some 50,000 links: the drafts are read
    without their sections, the current drafts' anchors as two columns, the files at once, and each link is built
    with one URL adapter and the site's address found once (``external_url`` does both for each link)."""
    consultations = db.session.scalars(
        published_consultations()
        .options(selectinload(Consultation.extensions), selectinload(Consultation.meetings),
                 selectinload(Consultation.drafts), selectinload(Consultation.files))
        .order_by(Consultation.id)
    ).all()
    current = [c.current_draft.id for c in consultations if c.current_draft is not None]
    anchors: dict[int, list[str]] = {}
    for draft_id, anchor in db.session.execute(
            select(Section.draft_id, Section.anchor).where(Section.draft_id.in_(current))
            .order_by(Section.draft_id, Section.position)):
        anchors.setdefault(draft_id, []).append(anchor)
    base = (current_app.config.get("PORTAL_BASE_URL") or site_address()).rstrip("/")
    adapter = current_app.url_map.bind("localhost")

    def link(endpoint: str, **values) -> str:  # as external_url, for one request
        return base + adapter.build(endpoint, values)

    body = render_template("consultations/sitemap.xml", consultations=consultations, external_url=link,
                           rfc3339=rfc3339, last_changed=last_changed, anchors=anchors)
    return Response(body, content_type="application/xml; charset=utf-8")
