"""Publication review (审核发布) chosen per unit: an administrator sets, on the unit's page, whether its publications are
reviewed — 跟随上级单位或全站设置 (the default: test_unit_review_inheritance.py), 需要审核, 不需要审核 — and each consultation is
published or submitted for review by its unit's choice. A request pending when its unit stops asking for review is
not stranded; a unit of one member of staff sends its requests to the administrators; a re-import of the directory
keeps the choice."""
import io
import re
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.mail.worker import deliver_due
from portal.office import publication_review
from portal.office.models import PublicationRequest
from portal.units.models import Unit
from tests.helpers import csrf_token, shanghai

PERIOD = {"opens": "now", "deadline_date": "2023-05-20", "deadline_time": "23:59", "comment_visibility": "public"}


def log_in_as(client, login, email):
    client.get("/logout")
    client.post("/logout")
    assert login(email).status_code == 302


def unit_named(name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.name == name))


def set_review(client, unit: Unit, choice: str | None):
    """As an administrator on the unit's page: the form as it stands, with the review choice changed."""
    url = f"/admin/units/{unit.id}"
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, url), "name": unit.name, "emails": "\n".join(unit.emails or []),
            "parent": str(unit.parent_id or 0), "aliases": ""}
    if choice is not None:
        data["publication_review"] = choice
    return page, client.post(url, data=data)


def checked_choice(page: str) -> str:
    """The value of the radio button the page has chosen."""
    buttons = re.findall(r'<input[^>]*name="publication_review"[^>]*>', page)
    (chosen,) = [b for b in buttons if "checked" in b]
    return re.search(r'value="(\w+)"', chosen).group(1)


def unit_row(page: str, name: str) -> str:
    return next(row for row in page.split("<tr>") if f"<td lang=\"zh-CN\">{name}</td>" in row)


