"""The search page: one box on every page, filters, highlighted snippets, pages of results."""
from flask import Blueprint, redirect, render_template, request, url_for

from portal.consultations.filter import filter_options, find_consultation
from portal.extensions import db, limiter
from portal.search.forms import parse_search_args
from portal.search.services import KINDS, STATES, search

bp = Blueprint("search", __name__)


@bp.get("/search")
@limiter.limit("60 per minute")
def results():
    args = parse_search_args(request.args)
    # another consultation than those listed, by its number or words of its title: one found is chosen
    picked = find_consultation(request.args.get("find", ""), published_only=True)
    if picked.only is not None:
        return redirect(url_for("search.results", **args.link_args(consultation=picked.only.id, page=1)))
    found = search(args.q, args.consultation_id, args.state, args.kind, args.page) if args.q else None
    # a rebuild request may have been queued: committed without expiring the results read (nothing they show was
    # written), which the page would otherwise read again one by one
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    if found is not None and found.total and not found.results and found.page > found.pages:
        # a page beyond the last (an old link, a hand-edited address): the last one, not "190 found … none found"
        return redirect(url_for("search.results", **{**request.args.to_dict(), "page": found.pages}))
    return render_template(
        "search/results.html",
        args=args,
        found=found,
        consultations=filter_options(args.consultation_id, published_only=True),
        picked=picked,
        kinds=KINDS,
        states=STATES,
    )
