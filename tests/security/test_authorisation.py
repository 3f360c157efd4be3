"""Every office, moderator and admin URL (read from the url map by prefix), for GET and POST, tried as an
anonymous visitor, a citizen who has commented and is signed in to a citizen's account, a moderator, office staff of another unit and office staff of
the owning unit: only the right people get in, and a refused POST changes nothing."""
from __future__ import annotations

import re

from tests.helpers import csrf_token, post_comment
from tests.security.conftest import (
    ADMIN, MODERATOR, OFFICE, OTHER_OFFICE, build_url, rules, snapshot, staff_rules,
)

FORM = {"body": "越权的意见", "stance": "support", "words": "越权", "action": "approve", "items": "c-1-0",
        "mode": "post", "confirm": "y", "outcome": "adopted", "reason": "越权", "name": "越权单位", "role": "admin",
        "email": "intruder@example.com", "password": "intruder password 1", "active": "y", "level": "1",
        "heading": "越权", "title": "越权", "comment_ids": "1"}


def may_enter(role: str, rule) -> bool:
    area = rule.rule.split("/")[1]
    if role == "admin":
        return True
    if area == "admin":
        return False
    if area == "moderation":
        return role == "moderator"
    if role == "office":
        return True
    # office staff of another unit: the office's own pages, never another unit's consultation
    return role == "other_office" and "consultation_id" not in rule.arguments


def url_of(rule, world) -> str:
    url = build_url(rule, world["values"])
    return url + "?contacts=1" if rule.endpoint == "digests.download" else url


def test_staff_areas_are_found_in_the_url_map(app):
    endpoints = {rule.endpoint for rule in staff_rules(app)}
    assert {"office.index", "office.review", "moderation.queue", "moderation.act", "admin.users", "audit.index",
            "mail.outbox", "digests.download", "responses.index", "routing.show", "sensitive_words.add"} <= endpoints


def test_every_page_that_needs_a_login_is_in_a_staff_area(world, client_as, app):
    """So that the test below sees it: outside /office, /moderation and /admin only /logout (a POST), each staff
    member's own /password and /two-factor (tests/accounts) need a login, and /login/code, the login's second step,
    sends back to the password without one."""
    anonymous = client_as()
    needing_login = []
    for rule in rules(app):
        if "GET" not in rule.methods or rule in staff_rules(app):
            continue
        response = anonymous.get(url_of(rule, world))
        if response.status_code in (302, 303, 401, 403) and "/login" in response.headers.get("Location", "/login"):
            needing_login.append(rule.rule)
    assert needing_login == ["/login/code", "/password", "/two-factor"]


def test_staff_urls_refuse_the_wrong_people(world, client_as, app):
    consultation = world["consultation"]
    citizen = client_as()
    post_comment(citizen, consultation, f"/consultations/{consultation.id}", body="我是市民。")
    from portal.moderation.grouping import group_new_comments

    group_new_comments()  # as the worker would after the commit: the moderation queue page then writes nothing
    # … and signed in to a citizen's account (portal/citizens): an account of its own, which opens no staff page
    from portal.citizens.services import SESSION_KEY, account_for
    from portal.extensions import db

    account = account_for("shimin@example.cn")
    db.session.commit()
    with citizen.session_transaction() as session:
        session[SESSION_KEY] = [account.id, account.session_epoch, account.session_key]
    assert citizen.get("/account/").status_code == 200
    clients = {
        "anonymous": client_as(),
        "citizen": citizen,
        "moderator": client_as(MODERATOR),
        "other_office": client_as(OTHER_OFFICE),
        "office": client_as(OFFICE),
        "admin": client_as(ADMIN),
    }
    tokens = {role: csrf_token(client, "/login") for role, client in clients.items()}
    before = snapshot()
    tried = 0
    for rule in staff_rules(app):
        url = url_of(rule, world)
        for role, client in clients.items():
            allowed = may_enter(role, rule)
            for method in sorted(rule.methods & {"GET", "POST"}):
                if allowed and method == "POST":
                    continue  # the right people may change things: that is for the area's own tests
                response = client.open(url, method=method, data={**FORM, "csrf_token": tokens[role]})
                status = response.status_code
                tried += 1
                if allowed:
                    assert status < 400, (role, method, url, status)
                elif role in ("anonymous", "citizen"):
                    assert status == 404 or (status == 302 and re.match(
                        r"^(http://localhost)?/login\?next=", response.headers["Location"])), (role, method, url, status)
                else:
                    assert status in (403, 404), (role, method, url, status)
    assert snapshot() == before
    assert tried > 150
