"""Bad input never gives a 500: every state-changing route of the url map, sent malformed forms by the person who
may use it, answers with a refusal (400/404/409/413/422) or a page, and what it refuses changes none of the rows
that were there before.

The forms come from the pages themselves: every GET page of the url map is opened by the person who may use it and
each ``<form method="post">`` found is taken as it stands (hidden fields, chosen options, ticked boxes), so that a
new route or field is swept without editing this file. A route whose form no page shows (a state the world below is
not in) is sent a generic form. Each field is then sent missing, empty, 100,000 characters long, as emoji and other
characters beyond the basic plane, with control characters, as a number, as words, as -1, 0 and 2**63, as an
impossible date, a far one and a word, and twice; and each form whole as raw bytes that are no UTF-8, and as
multipart where the page sends it urlencoded (and the reverse). Not every field gets every variant: each field gets
the first two and a third of the rest, a different third for the next field (the same ones each run), so that the
sweep stays within a minute or so a database. GET query parameters are swept by test_injection.py.
"""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlencode, urlsplit

from sqlalchemy import select

from portal.extensions import db
from tests.security.conftest import ADMIN, MODERATOR, OFFICE, STAFF_PASSWORD, STATE_CHANGING, build_url, rules

MISSING, TWICE = object(), object()
FIELD_VARIANTS = [
    ("missing", MISSING),
    ("empty", ""),
    ("long", "长" * 100_000),
    ("astral", "老人👵🏻𠀀𝕏😀"),
    ("control", "意见\x01\x08\x1b\x7f\u202e\ufeff\r文字"),
    ("nul", "意见\x00"),
    ("number", "12345"),
    ("words", "abc 文字"),
    ("negative", "-1"),
    ("zero", "0"),
    ("huge", str(2**63)),
    ("impossible date", "2026-02-30"),
    ("far date", "99999-01-01"),
    ("word date", "yesterday"),
    ("twice", TWICE),
]
ALWAYS = 1  # missing, for every field
SHARE = 5  # each field gets one in SHARE of the rest

# endpoints whose success ends the session or removes what later routes use: swept last, in this order
LAST = ["accounts.logout", "citizens.sign_out_post", "citizens.sign_out_everywhere_post", "citizens.delete",
        "office.withdraw", "meetings.office_cancel", "office.delete_file", "sensitive_words.delete",
        "admin.reset_two_factor", "admin.user"]
# the form of a route no page of the world shows (a state it is not in): the names such forms use
GENERIC = {"confirm": "y", "reason": "理由", "action": "approve", "items": "c-1-0", "comment_ids": "1",
           "outcome": "adopted", "section_id": "1", "code": "123456"}
# what a refused request must leave as it was: the rows of the tables most worth keeping, the number of rows of
# a few more (one statement for all the counts: the sweep takes this after every request)
KEY_TABLES = ["consultations", "comments", "responses", "users"]
COUNTED_TABLES = ["sections", "units", "meetings", "meeting_registrations", "sensitive_words", "unit_advice",
                  "consultation_files", "citizens", "deadline_extensions"]
REFUSED = (400, 403, 404, 405, 409, 413, 422, 429)  # 405: a POST only a large consultation's digest takes
ANSWERS = REFUSED + (200, 302, 303)
LEAKS = ("Traceback", "OperationalError", "ProgrammingError", "DataError", "psycopg", "sqlite3")


# what a person types into an empty field, by its type or a word of its name, so that the form as found is a
# valid one and each malformed variant differs from it by one field (a honeypot field stays empty)
FILL_BY_TYPE = {"email": "someone@example.cn", "tel": "13800138000", "number": "10", "date": "2023-05-05",
                "time": "10:00", "password": "another horse 2", "url": "https://example.cn/"}
FILL_BY_NAME = [("website", ""), ("email", "someone@example.cn"), ("phone", "13800138000"),
                ("contact", "13800138000"), ("signup_date", "2023-04-30"), ("date", "2023-05-05"), ("time", "10:00"),
                ("seats", "10"), ("port", "993"), ("level", "1"), ("current_password", STAFF_PASSWORD),
                ("password", "another horse 2"), ("code", "123456"), ("host", "imap.example.cn"), ("quote", ""),
                ("proposal", ""), ("parent_id", ""), ("section_id", "")]


