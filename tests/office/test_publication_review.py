"""Publication review (审核发布): where PORTAL_PUBLICATION_REVIEW asks for it, the one who sets the period submits it
and a colleague of the unit (or an administrator) approves it — then it is published as asked — or returns it with
a note; nobody approves their own; each step is audited and mailed."""
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.mail.worker import deliver_due
from portal.office.models import PublicationRequest
from tests.helpers import shanghai

BASE = "https://portal.example.gov.cn"


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


@pytest.fixture
def reviewed(app):
    app.config["PUBLICATION_REVIEW"] = True


@pytest.fixture
def submitted(app, client, clock, reviewed, office, upload_seed, submit, make_staff, smtp_server):
    """Seed 003 uploaded by 市民政局's office@mz.gov.cn and submitted to open on 2023-04-20 09:00 until 2023-05-20;
    a colleague (colleague@mz.gov.cn) and another unit's staff exist."""
    make_staff("office", "colleague@mz.gov.cn", "市民政局")
    make_staff("office", "other@cz.gov.cn", "市财政局")
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert "设定时间并提交审核" in page
    response = submit(f"/office/consultations/{consultation_id}/publish", opens="later", opens_date="2023-04-20",
                      opens_time="09:00", deadline_date="2023-05-20", deadline_time="23:59",
                      comment_visibility="public")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return consultation_id


def log_in_as(client, login, email):
    client.get("/logout")
    client.post("/logout")
    assert login(email).status_code == 302


def test_a_colleague_approves_and_it_is_published_as_asked(app, client, clock, submitted, login, submit, smtp_server):
    consultation_id = submitted
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.published_at is None and client.get(f"/consultations/{consultation_id}").status_code == 404
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert "正在等待本单位其他工作人员（或管理员）审核。" in page and "审核通过并发布" not in page
    # the one who asked cannot approve it, even by posting
    submit(f"/office/consultations/{consultation_id}", f"/office/consultations/{consultation_id}/publication-request/approve")
    db.session.expire_all()
    assert db.session.get(Consultation, consultation_id).published_at is None
    # the colleague was mailed; the other unit's staff were not
    deliver_due()
    (mail,) = smtp_server.to("colleague@mz.gov.cn")
    assert subject(mail).startswith("请审核发布：")
    text = mail.get_body(("plain",)).get_content()
    assert "2023年4月20日 09:00 至 2023年5月20日 23:59" in text
    assert f"{BASE}/office/consultations/{consultation_id}#publication-request" in text
    assert smtp_server.to("other@cz.gov.cn") == [] and smtp_server.to("office@mz.gov.cn") == []

    log_in_as(client, login, "colleague@mz.gov.cn")
    dashboard = client.get("/office/").get_data(as_text=True)
    assert "等待您审核发布" in dashboard and f"/office/consultations/{consultation_id}#publication-request" in dashboard
    clock.set(shanghai(2023, 4, 14, 9, 0))
    response = submit(f"/office/consultations/{consultation_id}",
                      f"/office/consultations/{consultation_id}/publication-request/approve")
    assert response.status_code == 302
    db.session.expire_all()
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.published_at is not None
    assert (consultation.opens_at, consultation.deadline) == (shanghai(2023, 4, 20, 9, 0), shanghai(2023, 5, 20, 23, 59, 59))
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.consultation_id == consultation_id)
                                 .order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["request_publication", "publish", "approve_publication"]
    publisher = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "publish"))
    assert publisher.actor_label.endswith("<colleague@mz.gov.cn>")
    deliver_due()
    (decision,) = smtp_server.to("office@mz.gov.cn")
    assert subject(decision).startswith("已审核发布：")
    assert "已由 office colleague@mz.gov.cn <colleague@mz.gov.cn> 审核通过并发布" in decision.get_body(("plain",)).get_content()
    assert "审核通过并发布" not in client.get("/office/").get_data(as_text=True)


def test_returned_with_a_note_then_submitted_again(app, client, clock, submitted, login, submit, smtp_server):
    consultation_id = submitted
    log_in_as(client, login, "colleague@mz.gov.cn")
    url = f"/office/consultations/{consultation_id}/publication-request/return"
    submit(f"/office/consultations/{consultation_id}", url, note="")  # a return needs its reason
    assert db.session.scalar(select(PublicationRequest.status)) == "pending"
    submit(f"/office/consultations/{consultation_id}", url, note="联系电话写错了，请先改正。")
    db.session.expire_all()
    request = db.session.scalar(select(PublicationRequest))
    assert request.status == "returned" and request.note == "联系电话写错了，请先改正。"
    deliver_due()
    returned = [m for m in smtp_server.to("office@mz.gov.cn") if subject(m).startswith("发布申请被退回")]
    assert len(returned) == 1 and "联系电话写错了" in returned[0].get_body(("plain",)).get_content()

    log_in_as(client, login, "office@mz.gov.cn")
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert '退回，理由：<span lang="zh-CN">联系电话写错了，请先改正。</span>' in page and "设定时间并提交审核" in page
    response = submit(f"/office/consultations/{consultation_id}/publish", opens="now", deadline_date="2023-05-20",
                      deadline_time="23:59", comment_visibility="public")
    assert response.status_code == 302
    assert db.session.scalars(select(PublicationRequest.status).order_by(PublicationRequest.id)).all() == \
        ["returned", "pending"]
    # the one who asked takes it back
    submit(f"/office/consultations/{consultation_id}",
           f"/office/consultations/{consultation_id}/publication-request/cancel")
    assert db.session.scalars(select(PublicationRequest.status).order_by(PublicationRequest.id)).all() == \
        ["returned", "cancelled"]
    client.get(f"/office/consultations/{consultation_id}")  # shows (and so takes) the flash
    section = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert "已撤回提交。" in section[section.index('id="publication-request"'):]
    assert db.session.get(Consultation, consultation_id).published_at is None


