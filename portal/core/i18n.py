"""Language and time zone of the request: the page's switch (remembered in a cookie), then the browser."""
from flask import current_app, request

from portal.config import TIMEZONE

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["PORTAL_LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best and best.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return TIMEZONE