@pytest.fixture
def world(app, clock, make_staff, make_user):
    """市民政局 (two office staff), 市财政局 (one), an administrator; no one logged in."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    make_staff("office", "office@mz.gov.cn", "市民政局")
    make_staff("office", "colleague@mz.gov.cn", "市民政局")
    make_staff("office", "office@cz.gov.cn", "市财政局")
    make_user("admin", "admin@example.gov.cn")


def test_admin_sets_a_unit_to_review_with_the_deployment_off(app, client, world, login, upload_seed, submit):
    assert not app.config["PUBLICATION_REVIEW"]
    civil, finance = unit_named("市民政局"), unit_named("市财政局")
    log_in_as(client, login, "admin@example.gov.cn")
    page, response = set_review(client, civil, "yes")
    # the page as it was: a plain form of radio buttons (no script needed), 跟随上级单位或全站设置 chosen, the deployment named
    assert '<form method="post" novalidate>' in page and checked_choice(page) == "site"
    assert page.count('name="publication_review"') == 3 and "全站设置现在是：不需要审核。" in page
    assert response.status_code == 302
    db.session.expire_all()
    assert unit_named("市民政局").publication_review is True and unit_named("市财政局").publication_review is None
    assert checked_choice(client.get(f"/admin/units/{civil.id}").get_data(as_text=True)) == "yes"
    listing = client.get("/admin/units").get_data(as_text=True)
    assert "<td>需要审核</td>" in unit_row(listing, "市民政局")
    assert "<td>不需要审核（沿用全站设置）</td>" in unit_row(listing, "市财政局")
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "save_unit")).all()
    assert (entry.target_type, entry.target_id, entry.actor_label.endswith("<admin@example.gov.cn>")) == \
        ("unit", civil.id, True)
    assert (entry.before["publication_review"], entry.after["publication_review"]) == (None, True)

    # 市民政局's office submits for review …
    log_in_as(client, login, "office@mz.gov.cn")
    civil_id = upload_seed("003")
    publish_page = client.get(f"/office/consultations/{civil_id}/publish").get_data(as_text=True)
    assert "这项征求意见发布前须经另一人审核" in publish_page and ">提交审核</button>" in publish_page
    assert submit(f"/office/consultations/{civil_id}/publish", **PERIOD).status_code == 302
    assert db.session.get(Consultation, civil_id).published_at is None
    assert db.session.scalars(select(PublicationRequest.status)).all() == ["pending"]
    # … 市财政局's office publishes directly
    log_in_as(client, login, "office@cz.gov.cn")
    finance_id = upload_seed("003")
    review_page = client.get(f"/office/consultations/{finance_id}").get_data(as_text=True)
    assert "设定时间并发布" in review_page and "设定时间并提交审核" not in review_page
    assert submit(f"/office/consultations/{finance_id}/publish", **PERIOD).status_code == 302
    assert db.session.get(Consultation, finance_id).published_at is not None
    assert db.session.scalar(select(Consultation.owner_unit_id).where(Consultation.id == finance_id)) == finance.id
    assert db.session.scalars(select(PublicationRequest.consultation_id)).all() == [civil_id]


def test_with_the_deployment_on_a_unit_set_to_no_review_publishes_directly(app, client, world, login, upload_seed,
                                                                         submit):
    app.config["PUBLICATION_REVIEW"] = True
    log_in_as(client, login, "admin@example.gov.cn")
    page, response = set_review(client, unit_named("市财政局"), "no")
    assert "全站设置现在是：需要审核。" in page and response.status_code == 302
    listing = client.get("/admin/units").get_data(as_text=True)
    assert "<td>不需要审核</td>" in unit_row(listing, "市财政局")
    assert "<td>需要审核（沿用全站设置）</td>" in unit_row(listing, "市民政局")

    log_in_as(client, login, "office@cz.gov.cn")
    finance_id = upload_seed("003")
    assert ">发布</button>" in client.get(f"/office/consultations/{finance_id}/publish").get_data(as_text=True)
    submit(f"/office/consultations/{finance_id}/publish", **PERIOD)
    assert db.session.get(Consultation, finance_id).published_at is not None
    # 市民政局 follows the deployment: reviewed
    log_in_as(client, login, "office@mz.gov.cn")
    civil_id = upload_seed("003")
    submit(f"/office/consultations/{civil_id}/publish", **PERIOD)
    assert db.session.get(Consultation, civil_id).published_at is None
    assert [(r.consultation_id, r.status) for r in db.session.scalars(select(PublicationRequest))] == \
        [(civil_id, "pending")]


def test_a_post_without_the_choice_keeps_it(app, client, world, login):
    """Other forms posting to the unit's page (and an old page open in a tab) leave the choice as it was."""
    log_in_as(client, login, "admin@example.gov.cn")
    set_review(client, unit_named("市民政局"), "no")
    _page, response = set_review(client, unit_named("市民政局"), None)
    assert response.status_code == 302
    db.session.expire_all()
    assert unit_named("市民政局").publication_review is False
    _page, response = set_review(client, unit_named("市民政局"), "always")  # not a choice: refused, nothing changes
    assert response.status_code == 422
    db.session.expire_all()
    assert unit_named("市民政局").publication_review is False
    set_review(client, unit_named("市民政局"), "site")
    db.session.expire_all()
    assert unit_named("市民政局").publication_review is None


@pytest.mark.parametrize("who", ["nobody", "citizen", "office@mz.gov.cn", "moderator@example.gov.cn"])
def test_only_an_administrator_changes_the_choice(app, client, world, login, make_staff, smtp_server, who):
    make_staff("moderator", "moderator@example.gov.cn")
    civil = unit_named("市民政局")
    if who == "citizen":  # signed in by mail, as citizens are
        from tests.citizens.test_sign_in import sign_in

        assert sign_in(client, smtp_server).status_code in (302, 303)
    elif who != "nobody":
        log_in_as(client, login, who)
    data = {"csrf_token": csrf_token(client, "/login"), "name": civil.name, "emails": "", "parent": "0",
            "aliases": "", "publication_review": "no"}
    for response in (client.post(f"/admin/units/{civil.id}", data=data), client.get(f"/admin/units/{civil.id}")):
        if who.endswith(".gov.cn"):
            assert response.status_code == 403
        else:  # no staff account: sent to the staff login
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.expire_all()
    assert unit_named("市民政局").publication_review is None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "save_unit")).all() == []


