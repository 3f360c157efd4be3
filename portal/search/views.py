"""The search page: one box on every page, filters, highlighted snippets, pages of results."""
from flask import Blueprint, render_template, request

from portal.extensions import db, limiter
from portal.search.forms import parse_search_args
from portal.search.services import KINDS, STATES, search, searchable_consultations

bp = Blueprint("search", __name__)


@bp.get("/search")
@limiter.limit("60 per minute")
def results():
    args = parse_search_args(request.args)
    found = search(args.q, args.consultation_id, args.state, args.kind, args.page) if args.q else None
    db.session.commit()  # a rebuild request may have been queued
    return render_template(
        "search/results.html",
        args=args,
        found=found,
        consultations=searchable_consultations(),
        kinds=KINDS,
        states=STATES,
    )
