"""Secure headers on every response (CSP without 'unsafe-inline', frame-ancestors 'none', nosniff), HSTS only
over TLS (directly, or through a trusted proxy: PORTAL_TRUST_PROXY), cookies HttpOnly and SameSite=Lax, and
Secure when served over TLS (PORTAL_SECURE_COOKIES auto / 1 / 0)."""
from __future__ import annotations

import re

import pytest
from flask import request

from portal import create_app
from tests.security.conftest import ADMIN, build_url, rules

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def assert_secure_headers(response, where) -> None:
    policy = directives(response)
    assert policy, (where, "no Content-Security-Policy")
    header = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header, where
    assert policy["frame-ancestors"] == "frame-ancestors 'none'", where
    assert policy["script-src"] == "script-src 'self'" and policy["style-src"] == "style-src 'self'", where
    assert policy["object-src"] == "object-src 'none'" and policy["base-uri"] == "base-uri 'self'", where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert "Strict-Transport-Security" not in response.headers, where  # plain HTTP here


def test_every_route_sends_the_secure_headers_and_pages_need_no_inline_code(world, client_as, app):
    clients = {"anonymous": client_as(), "admin": client_as(ADMIN)}
    seen = 0
    for rule in rules(app):
        url = build_url(rule, world["values"])
        for role, client in clients.items():
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(url, method=method)  # POSTs without a token: the 400 page
                assert_secure_headers(response, (role, method, url, response.status_code))
                seen += 1
                if response.mimetype == "text/html":
                    page = response.get_data(as_text=True)
                    assert not INLINE_SCRIPT.search(page), (url, INLINE_SCRIPT.search(page).group(0))
                    assert not INLINE_STYLE.search(page), (url, INLINE_STYLE.search(page).group(0))
                    assert not INLINE_HANDLER.search(page), (url, INLINE_HANDLER.search(page).group(0))
    for url in ("/no-such-page", "/static/no-such.css", "/consultations/999999"):
        response = clients["anonymous"].get(url)
        assert response.status_code == 404
        assert_secure_headers(response, url)
    assert seen > 80


def _cookie(response, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def _flags(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


@pytest.mark.parametrize("setting, over_http, over_https", [
    ("auto", False, True), ("1", True, True), ("0", False, False),
])
def test_cookies_are_httponly_lax_and_secure_over_tls(database_url, tmp_path, setting, over_http, over_https):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                      "SECURE_COOKIES": setting})
    for base_url, secure in (("http://localhost", over_http), ("https://localhost", over_https)):
        client = app.test_client()
        for cookie in _cookies_of_a_visit_on(client, base_url):
            flags = _flags(cookie)
            assert "httponly" in flags and "samesite=lax" in flags, cookie
            assert ("secure" in flags) is secure, (setting, base_url, cookie)
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True and app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    if setting != "auto":
        assert app.config["REMEMBER_COOKIE_SECURE"] is (setting == "1")


def _cookies_of_a_visit_on(client, base_url: str) -> list[str]:
    from portal.core.i18n import LANGUAGE_COOKIE
    from portal.core.web import ELDERLY_COOKIE

    return [
        _cookie(client.get("/login", base_url=base_url), "session"),
        _cookie(client.get("/settings/language/en?next=/", base_url=base_url), LANGUAGE_COOKIE),
        _cookie(client.get("/settings/elderly/on?next=/", base_url=base_url), ELDERLY_COOKIE),
    ]


def test_hsts_only_over_tls_and_forwarded_proto_only_from_a_trusted_proxy(database_url):
    plain = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    client = plain.test_client()
    assert "Strict-Transport-Security" not in client.get("/consultations/").headers
    assert client.get("/consultations/", base_url="https://localhost").headers["Strict-Transport-Security"] \
        == "max-age=31536000"
    # without PORTAL_TRUST_PROXY anyone could send X-Forwarded-Proto: it is ignored (no HSTS, no Secure cookie)
    spoofed = client.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert "Strict-Transport-Security" not in spoofed.headers
    assert "secure" not in _flags(_cookie(spoofed, "session"))

    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                          "TRUST_PROXY": 1})
    seen = []
    proxied.before_request(lambda: seen.append(request.remote_addr))
    client = proxied.test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "secure" in _flags(_cookie(response, "session"))
    response = client.get("/login", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in response.headers
    # the client address seen by the rate limits is the one the proxy reports
    assert seen[0] == "203.0.113.9"


def test_environment_settings(monkeypatch):
    from portal.config import from_environment

    monkeypatch.setenv("PORTAL_TRUST_PROXY", "2")
    monkeypatch.setenv("PORTAL_SECURE_COOKIES", "1")
    values = from_environment()
    assert values["TRUST_PROXY"] == 2 and values["SECURE_COOKIES"] == "1"


def test_login_over_tls_sets_a_secure_session(world, client_as):
    client, tls = client_as(), "https://localhost"
    page = client.get("/login", base_url=tls).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", base_url=tls, headers={"Referer": tls + "/login"},
                           data={"csrf_token": token, "email": ADMIN, "password": "correct horse 1"})
    assert response.status_code == 302
    cookie = _cookie(response, "session")
    assert {"secure", "httponly", "samesite=lax"} <= _flags(cookie)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert client.get("/admin/users", base_url=tls).status_code == 200
