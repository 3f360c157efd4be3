"""CSRF: every state-changing route of the url map refuses a request without a valid token, and changes nothing.

The routes are read from ``app.url_map``: a new POST/PUT/PATCH/DELETE route is checked without editing this
file, and one that answers without a token fails here unless it is added to DOCUMENTED_EXEMPT with a reason.
"""
from __future__ import annotations

from portal.extensions import csrf
from tests.helpers import csrf_token
from tests.security.conftest import ADMIN, EMAIL, STATE_CHANGING, build_url, rules, snapshot

# endpoint → why it needs no form token
DOCUMENTED_EXEMPT = {
    "mail.unsubscribe_post": "RFC 8058 one-click unsubscribe: the mail client POSTs without a form; the URL's "
                             "signed token authorises it",
}


def state_changing_routes(app):
    return [(rule, method) for rule in rules(app) for method in sorted(rule.methods & STATE_CHANGING)]


def test_the_url_map_has_state_changing_routes(app):
    endpoints = {rule.endpoint for rule, _method in state_changing_routes(app)}
    assert {"comments.create", "accounts.login", "accounts.logout", "moderation.act", "office.upload",
            "admin.user", "mail.unsubscribe_post"} <= endpoints
    assert len(endpoints) >= 25, sorted(endpoints)


def test_every_state_changing_route_refuses_a_request_without_a_valid_token(world, client_as, app):
    admin = client_as(ADMIN)  # may reach every route: a refusal is the token's doing, not a 403
    valid_elsewhere = csrf_token(client_as(), "/login")  # a real token, of another session
    before = snapshot()
    checked = []
    for rule, method in state_changing_routes(app):
        if rule.endpoint in DOCUMENTED_EXEMPT:
            continue
        url = build_url(rule, world["values"])
        if rule.endpoint == "digests.download":
            url += "?contacts=1"
        for token in (None, "", "forged", valid_elsewhere):
            data = {"body": "无令牌的意见", "stance": "support", "email": ADMIN, "password": "correct horse 1",
                    "words": "新词", "action": "approve", "items": "c-1-0", "mode": "post", "confirm": "y",
                    "outcome": "adopted", "reason": "理由", "name": "新单位", "role": "admin"}
            if token is not None:
                data["csrf_token"] = token
            response = admin.open(url, method=method, data=data)
            assert response.status_code == 400, (method, url, token, response.status_code)
            assert "页面已过期" in response.get_data(as_text=True)
        checked.append(rule.endpoint)
    assert snapshot() == before
    assert admin.get("/admin/users").status_code == 200  # the logout without a token did not log out
    assert len(checked) >= 25


def test_only_the_documented_routes_are_exempt(app):
    exempt = set()
    for rule in rules(app):
        view = app.view_functions[rule.endpoint]
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views or rule.endpoint.split(".")[0] in {
            bp for bp in csrf._exempt_blueprints
        }:
            exempt.add(rule.endpoint)
    assert exempt == set(DOCUMENTED_EXEMPT)
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True


def test_one_click_unsubscribe_needs_its_signed_token(world, client_as):
    from portal.mail.links import unsubscribe_token

    citizen = client_as()
    before = snapshot()
    for forged in ("x", unsubscribe_token(EMAIL)[:-2] + "xx", "eyJ0ZXN0IjoxfQ.forged"):
        response = citizen.post(f"/mail/unsubscribe/{forged}", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 404
    assert snapshot() == before
    response = citizen.post(f"/mail/unsubscribe/{world['unsubscribe_token']}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert snapshot() != before  # the signed link did unsubscribe
