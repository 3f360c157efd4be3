"""Hostile query parameters, paths and redirect targets: no 500, no data change, no leak, no way off the site.

The GET pages come from the url map; their parameters are read from the pages themselves (the query strings
of their links and the fields of their GET forms), together with the ones every list page takes.
"""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tests.helpers import csrf_token
from tests.security.conftest import ADMIN, EMAIL, PHONE, STAFF_PASSWORD, build_url, readable, rules, snapshot

INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE comments; --",
    "1' UNION SELECT email, password_hash FROM users --",
    '" OR 1=1 --',
    "%' AND 1=0 UNION SELECT NULL, NULL --",
    "1)) OR ((1=1",
    "\\'; SELECT pg_sleep(0); --",
    "%_%\\",
    "\x00",
    "1\x00' OR 1=1",
    "99999999999999999999999999",
    "-1",
    "²",
    "９",
    "9999-12-31",
    "0001-01-01",
    "1e309",
    "[]",
    "x" * 3000,
    # the kinds of bad input the form sweep sends (test_bad_input_sweep.py), as query parameters
    "2026-02-30",
    "99999-01-01",
    "yesterday",
    str(2**63),
    "老人👵🏻𠀀𝕏",
    "a\x01\x1b\x7f\u202eb",
    b"\xff\xfe(",  # no UTF-8: the query's bytes as they are
]
ALWAYS = {"q", "page", "consultation", "next", "status", "view", "section", "stance", "flag", "order", "action",
          "actor", "target_type", "target_id", "from", "to", "state", "kind", "number", "contacts", "revised"}
LEAKS = ("Traceback", "OperationalError", "ProgrammingError", "DataError", "psycopg", "sqlite3", "pbkdf2:",
         "scrypt:")
OFF_SITE = "evil.example"
STAFF_AREA = re.compile(r"^/(office|moderation|admin)(/|$)")


def get_rules(app):
    return [rule for rule in rules(app) if "GET" in rule.methods and rule.endpoint != "static"]


