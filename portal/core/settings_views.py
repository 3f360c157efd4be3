"""Page settings a reader chooses and the portal remembers: language and elderly mode (no JavaScript needed)."""
from flask import Blueprint, abort, current_app, redirect, request

from portal.core.i18n import LANGUAGE_COOKIE
from portal.core.web import ELDERLY_COOKIE, cookies_secure, local_path

bp = Blueprint("settings", __name__, url_prefix="/settings")
ONE_YEAR = 365 * 24 * 3600


def _back() -> str:
    """Only a path on this site: never an open redirect."""
    target = request.args.get("next") or "/"
    if not local_path(target):
        return "/"
    return target.rstrip("?") or "/"


@bp.get("/language/<code>")
def language(code: str):
    if code not in current_app.config["PORTAL_LANGUAGES"]:
        abort(404)
    response = redirect(_back())
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=cookies_secure())
    return response


@bp.get("/elderly/<mode>")
def elderly(mode: str):
    if mode not in ("on", "off"):
        abort(404)
    response = redirect(_back())
    response.set_cookie(ELDERLY_COOKIE, "1" if mode == "on" else "0", max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=cookies_secure())
    return response