def filled(name: str, kind: str = "textarea") -> str:
    if kind == "hidden":
        return ""
    for word, value in FILL_BY_NAME:
        if word in name:
            return value
    return FILL_BY_TYPE.get(kind, "建议增加社区食堂的数量。")


class PostForms(HTMLParser):
    """The POST forms of a page: action, enctype and the fields a browser would send as the page stands."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.capture, self.select, self.radios = [], None, None, None, {}

    def handle_starttag(self, tag, attrs):
        a = {name: (value or "") for name, value in attrs}
        if tag == "form":
            self.form = None
            if a.get("method", "get").lower() == "post":
                self.form = {"action": a.get("action", ""), "multipart": "multipart" in a.get("enctype", ""),
                             "fields": [], "files": [], "submitted": False}
                self.forms.append(self.form)
            return
        if self.form is None or "name" not in a or "disabled" in a:
            return
        name, kind = a["name"], a.get("type", "text").lower()
        if tag == "input" and kind == "file":
            self.form["files"].append(name)
        elif tag == "button" or (tag == "input" and kind in ("submit", "image")):
            if not self.form["submitted"]:  # the first submit button, as a press on Enter
                self.form["submitted"] = True
                self.form["fields"].append((name, a.get("value", "")))
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self.form["fields"].append((name, a.get("value", "on")))
            elif kind == "radio" and (id(self.form), name) not in self.radios:
                self.radios[(id(self.form), name)] = a.get("value", "on")  # none chosen: the first, to be valid
        elif tag == "input" and kind not in ("reset",):
            self.form["fields"].append((name, a.get("value", "") or filled(name, kind)))
        elif tag == "textarea":
            self.capture = [name, ""]
        elif tag == "select":
            self.select = [name, None, None]  # name, first option, chosen option
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select[1] = value if self.select[1] is None else self.select[1]
            if "selected" in a:
                self.select[2] = value

    def handle_data(self, data):
        if self.capture is not None:
            self.capture[1] += data

    def handle_endtag(self, tag):
        if self.form is None:
            return
        if tag == "textarea" and self.capture:
            text = re.sub(r"^\r?\n", "", self.capture[1])  # the newline after <textarea> is not its text
            self.form["fields"].append((self.capture[0], text or filled(self.capture[0])))
            self.capture = None
        elif tag == "select" and self.select:
            chosen = self.select[2] if self.select[2] is not None else self.select[1]
            if chosen is not None:
                self.form["fields"].append((self.select[0], chosen))
            self.select = None
        elif tag == "form":
            names = {name for name, _value in self.form["fields"]}
            for (form_id, name), value in self.radios.items():
                if form_id == id(self.form) and name not in names:
                    self.form["fields"].append((name, value))
            self.form = None


def post_forms(page: str) -> list[dict]:
    parser = PostForms()
    parser.feed(page)
    return parser.forms


def who_may(rule) -> str:
    """The person who may use a route: by its area."""
    area = rule.rule.split("/")[1]
    return {"office": "office", "moderation": "moderator", "admin": "admin", "account": "citizen_account"}.get(
        area, "self" if rule.rule in ("/password", "/two-factor") else "citizen")


def key_rows(group: bool = False) -> dict:
    """The key tables' rows and the other tables' counts; after the grouping worker's work when ``group`` (a page
    may group the comments it has not reached: a change of the grouping's columns, not of what was there)."""
    from sqlalchemy import func

    from portal.moderation.grouping import group_new_comments

    db.session.rollback()
    if group:
        group_new_comments()
    tables = {table.name: table for table in db.metadata.sorted_tables}
    counts = db.session.execute(select(*(select(func.count()).select_from(tables[name]).scalar_subquery().label(name)
                                         for name in COUNTED_TABLES))).one()
    rows = {name: sorted(repr(tuple(row)) for row in db.session.execute(select(tables[name])))
            for name in KEY_TABLES}
    return {**rows, **{f"{name} (count)": count for name, count in zip(COUNTED_TABLES, counts)}}


def variants_for(field_index: int):
    rest = FIELD_VARIANTS[ALWAYS:]
    return FIELD_VARIANTS[:ALWAYS] + [v for j, v in enumerate(rest) if (j + field_index) % SHARE == 0]