def test_a_request_pending_when_the_unit_stops_review_is_not_stranded(app, client, world, login, upload_seed, submit,
                                                                      clock):
    app.config["PUBLICATION_REVIEW"] = True
    log_in_as(client, login, "office@mz.gov.cn")
    first, second = upload_seed("003"), upload_seed("003")
    for consultation_id in (first, second):
        submit(f"/office/consultations/{consultation_id}/publish", **PERIOD)
    assert db.session.scalars(select(PublicationRequest.status)).all() == ["pending", "pending"]
    log_in_as(client, login, "admin@example.gov.cn")
    set_review(client, unit_named("市民政局"), "no")

    # the colleague still sees both waiting and may approve one as before
    log_in_as(client, login, "colleague@mz.gov.cn")
    dashboard = client.get("/office/").get_data(as_text=True)
    assert "等待您审核发布" in dashboard and f"/office/consultations/{first}#publication-request" in dashboard
    page = client.get(f"/office/consultations/{first}").get_data(as_text=True)
    assert "本单位现在不需要审核发布。" in page and "审核通过并发布" in page and "设定时间并发布" in page
    response = submit(f"/office/consultations/{first}", f"/office/consultations/{first}/publication-request/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, first).published_at is not None

    # the one who asked publishes the other directly: the publish page says so, the request ends with it
    log_in_as(client, login, "office@mz.gov.cn")
    page = client.get(f"/office/consultations/{second}/publish").get_data(as_text=True)
    assert "已提交审核，还没有审核。本单位现在不需要审核，可以在这里直接发布" in page and ">发布</button>" in page
    response = submit(f"/office/consultations/{second}/publish", **PERIOD)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/office/consultations/{second}")
    db.session.expire_all()
    assert db.session.get(Consultation, second).published_at is not None
    request = db.session.scalar(select(PublicationRequest).where(PublicationRequest.consultation_id == second))
    assert request.status == "superseded" and request.decided_by_label.endswith("<office@mz.gov.cn>")
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.consultation_id == second)
                                 .order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["request_publication", "supersede_publication_request", "publish"]
    # nothing waits any more; a late approval finds it decided
    log_in_as(client, login, "colleague@mz.gov.cn")
    assert "等待您审核发布" not in client.get("/office/").get_data(as_text=True)
    response = client.post(f"/office/consultations/{second}/publication-request/approve",
                           data={"csrf_token": csrf_token(client, "/login")})
    assert "这项发布申请已经审核或撤回。" in client.get(response.headers["Location"]).get_data(as_text=True)
    published = select(AuditEntry.consultation_id).where(AuditEntry.action == "publish").order_by(AuditEntry.id)
    assert db.session.scalars(published).all() == [first, second]


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_a_unit_of_one_requiring_review_sends_the_request_to_the_administrators(app, client, world, login,
                                                                                 upload_seed, submit, smtp_server):
    assert not app.config["PUBLICATION_REVIEW"]
    log_in_as(client, login, "admin@example.gov.cn")
    set_review(client, unit_named("市财政局"), "yes")
    log_in_as(client, login, "office@cz.gov.cn")  # the only member of staff of 市财政局
    consultation_id = upload_seed("003")
    page = client.get(f"/office/consultations/{consultation_id}/publish").get_data(as_text=True)
    assert "本单位没有其他工作人员，提交后由管理员审核" in page
    response = submit(f"/office/consultations/{consultation_id}/publish", **PERIOD)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "本单位没有其他工作人员，由管理员审核" in page
    deliver_due()
    (mail,) = smtp_server.to("admin@example.gov.cn")
    assert subject(mail).startswith("请审核发布：")
    assert all(smtp_server.to(a) == [] for a in ("office@mz.gov.cn", "colleague@mz.gov.cn", "office@cz.gov.cn"))

    log_in_as(client, login, "admin@example.gov.cn")
    dashboard = client.get("/office/").get_data(as_text=True)
    assert f"/office/consultations/{consultation_id}#publication-request" in dashboard
    submit(f"/office/consultations/{consultation_id}",
           f"/office/consultations/{consultation_id}/publication-request/approve")
    db.session.expire_all()
    assert db.session.get(Consultation, consultation_id).published_at is not None
    assert db.session.scalar(select(PublicationRequest.status)) == "approved"