def parameters_on(page: str, url: str) -> set[str]:
    """The query parameters a page's own links and GET forms use on ``url``'s path."""
    names = set()
    path = urlsplit(url).path
    for href in re.findall(r'href="([^"#]*\?[^"#]*)"', page):
        href = unescape(href)
        target = urlsplit(href)
        if target.path in ("", path):
            names.update(name for name, _ in parse_qsl(target.query, keep_blank_values=True))
    for opening, form in re.findall(r"(<form\b[^>]*>)(.*?)</form>", page, flags=re.S | re.I):
        action = re.search(r'action="([^"]*)"', opening)
        if 'method="post"' in opening.lower() or (action and urlsplit(unescape(action.group(1))).path not in ("", path)):
            continue
        names.update(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', form))
    return names - {"csrf_token"}


ALONE = ["' OR '1'='1", "1\x00' OR 1=1", "99999999999999999999999999", "²", "9999-12-31", "0001-01-01"]


SHORT = ["' OR '1'='1", "1\x00' OR 1=1", "99999999999999999999999999", "²"]


def sweep(client, world, app, staff_area: bool) -> dict:
    """Every GET page (public ones, or the staff areas) with every parameter set to each injection: all at
    once, then each of the page's own parameters alone. A page that reads no parameter of its own gets a
    short list. Returns the parameters found on each page."""
    tried, failures = {}, []
    for rule in get_rules(app):
        if bool(STAFF_AREA.match(rule.rule)) != staff_area:
            continue
        url = build_url(rule, world["values"])
        first = client.get(url)
        page = readable(first) if first.status_code == 200 else ""
        own = parameters_on(page, url)
        names = sorted(own | ALWAYS)
        tried[rule.rule] = own
        for payload in INJECTIONS if own else SHORT:
            alone = [{name: payload} for name in sorted(own | {"page"})] if payload in ALONE else []
            for query in [{name: payload for name in names}] + alone:
                where = (url, query if len(query) == 1 else "all", repr(payload[:40]))
                try:
                    response = client.get(url + "?" + urlencode(query))
                except Exception as error:  # the test client re-raises what would be a 500
                    failures.append((where, repr(error)[:120]))
                    continue
                body = readable(response)
                if response.status_code >= 500 or any(leak in body for leak in LEAKS):
                    failures.append((where, response.status_code))
                if 300 <= response.status_code < 400:
                    assert_same_site(response.headers["Location"], where)
    assert not failures, "\n".join(map(repr, failures))
    return tried


def assert_same_site(location: str, where="") -> None:
    """A redirect a browser would follow to this site only (browsers drop tabs and newlines and read \\ as /)."""
    as_browser = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").strip()
    target = urlsplit(as_browser)
    assert target.scheme in ("", "http", "https") and target.netloc in ("", "localhost"), (location, where)
    assert not as_browser.startswith("//") and OFF_SITE not in target.netloc, (location, where)


def test_sql_injection_in_every_query_parameter(world, client_as, app):
    citizen, admin = client_as(), client_as(ADMIN)
    before = snapshot()
    tried = sweep(citizen, world, app, staff_area=False)
    for rule, own in tried.items():
        if rule != "/search":
            continue
        assert {"q", "consultation", "state", "kind"} <= own  # the search form was read from its page
    staff_tried = sweep(admin, world, app, staff_area=True)
    assert {"view", "consultation", "stance", "flag", "q", "order"} <= staff_tried["/moderation"]
    assert {"actor", "action", "from", "to"} <= staff_tried["/admin/audit"]
    assert snapshot() == before
    # nothing leaked into public pages: the commenters' contacts stay private whatever the query
    for rule in get_rules(app):
        if STAFF_AREA.match(rule.rule) or rule.rule.startswith("/mail/"):
            continue  # the mail pages show the address to the holder of its signed link, and no one else
        page = readable(citizen.get(build_url(rule, world["values"]) + "?q=' OR 1=1 --"))
        assert PHONE not in page and EMAIL not in page, rule.rule


TRAVERSALS = [
    "../setup.cfg", "..%2fsetup.cfg", "..%2Fsetup.cfg", "%2e%2e/setup.cfg", "%2e%2e%2fsetup.cfg", "..%252fsetup.cfg",
    "....//setup.cfg", "..\\setup.cfg", "..%5csetup.cfg", "/etc/passwd", "%2fetc%2fpasswd", "..%2f..%2f..%2f..%2fetc%2fpasswd",
    "../../../../../../etc/passwd", "..%c0%afsetup.cfg", "%00../setup.cfg", "portal.css%00.txt", ".%2e/.%2e/setup.cfg",
]


def test_path_traversal_in_static_files_and_downloads(world, client_as, app):
    office = client_as(ADMIN)
    assert office.get("/static/portal.css").status_code == 200
    cid = world["consultation"].id
    urls = [f"/static/{t}" for t in TRAVERSALS]
    urls += [f"/office/consultations/{cid}/digest.{t}" for t in TRAVERSALS + ["csv/../../setup.cfg", "py", "cfg"]]
    urls += [f"/consultations/{cid}/sections/{t}" for t in TRAVERSALS]
    urls += [f"/receipts/{t}" for t in TRAVERSALS] + [f"/mail/confirm/{t}" for t in TRAVERSALS]
    urls += [f"/mail/unsubscribe/{t}" for t in TRAVERSALS]
    for url in urls:
        response = office.get(url)
        body = response.get_data()
        assert response.status_code in (400, 404, 308), (url, response.status_code)
        assert b"install_requires" not in body and b"root:" not in body, url
        if response.status_code == 308:  # a path the router cleans up: it must stay on the site, inside /static
            assert_same_site(response.headers["Location"], url)


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/", "http:evil.example", "https:/evil.example", "/\\evil.example",
    "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", " //evil.example", "///evil.example",
    "/%2F/evil.example", "/%5Cevil.example", "javascript:alert(1)", "data:text/html,x", "%2F%2Fevil.example",
    "/\u3000/evil.example", "//evil.example@localhost", "/.//evil.example",
])
def test_no_open_redirect_on_login_or_settings(app, make_user, client_as, target):
    make_user("admin", email=ADMIN)
    client = client_as()
    for url in ("/settings/language/en?next=", "/settings/elderly/on?next=", "/receipts/?number="):
        response = client.get(url + _quote(target))
        assert response.status_code in (302, 303, 404), (url, response.status_code)
        if response.status_code != 404:
            assert_same_site(response.headers["Location"], url)
    login_url = "/login?next=" + _quote(target)
    response = client.post(login_url, data={"csrf_token": csrf_token(client, login_url), "email": ADMIN,
                                            "password": STAFF_PASSWORD})
    assert response.status_code == 302
    assert_same_site(response.headers["Location"], target)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def test_huge_numbers_in_url_paths(world, client_as, app):
    admin = client_as(ADMIN)
    failures = []
    for rule in get_rules(app):
        for name in rule.arguments:
            if type(rule._converters[name]).__name__ != "IntegerConverter":
                continue
            for huge in ("99999999999999999999", "2147483648", "0"):
                url = build_url(rule, {**world["values"], name: huge})
                try:
                    status = admin.get(url).status_code
                except Exception as error:
                    failures.append((url, repr(error)[:100]))
                    continue
                if status != 404:
                    failures.append((url, status))
    assert not failures, "\n".join(map(repr, failures))


