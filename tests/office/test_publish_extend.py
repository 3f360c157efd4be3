"""Publishing is an explicit step with a checked period; extending the deadline is recorded and shown."""
import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.consultations.models import Consultation, DeadlineExtension
from portal.extensions import db
from tests.helpers import shanghai


def test_publish_now_with_a_30_day_period(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    page = client.get(f"/office/consultations/{consultation_id}/publish").get_data(as_text=True)
    assert 'value="2023-05-12"' in page  # the deadline read from the notice is proposed
    response = submit(f"/office/consultations/{consultation_id}/publish", opens="now",
                      deadline_date="2023-05-12", deadline_time="23:59")
    assert response.status_code == 302
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.opens_at == shanghai(2023, 4, 12, 10, 0)
    assert consultation.deadline == shanghai(2023, 5, 12, 23, 59, 59)
    assert client.get(f"/consultations/{consultation_id}").status_code == 200
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "publish")).one()
    assert entry.after["short_period"] is False and entry.reason is None and entry.actor_id == office.id


def test_a_short_period_needs_confirmation_and_a_reason_which_is_recorded(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    url = f"/office/consultations/{consultation_id}/publish"
    response = submit(url, opens="later", opens_date="2023-04-20", opens_time="09:00", deadline_date="2023-05-05")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "少于30天。如确需缩短，请勾选确认" in page and "请说明理由" in page
    assert db.session.get(Consultation, consultation_id).published_at is None
    assert client.get(f"/consultations/{consultation_id}").status_code == 404

    response = submit(url, opens="later", opens_date="2023-04-20", opens_time="09:00", deadline_date="2023-05-05",
                      confirm_short="y", short_reason="上级要求在5月上旬前报送")
    assert response.status_code == 302
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.state() == "upcoming" and consultation.opens_at == shanghai(2023, 4, 20, 9, 0)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "publish")).one()
    assert entry.after["short_period"] is True and entry.reason == "上级要求在5月上旬前报送"


def test_the_deadline_must_come_after_the_opening(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    url = f"/office/consultations/{consultation_id}/publish"
    response = submit(url, opens="later", opens_date="2023-06-01", deadline_date="2023-05-12")
    assert response.status_code == 422 and "截止时间必须晚于开始时间" in response.get_data(as_text=True)
    response = submit(url, opens="later", opens_date="2023-04-01", deadline_date="2023-06-12")
    assert response.status_code == 422 and "开始时间已经过去" in response.get_data(as_text=True)
    response = submit(url, opens="later", deadline_date="2023-06-12")
    assert response.status_code == 422 and "请填写开始日期" in response.get_data(as_text=True)
    assert db.session.get(Consultation, consultation_id).published_at is None


def test_extension_is_recorded_shown_publicly_and_used_by_the_closing_summary(app, client, clock, office, import_seed,
                                                                             submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    url = f"/office/consultations/{consultation.id}/extend"
    response = submit(url, deadline_date="2023-05-31", deadline_time="23:59", reason="")
    assert response.status_code == 422 and "请说明延长的理由" in response.get_data(as_text=True)
    response = submit(url, deadline_date="2023-05-01", reason="提前")
    assert response.status_code == 422 and "必须晚于现在的截止时间" in response.get_data(as_text=True)

    clock.set(shanghai(2023, 5, 10, 15, 30))
    response = submit(url, deadline_date="2023-05-31", deadline_time="23:59", reason="应社会各界要求，延长征求意见时间")
    assert response.status_code == 302
    extension = db.session.scalars(select(DeadlineExtension)).one()
    assert (extension.old_deadline, extension.new_deadline) == (shanghai(2023, 5, 12, 23, 59, 59),
                                                                shanghai(2023, 5, 31, 23, 59, 59))
    assert extension.actor_id == office.id and extension.at == shanghai(2023, 5, 10, 15, 30)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "extend")).one()
    assert entry.reason == "应社会各界要求，延长征求意见时间" and entry.after["deadline"] == "2023-05-31T23:59:59+08:00"

    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '征求意见截止时间延长至<span class="unbroken">2023年5月31日 23:59</span>' in page  # one line on a phone
    clock.set(shanghai(2023, 5, 20))
    assert 'name="body"' in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)  # still open
    clock.set(shanghai(2023, 6, 1, 9, 0))
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "截止到5月31日，未收到社会各界、广大居民群众反馈意见。" in page
    # once closed, it cannot be extended
    response = submit(url, deadline_date="2023-06-30", reason="再延长")
    assert response.status_code == 422 and db.session.scalars(select(DeadlineExtension)).all() == [extension]