def test_a_reimport_of_the_directory_keeps_the_choice(app, client, world, login):
    log_in_as(client, login, "admin@example.gov.cn")
    set_review(client, unit_named("市民政局"), "no")
    set_review(client, unit_named("市财政局"), "yes")
    csv = "单位名称,电子邮箱,上级单位,别名\n市民政局,mz@example.gov.cn,,\n市财政局,cz@example.gov.cn,,\n市教育局,jy@example.gov.cn,,\n"
    url = "/admin/units/import"
    data = {"csrf_token": csrf_token(client, url), "file": (io.BytesIO(csv.encode("utf-8")), "units.csv")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert [(u.name, u.emails, u.publication_review) for u in db.session.scalars(select(Unit).order_by(Unit.id))] == [
        ("市民政局", ["mz@example.gov.cn"], False), ("市财政局", ["cz@example.gov.cn"], True),
        ("市教育局", ["jy@example.gov.cn"], None)]


@pytest.mark.parametrize("deployment", [False, True])
def test_review_required_follows_the_unit_else_the_deployment(app, world, small_consultation, deployment):
    app.config["PUBLICATION_REVIEW"] = deployment
    civil = unit_named("市民政局")
    consultation = small_consultation(civil)
    for choice, expected in ((None, deployment), (True, True), (False, False)):
        civil.publication_review = choice
        db.session.flush()
        assert publication_review.review_required(consultation) is expected
    assert publication_review.review_required(small_consultation(None)) is deployment


def submitted_then_review_stopped(app, client, login, upload_seed, submit) -> int:
    """office@mz submits a consultation for review; an administrator then sets 市民政局 to 不需要审核."""
    app.config["PUBLICATION_REVIEW"] = True
    log_in_as(client, login, "office@mz.gov.cn")
    consultation_id = upload_seed("003")
    submit(f"/office/consultations/{consultation_id}/publish", **PERIOD)
    log_in_as(client, login, "admin@example.gov.cn")
    set_review(client, unit_named("市民政局"), "no")
    return consultation_id


def test_a_colleague_who_publishes_directly_tells_the_one_who_asked(app, client, world, login, upload_seed, submit,
                                                                   smtp_server):
    consultation_id = submitted_then_review_stopped(app, client, login, upload_seed, submit)
    deliver_due()  # the request's own mail to the colleague
    log_in_as(client, login, "colleague@mz.gov.cn")
    response = submit(f"/office/consultations/{consultation_id}/publish", **PERIOD)
    assert response.status_code == 302
    deliver_due()
    (mail,) = smtp_server.to("office@mz.gov.cn")
    assert subject(mail).startswith("已直接发布：")
    body = mail.get_body(("plain",)).get_content()
    assert "不再需要审核" in body and "colleague@mz.gov.cn" in body and "2023年5月20日" in body


def test_publishing_ones_own_request_directly_mails_nobody_about_it(app, client, world, login, upload_seed, submit,
                                                                    smtp_server):
    consultation_id = submitted_then_review_stopped(app, client, login, upload_seed, submit)
    log_in_as(client, login, "office@mz.gov.cn")
    submit(f"/office/consultations/{consultation_id}/publish", **PERIOD)
    deliver_due()
    assert smtp_server.to("office@mz.gov.cn") == []
    # the request mailed to the colleague was not sent either: it was no longer pending when the worker came
    assert smtp_server.to("colleague@mz.gov.cn") == []