def request_body(fields: list, multipart: bool, files: list) -> dict:
    """Arguments for the test client: ``fields`` (name, value) pairs, values str or bytes (bytes: not UTF-8)."""
    if any(isinstance(value, bytes) for _name, value in fields):
        body = "&".join(f"{quote_from_bytes(_bytes(name))}={quote_from_bytes(_bytes(value))}" for name, value in fields)
        return {"data": body, "content_type": "application/x-www-form-urlencoded"}
    if multipart:
        data = {}
        for name, value in fields:
            data.setdefault(name, []).append(value)
        for name in files:
            data.setdefault(name, []).append((io.BytesIO("一、总则\n意见。".encode()), "意见.txt"))
        return {"data": data, "content_type": "multipart/form-data"}
    return {"data": urlencode(fields), "content_type": "application/x-www-form-urlencoded"}


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def malformed(form: dict):
    """(what, fields, multipart) for each malformed variant of ``form``, deterministically sampled."""
    fields, multipart = form["fields"], form["multipart"]
    names = list(dict.fromkeys(name for name, _value in fields if name != "csrf_token"))
    yield "as found", fields, multipart
    for index, name in enumerate(names):
        for what, value in variants_for(index):
            if value is MISSING:
                changed = [(n, v) for n, v in fields if n != name]
            elif value is TWICE:
                changed = fields + [(name, "第二个值")]
            else:
                changed = [(n, value if n == name else v) for n, v in fields]
                if name not in {n for n, _v in fields}:
                    changed.append((name, value))
            yield f"{name}: {what}", changed, multipart
    if names:  # (a form of its token alone has no text to spoil)
        yield "not UTF-8", [(n, v if n == "csrf_token" else b"\xff\xfe\xc3(" + v.encode()) for n, v in fields], False
    yield "other encoding", fields, not multipart


def readable_error(response) -> bool:
    """A refusal a person can read: the portal's own page (or the API's JSON), in Chinese."""
    body = response.get_data(as_text=True)
    return bool(re.search(r"[\u4e00-\u9fff]", body))


def sweep_world(app, world, client_as, staff):
    """Log in every kind of user, open every GET page as them and collect each route's POST form."""
    from portal.accounts.services import create_user
    from portal.citizens.services import SESSION_KEY, account_for

    app.config["RATELIMIT_ENABLED"] = False  # hundreds of logins and posts from one address: limits have their tests
    victim = create_user("victim@example.gov.cn", "被修改的账号", STAFF_PASSWORD, "moderator", None)
    account = account_for("shimin@example.cn")
    db.session.commit()
    values = {**world["values"], "user_id": victim.id, **unit_links(world, staff)}

    def themselves() -> str:
        """A staff member of their own for each route that changes one's own password or two-step login: a
        password the sweep changed opens no later route."""
        email = f"self{len(made)}@example.gov.cn"
        made.append(create_user(email, "自己", STAFF_PASSWORD, "moderator", None))
        db.session.commit()
        return email

    made = []

    def citizen_account():
        client = client_as()
        with client.session_transaction() as session:
            session[SESSION_KEY] = [account.id, account.session_epoch, account.session_key]
        return client

    logins = {"office": lambda: client_as(OFFICE), "moderator": lambda: client_as(MODERATOR),
              "admin": lambda: client_as(ADMIN), "self": lambda: client_as(themselves()), "citizen": client_as,
              "citizen_account": citizen_account}
    adapter = app.url_map.bind("localhost")
    forms = {}
    for url, response in open_pages(app, logins, values):
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in post_forms(response.get_data(as_text=True)):
            action = form["action"] or url
            try:
                target, _args = adapter.match(urlsplit(action).path, method="POST", return_rule=True)
            except Exception:  # noqa: BLE001 - a form to another site or a GET-only address: not ours
                continue
            form["action"] = action
            known = forms.get(target.endpoint)
            if known is None or len(form["fields"]) > len(known["fields"]):
                forms[target.endpoint] = form
    return logins, forms, values


