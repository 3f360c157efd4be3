"""Signed links in mails (confirm an address, unsubscribe) and absolute URLs that work from the worker too."""
from __future__ import annotations

import ipaddress
import logging

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_SALT = "mail-confirm-address"
UNSUBSCRIBE_SALT = "mail-unsubscribe"
CONFIRM_MAX_AGE = 14 * 24 * 3600  # a confirmation link works for two weeks


def external_url(endpoint: str, base: str | None = None, **values) -> str:
    """``PORTAL_BASE_URL`` + the path; without that setting, ``base`` (the site address a request came in
    by, kept for the worker), else the request's own host (or localhost)."""
    return url_builder(base)(endpoint, **values)


def url_builder(base: str | None = None):
    """``external_url`` for many links (a sitemap's thousands): the site's address found and the URL adapter bound
    once."""
    address = (current_app.config.get("PORTAL_BASE_URL") or base or site_address()).rstrip("/")
    adapter = current_app.url_map.bind("localhost")
    return lambda endpoint, **values: address + adapter.build(endpoint, values)


LOCAL_ADDRESS = "http://127.0.0.1:5000/"
log = logging.getLogger(__name__)


def site_address() -> str:
    """The address the current request came in by, as the browser sent it (the worker has none: localhost), for the
    links of mails when ``PORTAL_BASE_URL`` is not set.

    Only a Host that cannot be anybody's: one of ``TRUSTED_HOSTS`` (``PORTAL_TRUSTED_HOSTS``: Flask answers any other
    with 400), else this machine's own names. Anyone may send any Host header: a sign-in link or a unit's advice link
    made from it would be mailed pointing at the sender's server, which would then hold the token (an account
    taken over, a unit's list of comments read). Another Host gets the local address, said in the log."""
    if not has_request_context():
        return LOCAL_ADDRESS
    host = request.host
    if current_app.config.get("TRUSTED_HOSTS") or _local(host):
        return f"{request.scheme}://{host}/"  # request.host_url, without its IRI decoding (issue 9)
    if not _warned:  # once a process: a deployment that forgot the setting would say it with every comment
        _warned.append(host)
        log.warning("PORTAL_BASE_URL is not set: mail links use %s, not the request's Host %r (set PORTAL_BASE_URL, "
                    "or PORTAL_TRUSTED_HOSTS)", LOCAL_ADDRESS, host[:100])
    return LOCAL_ADDRESS


_warned: list[str] = []


def _local(host: str) -> bool:
    """``localhost``, ``*.localhost`` or a loopback address (127.0.0.1, ::1), with or without a port; never a name
    that merely begins like one (127.attacker.example)."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def confirm_token(email: str) -> str:
    return URLSafeTimedSerializer(current_app.secret_key, salt=CONFIRM_SALT).dumps(email)


def email_from_confirm_token(token: str) -> str | None:
    """The address a confirmation link was made for; None when forged, garbled or expired."""
    try:
        return URLSafeTimedSerializer(current_app.secret_key, salt=CONFIRM_SALT).loads(
            token, max_age=CONFIRM_MAX_AGE
        )
    except (BadSignature, SignatureExpired):
        return None


def unsubscribe_token(email: str) -> str:
    """Never expires: an unsubscribe link in an old mail must still work."""
    return URLSafeSerializer(current_app.secret_key, salt=UNSUBSCRIBE_SALT).dumps(email)


def email_from_unsubscribe_token(token: str) -> str | None:
    try:
        return URLSafeSerializer(current_app.secret_key, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
