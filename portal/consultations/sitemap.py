"""What search engines may read: /robots.txt and /sitemap.xml (the published consultations, their sections, files,
meetings and, once closed, their feedback reports). Pages no search engine should keep (receipts, accounts, staff pages, the
links in mails) also say so themselves: ``X-Robots-Tag: noindex`` (portal/core/web.py: PRIVATE_PATHS)."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.consultations.models import Consultation, published_consultations
from portal.core.time import rfc3339
from portal.core.web import PRIVATE_PATHS
from portal.drafts.models import Section
from portal.extensions import db
from portal.mail.links import external_url, url_builder

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


# A sitemap holds at most 50,000 links (sitemaps.org); a consultation makes 20 to 80 (its sections): above this many
# published consultations, /sitemap.xml is an index of sitemaps of this many each (/sitemap-N.xml, ~15,000 links).
CONSULTATIONS_PER_SITEMAP = 200


@bp.get("/sitemap.xml")
def sitemap():
    """Every published consultation's pages; with more than CONSULTATIONS_PER_SITEMAP, the index of the sitemaps
    that list them."""
    count = db.session.scalar(select(func.count()).select_from(published_consultations().subquery()))
    if count <= CONSULTATIONS_PER_SITEMAP:
        return _urlset(1)
    link = url_builder()
    files = [link("sitemap.sitemap_file", number=n) for n in range(1, -(-count // CONSULTATIONS_PER_SITEMAP) + 1)]
    body = render_template("consultations/sitemap_index.xml", files=files)
    return Response(body, content_type="application/xml; charset=utf-8")


@bp.get("/sitemap-<int:number>.xml")
def sitemap_file(number: int):
    """The ``number``th sitemap of the index (by consultation id); the first also links the list of consultations."""
    return _urlset(number)


def _urlset(number: int):
    """The pages of one sitemap's consultations. The drafts are read without their sections, the current drafts'
    anchors as two columns, the files at once (at 1,000 consultations, 74,000 links, the sitemap had read every
    section row and run a query a consultation for its files)."""
    consultations = db.session.scalars(
        published_consultations()
        .options(selectinload(Consultation.extensions), selectinload(Consultation.meetings),
                 selectinload(Consultation.drafts), selectinload(Consultation.files))
        .order_by(Consultation.id)
        .offset((number - 1) * CONSULTATIONS_PER_SITEMAP).limit(CONSULTATIONS_PER_SITEMAP)
    ).all()
    if number > 1 and not consultations:
        abort(404)
    current = [c.current_draft.id for c in consultations if c.current_draft is not None]
    anchors: dict[int, list[str]] = {}
    for draft_id, anchor in db.session.execute(
            select(Section.draft_id, Section.anchor).where(Section.draft_id.in_(current))
            .order_by(Section.draft_id, Section.position)):
        anchors.setdefault(draft_id, []).append(anchor)
    body = render_template("consultations/sitemap.xml", consultations=consultations, external_url=url_builder(),
                           rfc3339=rfc3339, last_changed=last_changed, anchors=anchors, with_list=number == 1)
    return Response(body, content_type="application/xml; charset=utf-8")