def test_an_approval_too_late_for_the_period_is_refused(app, client, clock, submitted, login, submit):
    consultation_id = submitted
    log_in_as(client, login, "colleague@mz.gov.cn")
    clock.set(shanghai(2023, 5, 21, 9, 0))  # the deadline asked for has passed
    response = submit(f"/office/consultations/{consultation_id}",
                      f"/office/consultations/{consultation_id}/publication-request/approve", )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "按提交的时间已不能发布" in page
    db.session.expire_all()
    assert db.session.get(Consultation, consultation_id).published_at is None
    assert db.session.scalar(select(PublicationRequest.status)) == "pending"


def test_a_refused_decision_is_said_in_the_language_of_the_page_that_shows_it(app, client, clock, submitted, login,
                                                                             submit):
    """Refused on a Chinese page, read in English after switching: the refusal and the period's problem inside it."""
    consultation_id = submitted
    review = f"/office/consultations/{consultation_id}"
    response = submit(review, f"{review}/publication-request/approve")  # the one who asked
    assert response.status_code == 302
    assert response.headers["Location"].startswith(review)
    page = client.get(f"{review}?lang=en").get_data(as_text=True)
    assert "You can only review a consultation you manage that someone else submitted." in page
    assert "只能审核由其他人提交" not in page

    log_in_as(client, login, "colleague@mz.gov.cn")
    clock.set(shanghai(2023, 5, 21, 9, 0))  # the deadline asked for has passed
    response = submit(review, f"{review}/publication-request/approve")
    client.get("/settings/language/en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("It can no longer be published with the period submitted: The deadline must be after the opening time. "
            "Please return it") in page
    assert "按提交的时间已不能发布" not in page and "截止时间必须晚于开始时间" not in page


def test_a_publication_refused_inside_an_approval_is_said_in_the_language_of_the_page_that_shows_it(
        app, client, clock, submitted, login, submit):
    """Published meanwhile (``flask consultations publish`` is not reviewed): the approval is refused on a Chinese
    page, flashed, and read in English, the publication's own refusal inside it too (it had stayed Chinese)."""
    from portal.consultations.services import publish_consultation

    consultation_id = submitted
    review = f"/office/consultations/{consultation_id}"
    with app.app_context():
        publish_consultation(db.session.get(Consultation, consultation_id), shanghai(2023, 4, 20, 9, 0),
                             shanghai(2023, 5, 20, 23, 59))
        db.session.commit()
    log_in_as(client, login, "colleague@mz.gov.cn")
    clock.set(shanghai(2023, 4, 14, 9, 0))
    response = submit(review, f"{review}/publication-request/approve")
    assert response.status_code == 302
    client.get("/settings/language/en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("It can no longer be published with the period submitted: This consultation is already published. To "
            "extend its deadline, use “Extend the deadline”") in page
    assert "这项征求意见已经发布" not in page
    db.session.expire_all()
    assert db.session.scalar(select(PublicationRequest.status)) == "pending"  # rolled back: still to return


def test_another_units_staff_cannot_decide(app, client, clock, submitted, login, submit):
    consultation_id = submitted
    log_in_as(client, login, "other@cz.gov.cn")
    assert client.get(f"/office/consultations/{consultation_id}").status_code == 404
    assert "等待您审核发布" not in client.get("/office/").get_data(as_text=True)


def test_without_review_the_office_publishes_at_once(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    assert "设定时间并发布" in client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    submit(f"/office/consultations/{consultation_id}/publish", opens="now", deadline_date="2023-05-20",
           deadline_time="23:59", comment_visibility="public")
    assert db.session.get(Consultation, consultation_id).published_at is not None
    assert db.session.scalars(select(PublicationRequest)).all() == []


def test_two_decisions_at_once_carry_out_one(app, clock, submitted, make_staff):
    """The author cancels while a colleague approves (each page read it pending): both had been carried out, the
    consultation published after its request was withdrawn, both mailed and audited."""
    from sqlalchemy import update

    from portal.accounts.models import User
    from portal.office import publication_review
    from portal.office.services import OfficeError

    consultation_id = submitted
    stale = db.session.scalars(select(PublicationRequest)).one()  # the colleague's page read it pending …
    with db.engine.begin() as other:  # … when its author takes it back
        other.execute(update(PublicationRequest).where(PublicationRequest.id == stale.id).values(status="cancelled"))
    colleague = db.session.scalar(select(User).where(User.email == "colleague@mz.gov.cn"))
    clock.set(shanghai(2023, 4, 14, 9, 0))
    with pytest.raises(OfficeError) as refused:
        publication_review.approve(stale, colleague)
    assert "刚刚已经审核或撤回" in refused.value.message
    db.session.rollback()
    assert db.session.get(Consultation, consultation_id).published_at is None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "approve_publication")).all() == []