def test_an_extension_says_every_problem_at_once(app, client, clock, office, import_seed, submit):
    """An earlier date and no reason: both said on the first refusal, not the date only after the reason is given."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    response = submit(f"/office/consultations/{consultation.id}/extend", deadline_date="2023-05-05",
                      deadline_time="23:59", reason="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请说明延长的理由" in page and "新的截止时间必须晚于现在的截止时间" in page
    assert db.session.scalars(select(DeadlineExtension)).all() == []


EXTENSION_PROBLEMS = {
    "no date": (dict(deadline_date="", reason="应要求延长"), {"deadline_date": ["请填写新的截止日期。"]}),
    "not later": (dict(deadline_date="2023-05-12", reason="应要求延长"),
                  {"deadline_date": ["新的截止时间必须晚于现在的截止时间。"]}),
    "no reason": (dict(deadline_date="2023-05-31", reason="  "), {"reason": ["请说明延长的理由。"]}),
    "no date, no reason": (dict(deadline_date="", reason=""),
                           {"deadline_date": ["请填写新的截止日期。"], "reason": ["请说明延长的理由。"]}),
    "not later, no reason": (dict(deadline_date="2023-04-30", reason=""),
                             {"deadline_date": ["新的截止时间必须晚于现在的截止时间。"], "reason": ["请说明延长的理由。"]}),
}


@pytest.mark.parametrize("posted, said", EXTENSION_PROBLEMS.values(), ids=EXTENSION_PROBLEMS.keys())
def test_the_extend_page_says_each_rule_of_the_service_at_its_field(app, client, clock, office, import_seed, submit,
                                                                    posted, said):
    """The rules of an extension are the service's (extension_problems); the page says every one broken, each at its
    field and in the summary linking to it, as the form had said them."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    response = submit(f"/office/consultations/{consultation.id}/extend", deadline_time="23:59", **posted)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for name, messages in said.items():
        for message in messages:
            assert f'<li><a href="#{name}">{message}</a></li>' in page
            assert page.count(message) == 2  # in the summary and at the field, once each
    assert len(re.findall(r'<li><a href="#', page)) == sum(len(m) for m in said.values())
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).deadline == shanghai(2023, 5, 12, 23, 59, 59)
    assert db.session.scalars(select(DeadlineExtension)).all() == []