def test_nul_characters_in_forms_are_refused_without_storing_anything(world, client_as):
    consultation = world["consultation"]
    citizen = client_as()
    before = snapshot()
    url = f"/consultations/{consultation.id}"
    for field in ("body", "author_name", "author_contact"):
        data = {"csrf_token": csrf_token(citizen, url), "body": "意见", "stance": "suggest", "section_id": "",
                "parent_id": "", field: "意见\x00' OR 1=1 --"}
        response = citizen.post(f"/consultations/{consultation.id}/comments", data=data)
        assert response.status_code == 400, field
        assert "无法识别的字符" in response.get_data(as_text=True)
    response = citizen.post("/login", data={"csrf_token": csrf_token(citizen, "/login"), "email": "a\x00@x.cn",
                                            "password": "x"})
    assert response.status_code == 400
    assert snapshot() == before


def test_a_nul_character_in_any_value_of_a_repeated_field_is_refused(world, client_as):
    """Every value counts, not only a name's first (a form or query may give a name more than once: the
    choices of a multiple-choice question, say)."""
    consultation = world["consultation"]
    citizen = client_as()
    before = snapshot()
    url = f"/consultations/{consultation.id}"
    assert citizen.get(f"{url}?order=newest&order=x%00y").status_code == 400
    assert citizen.get(f"{url}?order=newest&x%00=1").status_code == 400
    data = {"csrf_token": csrf_token(citizen, url), "body": ["意见", "第二个\x00"], "stance": "suggest",
            "section_id": "", "parent_id": ""}
    response = citizen.post(f"/consultations/{consultation.id}/comments", data=data)
    assert response.status_code == 400
    assert "无法识别的字符" in response.get_data(as_text=True)
    assert citizen.get(f"{url}?order=newest&order=oldest").status_code == 200
    assert snapshot() == before


def test_a_form_whose_bytes_are_no_utf8_is_refused_instead_of_stored_as_escapes(world, client_as):
    """A comment form sent in GBK (an old client, a script) was stored as "%D2%E2%BC%FB" instead of its words:
    refused now, with nothing stored; what a person types, "%FF" included, is stored as typed."""
    from urllib.parse import quote

    from sqlalchemy import select

    from portal.comments.models import Comment
    from portal.extensions import db

    consultation = world["consultation"]
    citizen = client_as()
    url = f"/consultations/{consultation.id}"
    before = snapshot()
    for body in ("意见".encode("gbk"), b"\xff\xfe"):
        form = f"csrf_token={csrf_token(citizen, url)}&stance=suggest&section_id=&parent_id=&body={quote(body)}"
        response = citizen.post(f"{url}/comments", data=form, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, body
        assert "无法识别的字符" in response.get_data(as_text=True)
    assert snapshot() == before
    typed = "意见 %FF 100%"
    form = f"csrf_token={csrf_token(citizen, url)}&stance=suggest&section_id=&parent_id=&body={quote(typed)}"
    response = citizen.post(f"{url}/comments", data=form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    assert db.session.scalar(select(Comment.body).order_by(Comment.id.desc()).limit(1)) == typed
