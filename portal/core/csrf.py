"""Flask-WTF's CSRF protection, with each token's signature verified once per worker (issue 9).

A signed CSRF token always verifies to the same value and signing time under the same secret key, so what
it says is kept (an LRU of 4,096 tokens, one per session in use); at every request the value is still compared
with the session's and, when WTF_CSRF_TIME_LIMIT is set, the age is checked with itsdangerous's clock, as
``flask_wtf.csrf.validate_csrf`` does. A token that does not verify is never kept. This saves building the
serializer, an HMAC and base64 for each form a citizen sends (~4 % of a comment submission).
"""
from __future__ import annotations

import hmac
import logging
from functools import lru_cache

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, _get_config, same_origin
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from wtforms import ValidationError

logger = logging.getLogger("flask_wtf.csrf")  # the library's logger: its messages stay where they were
SALT = "wtf-csrf-token"  # Flask-WTF's


class PortalCSRFProtect(CSRFProtect):
    def protect(self, apply_exemptions=False):
        """``CSRFProtect.protect`` of Flask-WTF 1.3, with ``validate_csrf_once`` for ``validate_csrf``."""
        if apply_exemptions:
            if not request.endpoint:
                return
            if self._is_exempt():
                return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            validate_csrf_once(self._get_csrf_token())
        except ValidationError as error:
            logger.info(error.args[0])
            self._error_response(error.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            good_referrer = f"https://{request.host}/"
            if not same_origin(request.referrer, good_referrer):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # mark this request as CSRF valid


def validate_csrf_once(data: str | None) -> None:
    """``flask_wtf.csrf.validate_csrf`` with the signature of ``data`` checked once per worker: the same
    settings, the same checks in the same order, the same messages."""
    secret_key = _get_config(None, "WTF_CSRF_SECRET_KEY", current_app.secret_key,
                             message="A secret key is required to use CSRF.")
    field_name = _get_config(None, "WTF_CSRF_FIELD_NAME", "csrf_token", message="A field name is required to use CSRF.")
    time_limit = _get_config(None, "WTF_CSRF_TIME_LIMIT", 3600, required=False)
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field_name not in session:
        raise ValidationError("The CSRF session token is missing.")
    try:
        token, signed_at = _verified_token(secret_key, data)
    except BadData as error:
        raise ValidationError("The CSRF token is invalid.") from error
    if time_limit is not None:
        age = TimestampSigner(secret_key).get_timestamp() - signed_at  # itsdangerous's clock and rule
        if age > time_limit or age < 0:
            raise ValidationError("The CSRF token has expired.")
    if not hmac.compare_digest(session[field_name], token):
        raise ValidationError("The CSRF tokens do not match.")


@lru_cache(maxsize=4096)
def _verified_token(secret_key: str | bytes, data: str) -> tuple[str, int]:
    """The value a signed token holds and when it was signed; BadData if it does not verify (never cached:
    lru_cache keeps no exceptions)."""
    token, signed_at = URLSafeTimedSerializer(secret_key, salt=SALT).loads(data, return_timestamp=True)
    return token, int(signed_at.timestamp())
