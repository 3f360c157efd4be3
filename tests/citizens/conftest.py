import pytest


@pytest.fixture(autouse=True)
def csrf_token_per_request(app):
    """pytest-flask keeps one request context, so one ``g``, for every request of a test, and Flask-WTF keeps
    the signed CSRF token of the session it last saw there. These tests use two browsers at once: each request
    forgets it, as a request does in production (a new application context)."""
    from flask import g

    @app.before_request
    def forget_signed_token():
        g.pop("csrf_token", None)
