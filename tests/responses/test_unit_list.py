"""A responsible unit sent many comments works through them in one place: each of its mails links to the list of
every comment it was sent in the consultation (本单位收到的意见), each with its advice given or not."""
import re

from sqlalchemy import select

from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.worker import deliver_due
from tests.conftest import UNITS_000 as UNITS
from tests.helpers import Browser, csrf_token, route_new_comments
from tests.routing.test_routing import comment_on, item_one

FGJ = UNITS["市发展改革局"][0]


def list_link(message) -> str:
    found = re.search(r"本单位在这次征求意见中收到的全部意见，逐条提出建议：(\S+)", message.get_body(("plain",)).get_content())
    return found.group(1).replace("https://portal.example.gov.cn", "")


def only_mzj_section(consultation):
    return next(s for s in consultation.current_draft.sections if s.unit_names == ["市民政局"])


def test_a_unit_lists_every_comment_it_was_sent_and_advises_on_each(app, client, routed_000, smtp_server):
    first = comment_on(client, routed_000, item_one(routed_000), body="第一条意见：写明服务标准。")
    second = comment_on(client, routed_000, item_one(routed_000), body="第二条意见：公布办理时限。")
    other = comment_on(client, routed_000, only_mzj_section(routed_000), body="只发给民政局的意见。")
    db.session.scalar(select(Comment).where(Comment.receipt_number == first)).proposal = "写明服务标准和办理时限。"
    db.session.commit()
    route_new_comments()
    deliver_due()
    mails = smtp_server.to(FGJ)
    assert len(mails) == 2
    link = list_link(mails[0])
    assert link.startswith("/advice/units/") and list_link(mails[1]).startswith("/advice/units/")
    assert "本单位在这次征求意见中收到的全部意见" in mails[0].get_body(("html",)).get_content()

    unit = Browser(app)  # no account
    assert first in unit.get(list_link(mails[1])).get_data(as_text=True)  # each of its mails opens the same list
    page = unit.get(link)
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert "市发展改革局：按照征求意见稿的分工" in html and "共 2 条，已提建议 0 条。" in html
    assert first in html and second in html and other not in html  # the other unit's comment is not listed
    assert "李阿姨" not in html and "13900001111" not in html  # nor name nor contact
    assert html.count("附建议修改的文字") == 1  # the comment proposing wording is marked

    advice = re.findall(r'<a href="(/advice/[^"/]+)">提出处理建议', html)
    assert len(advice) == 2
    unit.post(advice[0], data={"csrf_token": csrf_token(unit, advice[0]), "outcome": "adopted",
                               "reason": "可以写明。", "author_name": "张科长"})
    html = unit.get(link).get_data(as_text=True)
    assert "共 2 条，已提建议 1 条。" in html and "已提建议：采纳" in html
    pending = unit.get(link + "?pending=1").get_data(as_text=True)
    assert "还没有提建议的意见（1 条）" in pending and second in pending and first not in pending

    mzj = list_link(smtp_server.to(UNITS["市民政局"][0])[0])
    assert other in unit.get(mzj).get_data(as_text=True)  # each unit its own list
    assert unit.get(link[:-3] + "xyz").status_code == 404  # a forged link


def test_the_contact_gets_no_list_and_an_address_no_longer_a_units_none(app, client, routed_000, smtp_server):
    from sqlalchemy import select

    from portal.units.models import Unit
    from tests.conftest import CONTACT_000

    comment_on(client, routed_000, item_one(routed_000))
    route_new_comments()
    deliver_due()
    (contact_mail,) = smtp_server.to(CONTACT_000)
    assert "本单位在这次征求意见中收到的全部意见" not in contact_mail.get_body(("plain",)).get_content()
    link = list_link(smtp_server.to(FGJ)[0])
    unit = db.session.scalar(select(Unit).where(Unit.name == "市发展改革局"))
    unit.emails = ["new@example.gov.cn"]  # the unit's address changed: the old one opens nothing
    db.session.commit()
    assert Browser(app).get(link).status_code == 404


def test_a_list_link_opens_nothing_once_its_consultation_is_unpublished_or_not_there(app, client, routed_000,
                                                                                     smtp_server):
    from urllib.parse import urlsplit

    from portal.responses.advice import unit_list_url

    comment_on(client, routed_000, item_one(routed_000))
    route_new_comments()
    deliver_due()
    link = list_link(smtp_server.to(FGJ)[0])
    unit = Browser(app)
    assert unit.get(link).status_code == 200
    assert unit.get(urlsplit(unit_list_url(routed_000.id + 1000, FGJ)).path).status_code == 404  # signed, no such one
    routed_000.published_at = None
    db.session.commit()
    assert unit.get(link).status_code == 404


