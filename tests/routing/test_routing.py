"""Comments reach the contact and the responsible units; the office sees who receives what, and chooses how."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import deliver_due
from tests.helpers import csrf_token, post_comment, receipt_from, route_new_comments, shanghai

from tests.conftest import CONTACT_000 as CONTACT, UNITS_000 as UNITS


@pytest.fixture
def seed_000(routed_000):
    return routed_000


def item_one(consultation):
    return next(s for s in consultation.current_draft.sections if s.unit_names == ["市民政局", "市发展改革局"])


def daily_digests(client, make_user, login, consultation):
    """The office chooses digests, one a day at 08:00, on the routing page, and logs out."""
    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/routing"
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), "mode": "digest", "digest_every_hours": "24",
                                   "digest_hour": "8"})
    assert saved.status_code == 303
    client.post("/logout")


def comment_on(client, consultation, section, body="建议公共服务清单写明服务标准。"):
    url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    return receipt_from(post_comment(client, consultation, url, section_id=section.id, body=body,
                                     author_name="李阿姨", author_contact="13900001111"))


def test_a_comment_on_item_one_reaches_both_units_and_the_contact(app, client, seed_000, smtp_server):
    section = item_one(seed_000)
    number = comment_on(client, seed_000, section)
    # The request queues the comment for routing (same transaction); the mail worker plans and sends its mails.
    assert smtp_server.received == [] and db.session.scalars(select(OutboxMessage)).all() == []
    assert route_new_comments() == 1
    assert {r for r in db.session.scalars(select(OutboxMessage.recipient))} == {
        CONTACT, "mzj@example.gov.cn", "laoling@example.gov.cn", "fgj@example.gov.cn"}
    deliver_due()
    assert sorted(r for recipients, _ in smtp_server.received for r in recipients) == sorted(
        [CONTACT, "fgj@example.gov.cn", "laoling@example.gov.cn", "mzj@example.gov.cn"])
    (to_fgj,) = smtp_server.to("fgj@example.gov.cn")
    assert to_fgj["Subject"] == f"新意见 {number}：{section.title}（{seed_000.title}）"
    assert to_fgj["From"] == "公开征求意见平台 <noreply@portal.example.gov.cn>"
    assert to_fgj["Message-ID"].endswith("@portal.example.gov.cn>")
    text = to_fgj.get_body(("plain",)).get_content()
    assert "建议公共服务清单写明服务标准。" in text and "13900001111" in text and "李阿姨" in text
    assert f"https://portal.example.gov.cn/receipts/{number}" in text
    assert "List-Unsubscribe" not in to_fgj  # staff mail: no commenter unsubscribe
    (to_contact,) = smtp_server.to(CONTACT)
    assert "市民政局养老服务处" in to_contact.get_body(("plain",)).get_content()


def test_a_section_without_units_inherits_and_whole_draft_comments_go_to_the_contact(app, client, seed_000):
    from portal.routing.services import route_section

    parent = next(s for s in seed_000.current_draft.sections if s.children and not s.unit_names)
    assert [r.name for r in route_section(seed_000, parent).recipients] == ["市民政局养老服务处"]
    routing = route_section(seed_000, None)
    assert [(r.key, r.emails) for r in routing.recipients] == [("contact", [CONTACT])]
    receipt_from(post_comment(client, seed_000, f"/consultations/{seed_000.id}", body="整体赞成。"))
    assert route_new_comments() == 1
    assert list(db.session.scalars(select(OutboxMessage.recipient))) == [CONTACT]


def test_the_office_sees_who_receives_each_section(app, client, login, make_user, seed_000):
    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    make_user("office", email="other@example.gov.cn", unit_name="市财政局")
    make_user("moderator", email="mod@example.gov.cn")
    url = f"/office/consultations/{seed_000.id}/routing"
    assert client.get(url).status_code == 302  # log in first
    login("other@example.gov.cn")
    assert client.get(url).status_code == 404  # another unit's consultation is not revealed
    client.post("/logout")
    login("mod@example.gov.cn")
    assert client.get(url).status_code == 403
    client.post("/logout")
    login("office@example.gov.cn")
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = item_one(seed_000)
    row = html[html.index(f'id="routing-{section.anchor}"'):]
    row = row[:row.index("</tr>")]
    assert "市民政局、市发展改革局" in row
    assert "mzj@example.gov.cn，laoling@example.gov.cn" in row and "fgj@example.gov.cn" in row and CONTACT in row
    assert "单位目录中没有“市人力社保局”" in html  # named in the draft, missing from the directory


def test_digest_mode_queues_one_digest_per_unit_and_period_once(app, client, clock, login, make_user, seed_000,
                                                               smtp_server):
    make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    login("office@example.gov.cn")
    url = f"/office/consultations/{seed_000.id}/routing"
    token = csrf_token(client, url)
    saved = client.post(url, data={"csrf_token": token, "mode": "digest", "digest_every_hours": "24",
                                   "digest_hour": "8"})
    assert saved.status_code == 303
    assert client.post(url, data={"csrf_token": token, "mode": "weekly", "digest_every_hours": "24",
                                  "digest_hour": "8"}).status_code == 422
    client.post("/logout")

    section = item_one(seed_000)
    first = comment_on(client, seed_000, section, body="第一条。")
    second = comment_on(client, seed_000, section, body="第二条。")
    assert db.session.scalar(select(OutboxMessage.id)) is None  # digests only: nothing per comment

    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "digests"])
    assert "已排队 0 份" in result.output  # the day's period has not ended yet
    clock.set(shanghai(2024, 5, 11, 8, 5))
    assert "已排队 3 份" in runner.invoke(args=["mail", "digests"]).output  # contact and both units
    assert "已排队 0 份" in runner.invoke(args=["mail", "digests"]).output  # run twice: no duplicate
    deliver_due()
    assert len(smtp_server.received) == 4  # 市民政局 has two addresses
    (digest,) = smtp_server.to("fgj@example.gov.cn")
    assert digest["Subject"] == f"意见汇总（2 条）：{seed_000.title}"
    text = digest.get_body(("plain",)).get_content()
    assert first in text and second in text and "第一条。" in text and "2024年5月11日 08:00" in text

    third = comment_on(client, seed_000, section, body="第三条。")
    clock.set(shanghai(2024, 5, 12, 8, 5))
    runner.invoke(args=["mail", "digests"])
    deliver_due()
    (_, later) = smtp_server.to("fgj@example.gov.cn")
    text = later.get_body(("plain",)).get_content()
    assert third in text and first not in text


def test_a_comment_withdrawn_after_its_digest_was_queued_is_left_out_or_its_recipients_told(
        app, client, clock, login, make_user, seed_000, smtp_server):
    from portal.routing.models import DigestMailing
    from tests.comments.test_withdrawal import withdraw

    daily_digests(client, make_user, login, seed_000)
    section = item_one(seed_000)
    runner = app.test_cli_runner()

    # a digest queued, not sent yet: written again without the comment withdrawn meanwhile
    kept = comment_on(client, seed_000, section, body="这条意见留下。")
    gone = comment_on(client, seed_000, section, body="这条意见撤回了，不要发出去。")
    clock.set(shanghai(2024, 5, 11, 8, 5))
    assert "已排队 3 份" in runner.invoke(args=["mail", "digests"]).output
    assert withdraw(client, gone).status_code in (302, 303)
    deliver_due()
    (digest,) = smtp_server.to("fgj@example.gov.cn")
    text = digest.get_body(("plain",)).get_content()
    assert digest["Subject"] == f"意见汇总（1 条）：{seed_000.title}"
    assert kept in text and "这条意见留下。" in text
    assert gone not in text and "不要发出去" not in text
    assert "不要发出去" not in digest.get_body(("html",)).get_content()
    assert len(smtp_server.received) == 4  # and no notice: nobody had received it

    # a digest sent: each of its addresses is told, once
    later = comment_on(client, seed_000, section, body="第二天的意见，发出后才撤回。")
    clock.set(shanghai(2024, 5, 12, 8, 5))
    runner.invoke(args=["mail", "digests"])
    deliver_due()
    assert len(smtp_server.received) == 8
    assert withdraw(client, later).status_code in (302, 303)
    deliver_due()
    notices = smtp_server.received[8:]
    assert sorted(a for to, _m in notices for a in to) == sorted([CONTACT, *UNITS["市民政局"], *UNITS["市发展改革局"]])
    assert all(later in m.get_body(("plain",)).get_content() for _to, m in notices)
    assert "第二天的意见" not in "".join(m.as_string() for _to, m in notices)

    # the only comment of a digest not sent yet: the digest is not sent at all
    alone = comment_on(client, seed_000, section, body="唯一的一条，随后撤回。")
    clock.set(shanghai(2024, 5, 13, 8, 5))
    runner.invoke(args=["mail", "digests"])
    withdraw(client, alone)
    deliver_due()
    assert len(smtp_server.received) == 12
    assert db.session.scalar(select(DigestMailing.comment_count).order_by(DigestMailing.id.desc()).limit(1)) == 0


def test_an_address_serving_two_recipients_gets_one_digest_naming_both_each_comment_once(
        app, client, clock, login, make_user, seed_000, smtp_server):
    """市发展改革局 shares 市民政局's address: one digest to it, for both, each comment once (there were two, with the
    same comments in each), written again without a comment withdrawn before it was sent."""
    from portal.units.models import Unit
    from tests.comments.test_withdrawal import withdraw

    shared = UNITS["市民政局"][0]
    unit = db.session.scalar(select(Unit).where(Unit.name == "市发展改革局"))
    unit.emails = [*unit.emails, shared.upper()]  # the same address, written otherwise
    db.session.commit()
    daily_digests(client, make_user, login, seed_000)
    section = item_one(seed_000)
    kept = comment_on(client, seed_000, section, body="两个单位都该看到的意见。")
    gone = comment_on(client, seed_000, section, body="随后撤回的意见。")
    clock.set(shanghai(2024, 5, 11, 8, 5))
    assert "已排队 3 份" in app.test_cli_runner().invoke(args=["mail", "digests"]).output
    assert withdraw(client, gone).status_code in (302, 303)
    deliver_due()
    (digest,) = smtp_server.to(shared)
    text = digest.get_body(("plain",)).get_content()
    assert kept in text and text.count("两个单位都该看到的意见。") == 1 and gone not in text and "随后撤回" not in text
    assert "市民政局、市发展改革局：" in text or "市发展改革局、市民政局：" in text
    assert digest["Subject"] == f"意见汇总（1 条）：{seed_000.title}"
    assert "提出处理建议" in digest.get_body(("html",)).get_content()  # a unit's digest: its advice links
    assert sorted(a for to, _m in smtp_server.received for a in to) == sorted(
        [CONTACT, shared, UNITS["市民政局"][1], UNITS["市发展改革局"][0]])


def test_a_later_item_of_001_reaches_the_units_item_one_names_for_every_item(app, client, clock, import_seed):
    """Seed 001's item 1 says "以下均需各市(区)人民政府,泰州医药高新区管委会落实,不再列出": a comment on item 7 (which
    lists 市民政局 alone) reaches those two as well."""
    from portal.units.models import Unit

    clock.set(shanghai(2023, 3, 24, 9, 0))
    consultation = import_seed("001", deadline=shanghai(2023, 4, 24, 23, 59))
    consultation.contact_emails = ["contact@example.gov.cn"]
    db.session.add_all([Unit(name="市民政局", emails=["mzj@example.gov.cn"]),
                        Unit(name="各市(区)人民政府", emails=["cities@example.gov.cn"]),
                        Unit(name="泰州医药高新区管委会", emails=["gxq@example.gov.cn"])])
    db.session.commit()
    item_seven = next(s for s in consultation.current_draft.sections if s.label == "7﹒")
    comment_on(client, consultation, item_seven)
    assert route_new_comments() == 1
    assert set(db.session.scalars(select(OutboxMessage.recipient))) == {
        "contact@example.gov.cn", "mzj@example.gov.cn", "cities@example.gov.cn", "gxq@example.gov.cn"}