def test_a_closed_consultation_is_not_extended_and_the_page_says_why(app, client, clock, office, import_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    clock.set(shanghai(2023, 5, 13, 9, 0))
    response = submit(f"/office/consultations/{consultation.id}/extend", deadline_date="2023-06-30",
                      deadline_time="23:59", reason="再延长")
    assert response.status_code == 422
    assert '<li><a href="#deadline_date">只有正在征求意见或即将开始的征求意见才能延长截止时间。</a></li>' in response.get_data(
        as_text=True)
    assert db.session.scalars(select(DeadlineExtension)).all() == []


@pytest.mark.parametrize("moved_to", ["2023-04-20", "2023-04-12", "2023-07-01"])
def test_the_notice_form_cannot_move_a_published_deadline(app, client, clock, office, import_seed, submit, moved_to):
    """Shortened without a reason, closed at once, or (closed) opened again: the notice form saved any deadline.
    Published, it shows the deadline and leads to 延长截止时间; a deadline posted anyway is refused."""
    clock.set(shanghai(2023, 4, 15, 10, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    url = f"/office/consultations/{consultation.id}/notice"
    page = client.get(url).get_data(as_text=True)
    assert 'name="deadline_date"' not in page and "延长截止时间" in page and "2023年5月12日 23:59" in page
    response = submit(url, title=consultation.title, issuer="某某市民政局", deadline_date=moved_to, deadline_time="10:00")
    assert response.status_code == 302  # the other fields saved; the deadline as it was
    db.session.expire_all()
    stored = db.session.get(Consultation, consultation.id)
    assert stored.deadline == shanghai(2023, 5, 12, 23, 59, 59) and stored.issuer == "某某市民政局"

    from portal.office.services import OfficeError, update_notice

    with pytest.raises(OfficeError, match="截止时间不能在这里修改"):
        update_notice(stored, office, {"title": stored.title, "deadline": shanghai(2023, 4, 20)})


def test_the_office_may_keep_comments_private_when_publishing(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    url = f"/office/consultations/{consultation_id}/publish"
    assert 'name="comment_visibility"' in client.get(url).get_data(as_text=True)
    response = submit(url, opens="now", deadline_date="2023-05-12", deadline_time="23:59",
                      comment_visibility="private")
    assert response.status_code == 302
    assert db.session.get(Consultation, consultation_id).comment_visibility == "private"
    assert "不在网上公开" in client.get(f"/consultations/{consultation_id}").get_data(as_text=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "publish")).one()
    assert entry.after["comment_visibility"] == "private"


def test_an_unknown_visibility_is_refused(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    response = submit(f"/office/consultations/{consultation_id}/publish", opens="now", deadline_date="2023-05-12",
                      comment_visibility="everyone")
    assert response.status_code == 422
    assert db.session.get(Consultation, consultation_id).published_at is None


def test_a_publication_made_by_mistake_is_withdrawn_before_the_opening(app, client, clock, office, upload_seed, submit):
    from portal.citizens.models import Citizen
    from portal.mail.models import OutboxMessage

    clock.set(shanghai(2023, 4, 12, 10, 0))
    db.session.add(Citizen(email="reader@example.cn", consultation_alerts=True, alerts_language="zh_CN"))
    db.session.commit()
    consultation_id = upload_seed("003")
    url = f"/office/consultations/{consultation_id}/publish"
    assert submit(url, opens="later", opens_date="2023-05-20", opens_time="09:00", deadline_date="2023-06-30",
                  ).status_code == 302  # the wrong month

    def alerts():
        db.session.expire_all()
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "new_consultation")).all()

    (first_alert,) = alerts()  # queued, not sent yet
    first_message_id = first_alert.message_id
    review = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert "撤回发布" in review
    assert client.get(f"/consultations/{consultation_id}").status_code == 200
    assert consultation_id in [c["id"] for c in client.get("/api/v1/consultations").get_json()["items"]]

    withdraw = f"/office/consultations/{consultation_id}/withdraw"
    response = submit(withdraw, reason="")
    assert response.status_code == 422 and "请说明撤回的理由" in response.get_data(as_text=True)
    assert submit(withdraw, reason="开始时间填错了。").status_code == 302
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.published_at is None and consultation.state() == "unpublished"
    assert client.get(f"/consultations/{consultation_id}").status_code == 404  # gone from the public
    assert client.get("/api/v1/consultations").get_json()["items"] == []
    assert f"/consultations/{consultation_id}<" not in client.get("/consultations/feed.atom").get_data(as_text=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw")).one()
    assert entry.reason == "开始时间填错了。" and entry.before["opens_at"].startswith("2023-05-20T01:00")
    assert alerts() == [] and entry.after["alerts_withdrawn"] == 1  # the unsent alert is taken back
    review = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert "设定时间并发布" in review and "撤回发布" in review  # the button, and the history line

    assert submit(url, opens="later", opens_date="2023-04-20", opens_time="09:00", deadline_date="2023-05-31",
                  ).status_code == 302  # published again, with the right period
    (again,) = alerts()  # announced afresh: the reader hears of it once, with the right dates
    assert again.message_id != first_message_id and again.recipient == "reader@example.cn" and again.status == "pending"
    clock.set(shanghai(2023, 4, 21, 9, 0))  # open now: too late to withdraw
    page = client.get(withdraw).get_data(as_text=True)  # the page says so, and offers no form
    assert "只有尚未开始的征求意见才能撤回发布" in page and "还没有人能发表意见" not in page and 'name="reason"' not in page
    from tests.helpers import csrf_token

    token = csrf_token(client, f"/office/consultations/{consultation_id}/notice")
    response = client.post(withdraw, data={"csrf_token": token, "reason": "又错了。"})  # posted anyway: refused
    assert response.status_code == 422 and "只有尚未开始的征求意见才能撤回发布" in response.get_data(as_text=True)
    assert db.session.get(Consultation, consultation_id).published_at is not None
