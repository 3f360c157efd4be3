"""A responsible unit advises the office how to answer a comment, from the link in the comment's mail (no
account); the office sees the advice beside the comment and takes it over."""
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.worker import deliver_due
from portal.responses.models import Response, UnitAdvice
from tests.helpers import Browser, csrf_token, route_new_comments, shanghai
from tests.conftest import CONTACT_000 as CONTACT, UNITS_000 as UNITS
from tests.routing.test_routing import comment_on, daily_digests, item_one

FGJ = UNITS["市发展改革局"][0]


def advice_link(message) -> str | None:
    found = re.search(r"对这条意见的处理建议（起草单位答复时参考，不需要账号）：(\S+)",
                      message.get_body(("plain",)).get_content())
    return found.group(1).replace("https://portal.example.gov.cn", "") if found else None


def mailed_comment(client, seed, smtp_server):
    number = comment_on(client, seed, item_one(seed), body="建议公共服务清单写明服务标准和办理时限。")
    route_new_comments()
    deliver_due()
    return number


def test_a_unit_advises_from_its_mail_and_the_office_takes_the_advice(app, client, routed_000, smtp_server,
                                                                        make_user, login):
    number = mailed_comment(client, routed_000, smtp_server)
    (unit_mail,) = smtp_server.to(FGJ)
    (contact_mail,) = smtp_server.to(CONTACT)
    link = advice_link(unit_mail)
    assert link and link.startswith("/advice/")
    assert advice_link(contact_mail) is None  # the contact answers in the portal itself
    assert "提出对这条意见的处理建议" in unit_mail.get_body(("html",)).get_content()

    unit = Browser(app)  # a browser of its own, no account
    page = unit.get(link)
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex"
    html = page.get_data(as_text=True)
    assert "市发展改革局：起草单位答复下面这条意见时" in html and "建议公共服务清单写明服务标准和办理时限。" in html
    assert "李阿姨" not in html and "13900001111" not in html  # nor name nor contact: not needed to advise
    refused = unit.post(link, data={"csrf_token": csrf_token(unit, link), "outcome": "adopted", "reason": " "})
    assert refused.status_code == 422 and "请填写理由。" in refused.get_data(as_text=True)
    saved = unit.post(link, data={"csrf_token": csrf_token(unit, link), "outcome": "partly_adopted",
                                  "reason": "服务标准可以写明，办理时限由各部门另行公布。", "author_name": "张科长"})
    assert saved.status_code == 200 and "已收到您的建议" in saved.get_data(as_text=True)
    again = unit.post(link, data={"csrf_token": csrf_token(unit, link), "outcome": "partly_adopted",
                                  "reason": "服务标准写明；时限另行公布。", "author_name": "张科长"})
    assert again.status_code == 200
    (advice,) = db.session.scalars(select(UnitAdvice)).all()  # changed, not added
    assert (advice.unit_names, advice.recipient, advice.outcome, advice.reason, advice.author_name) == (
        ["市发展改革局"], FGJ, "partly_adopted", "服务标准写明；时限另行公布。", "张科长")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unit_advice")).all()
    assert len(entries) == 2 and entries[-1].actor_label == f"市发展改革局 <{FGJ}>"

    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    login("office@example.gov.cn")
    comment = db.session.scalar(select(Comment).where(Comment.receipt_number == number))
    listing = client.get(f"/office/consultations/{routed_000.id}/responses").get_data(as_text=True)
    assert "责任单位的处理建议：" in listing and "服务标准写明；时限另行公布。" in listing
    one = client.get(f"/office/consultations/{routed_000.id}/responses/{comment.id}").get_data(as_text=True)
    assert "（张科长）" in one and 'data-fill-reason="reason" data-outcome="partly_adopted">用这条建议' in one

    other = comment_on(client, routed_000, item_one(routed_000), body="另一条意见，没有建议。")
    advised = client.get(f"/office/consultations/{routed_000.id}/responses?advised=1").get_data(as_text=True)
    assert number in advised and other not in advised and 'name="advised" value="1" checked' in advised
    assert other in client.get(f"/office/consultations/{routed_000.id}/responses").get_data(as_text=True)

    # the digest has it too, a column of its own
    workbook = load_workbook(io.BytesIO(client.get(f"/office/consultations/{routed_000.id}/digest.xlsx").data))
    rows = [row for sheet in workbook.worksheets[1:] for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if row[0] == "序号")
    ours = next(row for row in rows if number in row)
    assert ours[header.index("责任单位建议")] == "市发展改革局（张科长）：部分采纳。服务标准写明；时限另行公布。"


def test_a_forged_link_or_a_comment_no_longer_there_shows_nothing(app, client, routed_000, smtp_server):
    mailed_comment(client, routed_000, smtp_server)
    link = advice_link(smtp_server.to(FGJ)[0])
    assert Browser(app).get(link[:-3] + "abc").status_code == 404
    assert Browser(app).get("/advice/not-a-token").status_code == 404
    comment = db.session.scalar(select(Comment))
    comment.status = "spam"
    db.session.commit()
    assert Browser(app).get(link).status_code == 404


def test_once_the_answer_is_published_the_link_only_shows_it(app, client, clock, routed_000, smtp_server):
    mailed_comment(client, routed_000, smtp_server)
    link = advice_link(smtp_server.to(FGJ)[0])
    comment = db.session.scalar(select(Comment))
    db.session.add(Response(comment_id=comment.id, consultation_id=routed_000.id, outcome="adopted",
                            reason="已采纳。", published_at=shanghai(2024, 6, 12, 9, 0)))
    db.session.commit()
    unit = Browser(app)
    page = unit.get(link).get_data(as_text=True)
    assert "不再接收处理建议" in page and "已采纳。" in page and "提交建议" not in page
    posted = unit.post(link, data={"csrf_token": csrf_token(unit, "/login"), "outcome": "not_adopted",
                                   "reason": "晚到的建议。"})
    assert posted.status_code == 200 and "不再接收处理建议" in posted.get_data(as_text=True)
    assert db.session.scalars(select(UnitAdvice)).all() == []


def test_a_units_digest_links_each_comment_to_its_advice(app, client, clock, routed_000, smtp_server, make_user,
                                                         login):
    daily_digests(client, make_user, login, routed_000)
    first = comment_on(client, routed_000, item_one(routed_000), body="第一条。")
    second = comment_on(client, routed_000, item_one(routed_000), body="第二条。")
    clock.set(shanghai(2024, 5, 11, 8, 5))
    app.test_cli_runner().invoke(args=["mail", "digests"])
    deliver_due()
    (digest,) = smtp_server.to(FGJ)
    text = digest.get_body(("plain",)).get_content()
    links = re.findall(r"处理建议（起草单位答复时参考）：https://portal\.example\.gov\.cn(\S+)", text)
    assert len(links) == 2 and "提出处理建议" in digest.get_body(("html",)).get_content()
    assert "处理建议" not in smtp_server.to(CONTACT)[0].get_body(("plain",)).get_content()
    for link, number in zip(links, (first, second)):
        page = Browser(app).get(link)
        assert page.status_code == 200 and number in page.get_data(as_text=True)