def unit_links(world, staff) -> dict:
    """The signed links a responsible unit is mailed (a comment's advice, its list of comments): the owning unit
    given an address and made responsible for the first comment's section, so that those pages open and their
    forms are swept too. By endpoint, as ``token`` is also the
    name of other links' variables."""
    from portal.responses.advice import advice_token, unit_list_url
    from portal.routing.services import route_section
    from portal.units.models import Unit

    unit = db.session.get(Unit, staff["office"].unit_id)
    unit.emails = ["mzj@example.gov.cn"]
    comment = world["comments"][0]
    comment.section.unit_names = [unit.name]
    db.session.commit()
    recipients = [email.lower() for r in route_section(comment.consultation, comment.section).recipients
                  if r.key != "contact" for email in r.emails]
    if not recipients:
        return {}
    list_token = unit_list_url(comment.consultation_id, recipients[0]).rstrip("/").rsplit("/", 1)[1]
    return {"advice.advice": {"token": advice_token(comment, recipients[0])},
            "advice.unit_comments": {"token": list_token}}


def url_for_rule(rule, values: dict) -> str:
    return build_url(rule, {**values, **values.get(rule.endpoint, {})})


def open_pages(app, logins, values):
    """(url, response) of every GET page of the url map, each opened by the person who may use it, and every
    format of the office's downloads."""
    readers = {role: make() for role, make in logins.items()}
    for rule in rules(app):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        formats = ["csv", "xlsx", "docx"] if "fmt" in rule.arguments else [None]
        for fmt in formats:
            url = url_for_rule(rule, {**values, "fmt": fmt} if fmt else values)
            yield url, readers[who_may(rule)].get(url)


def order(rule) -> tuple:
    return (LAST.index(rule.endpoint) if rule.endpoint in LAST else -1, rule.rule)


def test_malformed_forms_never_give_a_server_error_nor_change_what_they_refuse(world, client_as, staff, app):
    logins, forms, values = sweep_world(app, world, client_as, staff)
    state_changing = sorted((rule for rule in rules(app) if rule.methods & STATE_CHANGING), key=order)
    failures, tried, found, shown = [], 0, 0, False
    for rule in state_changing:
        if rule.endpoint in LAST and not shown:
            # what the sweep stored (long, astral, control characters …) before anything is withdrawn: every page
            # and download still opens
            shown = True
            for url, response in open_pages(app, logins, values):
                if response.status_code >= 500:
                    failures.append((("shown afterwards", url, "GET"), response.status_code))
        client = logins[who_may(rule)]()
        token = _token(client)
        before = key_rows(group=True)  # a login may write (the account's last login): not the sweep's doing
        form = forms.get(rule.endpoint)
        if form is None:
            form = {"action": url_for_rule(rule, values), "multipart": False, "files": [],
                    "fields": list(GENERIC.items())}
        else:
            found += 1
        base = [(n, token if n == "csrf_token" else v) for n, v in form["fields"]]
        if "csrf_token" not in {n for n, _v in base}:
            base.append(("csrf_token", token))
        for what, fields, multipart in malformed({**form, "fields": base}):
            where = (rule.endpoint, form["action"], what)
            try:
                response = client.post(form["action"], **request_body(fields, multipart, form["files"]))
            except Exception as error:  # the test client raises what would be a 500
                failures.append((where, repr(error)[:300]))
                db.session.rollback()
                before = None
                continue
            tried += 1
            status = response.status_code
            body = response.get_data(as_text=True) if response.mimetype in ("text/html", "application/json") else ""
            after = key_rows(group=status not in REFUSED)  # a refused request leaves nothing new to group
            if status not in ANSWERS or any(leak in body for leak in LEAKS):
                failures.append((where, status, body[:200]))
            elif what == "not UTF-8" and status != 400:  # kept as %XX escapes, it would be stored as such
                failures.append((where, status, "a form that is no UTF-8 taken"))
            elif status in REFUSED:
                if not readable_error(response):
                    failures.append((where, status, "not a readable error", body[:200]))
                if before is not None and after != before:
                    changed = [name for name in after if after[name] != before[name]]
                    failures.append((where, status, "refused, yet rows changed", changed,
                                     [before[name] for name in changed][:2], [after[name] for name in changed][:2]))
            before = after
    assert not failures, f"{len(failures)} of {tried}:\n" + "\n".join(map(repr, _grouped(failures)))
    assert found >= 40, found  # most forms were read from their pages, not made up
    assert tried > 1000, tried


def _token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _grouped(failures: list) -> list:
    """One line for each route and kind of failure, with its count and first example: a route that fails for every
    variant is one line."""
    groups = {}
    for where, *what in failures:
        key = (where[0], repr(what[0])[:60] if what else "")
        groups.setdefault(key, [0, where, what])[0] += 1
    return [(count, where, what) for count, where, what in groups.values()]