def test_the_office_sees_which_units_have_advised(app, client, routed_000, smtp_server, make_user, login):
    comment_on(client, routed_000, item_one(routed_000), body="第一条意见。")
    comment_on(client, routed_000, only_mzj_section(routed_000), body="第二条意见。")
    route_new_comments()
    deliver_due()
    unit = Browser(app)
    page = unit.get(list_link(smtp_server.to(FGJ)[0])).get_data(as_text=True)
    (link,) = re.findall(r'<a href="(/advice/[^"/]+)">提出处理建议', page)
    unit.post(link, data={"csrf_token": csrf_token(unit, link), "outcome": "adopted", "reason": "同意。"})
    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    login("office@example.gov.cn")
    html = client.get(f"/office/consultations/{routed_000.id}/responses").get_data(as_text=True)
    panel = html.split("各责任单位提出处理建议的情况", 1)[1].split("</table>", 1)[0]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", panel.split("<tbody>", 1)[1], re.S)]
    assert rows[0].startswith("市民政局") and " 2 0 还没有" in rows[0]  # the fewest advised first
    assert rows[1].startswith("市发展改革局 fgj@example.gov.cn 更换链接") and " 1 1 " in rows[1]
    # the office reminds the units still owing advice, once a day
    remind = f"/office/consultations/{routed_000.id}/responses/remind-units"
    response = client.post(remind, data={"csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    assert "已给 1 个责任单位发邮件" in client.get(response.headers["Location"]).get_data(as_text=True)
    deliver_due()
    reminders = [m for _to, m in smtp_server.received if "请对 2 条意见提出处理建议" in m["Subject"]]
    assert sorted(m["To"] for m in reminders) == sorted(UNITS["市民政局"])  # both its addresses; 市发展改革局 owes none
    body = reminders[0].get_body(("plain",)).get_content()
    assert "其中 2 条还没有收到贵单位的处理建议" in body and "?pending=1" in body
    pending = Browser(app).get(re.search(r"(/advice/units/\S+)", body).group(1)).get_data(as_text=True)
    assert "还没有提建议的意见（2 条）" in pending
    again = client.post(remind, data={"csrf_token": csrf_token(client, "/login")})
    assert "1 个单位今天已经提醒过，没有再发。" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_unit_gives_the_same_advice_on_many_comments_at_once(app, client, routed_000, smtp_server):
    from sqlalchemy import select

    from portal.audit.models import AuditEntry
    from portal.responses.models import UnitAdvice

    numbers = [comment_on(client, routed_000, item_one(routed_000), body=f"同文意见：建议写明服务标准（{n}号楼）。")
               for n in range(4)]
    route_new_comments()
    deliver_due()
    link = list_link(smtp_server.to(FGJ)[0])
    unit = Browser(app)
    html = unit.get(link).get_data(as_text=True)
    ids = re.findall(r'name="comment_ids" value="(\d+)"', html)
    assert len(ids) == 4
    token = csrf_token(unit, link)
    refused = unit.post(link, data={"csrf_token": token, "outcome": "adopted", "reason": "同意。"})
    assert refused.status_code == 422 and "请先勾选要提出建议的意见。" in refused.get_data(as_text=True)
    missing = unit.post(link, data={"csrf_token": token, "comment_ids": ids[:2], "outcome": "adopted", "reason": ""})
    assert missing.status_code == 422 and "请填写理由。" in missing.get_data(as_text=True)
    assert db.session.scalars(select(UnitAdvice)).all() == []

    done = unit.post(link, data={"csrf_token": token, "comment_ids": ids[:2], "outcome": "partly_adopted",
                                 "reason": "服务标准可以写明。", "author_name": "张科长"})
    assert done.status_code == 302
    page = unit.get(done.headers["Location"]).get_data(as_text=True)
    assert "已对 2 条意见提出建议，谢谢。" in page and "共 4 条，已提建议 2 条。" in page
    every = unit.post(link + "?pending=1", data={"csrf_token": token, "every": "1", "outcome": "adopted",
                                                 "reason": "同意写明。"})
    assert "已对 2 条意见提出建议" in unit.get(every.headers["Location"]).get_data(as_text=True)
    advice = db.session.scalars(select(UnitAdvice).order_by(UnitAdvice.comment_id)).all()
    assert [(a.outcome, a.recipient, a.unit_names) for a in advice] == [
        ("partly_adopted", FGJ, ["市发展改革局"])] * 2 + [("adopted", FGJ, ["市发展改革局"])] * 2
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unit_advice")).all()) == 4
    assert len(numbers) == 4


def test_a_unit_narrows_its_list_to_one_form_letter(app, client, routed_000, smtp_server):
    from sqlalchemy import select

    from portal.comments.models import Comment
    from portal.responses.models import UnitAdvice

    for n in range(3):
        comment_on(client, routed_000, item_one(routed_000), body=f"同文意见：建议写明服务标准（{n}号楼）。")
    comment_on(client, routed_000, item_one(routed_000), body="另一条不同的意见。")
    comment_on(client, routed_000, only_mzj_section(routed_000), body="同文意见：建议写明服务标准（9号楼）。")
    copies = db.session.scalars(select(Comment).where(Comment.body.startswith("同文意见")).order_by(Comment.id)).all()
    for copy in copies[1:]:
        copy.form_letter_id = copies[0].id
    db.session.commit()
    route_new_comments()
    deliver_due()
    link = list_link(smtp_server.to(FGJ)[0])
    unit = Browser(app)
    html = unit.get(link).get_data(as_text=True)
    assert html.count("同文意见（共 3 份），只看这些") == 3
    narrowed = unit.get(f"{link}?letter={copies[0].id}").get_data(as_text=True)
    assert "只显示同一份同文意见的各份。" in narrowed and "另一条不同的意见。" not in narrowed
    assert "全部意见（3 条）" in narrowed
    done = unit.post(f"{link}?letter={copies[0].id}", data={
        "csrf_token": csrf_token(unit, link), "every": "1", "outcome": "adopted", "reason": "同意写明。"})
    assert done.status_code == 302 and f"letter={copies[0].id}" in done.headers["Location"]
    advised = sorted(a.comment_id for a in db.session.scalars(select(UnitAdvice)))
    assert advised == [c.id for c in copies[:3]]  # its three copies: not the other comment, nor the copy not sent to it


def test_the_office_renews_a_units_links_and_the_old_ones_stop_opening(app, client, routed_000, smtp_server,
                                                                       make_user, login):
    from sqlalchemy import select

    from portal.audit.models import AuditEntry

    comment_on(client, routed_000, item_one(routed_000), body="第一条意见。")
    route_new_comments()
    deliver_due()
    (mail,) = smtp_server.to(FGJ)
    old_list = list_link(mail)
    old_advice = re.search(r"对这条意见的处理建议（起草单位答复时参考，不需要账号）：(\S+)",
                           mail.get_body(("plain",)).get_content()).group(1).replace("https://portal.example.gov.cn", "")
    mzj_list = list_link(smtp_server.to(UNITS["市民政局"][0])[0])
    unit = Browser(app)
    assert unit.get(old_list).status_code == 200 and unit.get(old_advice).status_code == 200

    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    login("office@example.gov.cn")
    page = client.get(f"/office/consultations/{routed_000.id}/responses").get_data(as_text=True)
    assert '<input type="hidden" name="unit" value="市发展改革局">' in page
    response = client.post(f"/office/consultations/{routed_000.id}/responses/units/links",
                           data={"csrf_token": csrf_token(client, "/login"), "unit": "市发展改革局"})
    assert response.status_code == 302
    assert f"已更换“市发展改革局”的处理建议链接：以前的链接不能再用，新链接已发到 {FGJ}。" in \
        client.get(response.headers["Location"]).get_data(as_text=True)
    deliver_due()

    assert unit.get(old_list).status_code == 404 and unit.get(old_advice).status_code == 404  # stopped
    assert unit.get(mzj_list).status_code == 200  # another unit's links are untouched
    (renewed,) = [m for _to, m in smtp_server.received if "处理建议链接已更换" in m["Subject"]]
    assert renewed["To"] == FGJ
    body = renewed.get_body(("plain",)).get_content()
    assert "以前邮件中的链接已经不能再用" in body and "其中 1 条还没有收到贵单位的建议" in body
    new_list = re.search(r"(/advice/units/\S+)", body).group(1)
    page = unit.get(new_list)
    assert page.status_code == 200 and "第一条意见。" in page.get_data(as_text=True)
    (advice,) = re.findall(r'<a href="(/advice/[^"/]+)">提出处理建议', page.get_data(as_text=True))
    assert unit.get(advice).status_code == 200  # the advice links of the new list open
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "renew_advice_links")).one()
    assert entry.after == {"unit": "市发展改革局", "addresses": [FGJ]}

    # renewed again: the link of the first renewal stops opening too
    client.post(f"/office/consultations/{routed_000.id}/responses/units/links",
                data={"csrf_token": csrf_token(client, "/login"), "unit": "市发展改革局"})
    assert unit.get(new_list).status_code == 404 and unit.get(advice).status_code == 404

    unknown = client.post(f"/office/consultations/{routed_000.id}/responses/units/links",
                          data={"csrf_token": csrf_token(client, "/login"), "unit": "不存在的单位"})
    assert unknown.status_code == 404


def test_a_unit_is_not_reminded_of_comments_the_office_has_answered(app, client, clock, routed_000, smtp_server,
                                                                    make_user, login):
    """The unit's list already counts an answered comment as settled; the reminder (催办) asked for advice on it."""
    from portal.responses.services import publish_responses, respond_to_comments
    from tests.helpers import shanghai

    comment_on(client, routed_000, only_mzj_section(routed_000), body="第一条意见。")
    comment_on(client, routed_000, only_mzj_section(routed_000), body="第二条意见。")
    route_new_comments()
    deliver_due()
    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    respond_to_comments(routed_000, comments, "explained", "已有规定。", "test")
    clock.set(shanghai(2024, 6, 11, 9, 0))  # after the deadline: the answers published
    publish_responses(routed_000, "test")
    db.session.commit()
    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    login("office@example.gov.cn")
    before = len(smtp_server.received)
    remind = f"/office/consultations/{routed_000.id}/responses/remind-units"
    response = client.post(remind, data={"csrf_token": csrf_token(client, "/login")})
    assert "已给 1 个责任单位发邮件" not in client.get(response.headers["Location"]).get_data(as_text=True)
    deliver_due()
    assert len(smtp_server.received) == before  # nobody owes advice any more
