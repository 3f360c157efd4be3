"""Privacy: a commenter's phone number and e-mail address never appear in public pages, search results, the
search index, or the logs, through a whole consultation: submit, confirm, moderate, mail, index, close, report."""
from __future__ import annotations

import logging
import re

from sqlalchemy import select

from portal.extensions import db
from tests.helpers import csrf_token, post_comment, receipt_from, shanghai
from tests.security.conftest import EMAIL, MODERATOR, OFFICE, PHONE, build_url, readable, rules

BASE = "https://portal.example.gov.cn"
# the contacts as typed, and their parts a page might show on their own
SECRETS = (PHONE, EMAIL, "citizen.secret", "1391234")


def _public_rules(app):
    return [r for r in rules(app) if "GET" in r.methods and not re.match(r"^/(office|moderation|admin|mail)(/|$)", r.rule)
            and r.endpoint != "static"]


def test_contacts_stay_private_through_a_whole_consultation(app, clock, staff, import_seed, client_as, smtp_server,
                                                            caplog):
    from portal.comments.models import Comment
    from portal.mail.models import OutboxMessage

    caplog.set_level(logging.DEBUG)  # everything the portal, Flask, Werkzeug and the mail worker log …
    caplog.set_level(logging.WARNING, logger="sqlalchemy")  # … but SQL echo, which logs bound values by design
    cli_output = []

    def cli(*args):
        result = app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        cli_output.append(result.output)

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = staff["office"].unit_id
    db.session.commit()
    section = consultation.current_draft.sections[0]
    citizen = client_as()
    section_url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    receipts = [
        receipt_from(post_comment(citizen, consultation, section_url, section_id=section.id, body="建议增加养老床位。",
                                  author_name="张三", author_contact=PHONE)),
        receipt_from(post_comment(citizen, consultation, f"/consultations/{consultation.id}", body="赞成养老服务。",
                                  author_name="李四", author_contact=EMAIL)),
    ]
    cli("mail", "deliver")
    confirm = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "confirm")).one()
    path = re.search(rf"{re.escape(BASE)}(/mail/confirm/[A-Za-z0-9._-]+)", confirm.body_text).group(1)
    assert citizen.post(path, data={"csrf_token": csrf_token(citizen, path)}).status_code == 200

    moderator = client_as(MODERATOR)
    items = re.findall(r'name="items" value="([^"]+)"', moderator.get("/moderation").get_data(as_text=True))
    response = moderator.post("/moderation/actions", data={
        "csrf_token": csrf_token(moderator, "/moderation"), "action": "approve", "items": items, "back": "",
        "view": "queue", "reason": "", "note": ""})
    assert response.status_code == 303
    cli("mail", "deliver")
    cli("search", "work")
    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    assert [c.status for c in comments] == ["approved", "approved"]
    assert smtp_server.to(EMAIL), "the citizen got no mail"  # the flow really sent mail to the address

    office = client_as(OFFICE)
    url = f"/office/consultations/{consultation.id}/responses/{comments[0].id}"
    assert office.post(url, data={"csrf_token": csrf_token(office, url), "outcome": "adopted",
                                  "reason": "采纳。", "paraphrase": ""}).status_code == 302
    clock.set(shanghai(2023, 5, 13, 9, 0))
    cli("consultations", "close-due")
    publish = f"/office/consultations/{consultation.id}/responses/publish"
    assert office.post(publish, data={"csrf_token": csrf_token(office, url)}).status_code == 302
    digest = office.get(f"/office/consultations/{consultation.id}/digest.csv").get_data().decode("utf-8-sig")
    assert "张三" in digest and PHONE not in digest and EMAIL not in digest  # no contacts unless confirmed

    # public pages, for anyone: every GET page of the url map outside the staff areas
    anyone = client_as()
    values = {"consultation_id": consultation.id, "comment_id": comments[0].id, "anchor": section.anchor,
              "version": 1, "number": receipts[0], "code": "zh_CN", "mode": "off"}
    pages = [build_url(rule, values) for rule in _public_rules(app)]
    pages += [f"/receipts/{number}" for number in receipts]
    pages += [f"/consultations/{consultation.id}/sections/{s.anchor}" for s in consultation.current_draft.sections]
    pages += [f"/search?q={q}" for q in ("养老", "赞成", "张三", "李四", "example.com", "@")]
    pages += [f"/search?q=养老&kind=comment&consultation={consultation.id}", f"/consultations/{consultation.id}/feedback"]
    shown = ""
    for page_url in pages:
        response = anyone.get(page_url, follow_redirects=True)
        assert response.status_code in (200, 404), (page_url, response.status_code)
        page = readable(response)
        shown += page
        for secret in SECRETS:
            assert secret not in page, (page_url, secret)
    assert "赞成养老服务" in shown and "张三" in shown and "采纳。" in shown  # the comments were really shown
    assert '<li class="search-result">' in anyone.get("/search?q=赞成养老").get_data(as_text=True)
    for query in SECRETS:  # the page repeats the query, but finds nothing: the index holds no contact
        page = anyone.get(f"/search?q={query}").get_data(as_text=True)
        assert '<li class="search-result">' not in page and "<mark>" not in page, query

    # the search index on PostgreSQL: no document carries a contact
    from portal.search.models import SearchDocument

    for document in db.session.scalars(select(SearchDocument)):
        assert not any(secret in str(getattr(document, column.key, "")) for secret in SECRETS
                       for column in SearchDocument.__table__.columns)

    # the logs and the workers' output
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    ) + "\n".join(cli_output)
    assert len(cli_output) == 4 and "已发送" in cli_output[0]  # the workers' output was captured (the portal
    # itself logs little today: this guards whatever logging is added later)
    for secret in SECRETS:
        assert secret not in logged, secret


def test_no_public_export_exists(app, world, client_as):
    """The digests (the only exports) are under /office, for the office that owns the consultation only."""
    downloads = [rule.rule for rule in rules(app) if rule.endpoint.startswith("digests.")]
    assert downloads and all(rule.startswith("/office/") for rule in downloads)
    anyone = client_as()
    for fmt in ("csv", "xlsx", "docx"):
        response = anyone.get(f"/office/consultations/{world['consultation'].id}/digest.{fmt}?contacts=1")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
