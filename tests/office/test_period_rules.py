"""The period of a consultation moves only by recorded steps, and every page and check reads one deadline the same way:
the command line publishes once, a date alone is the end of that day, a deadline at 00:00 is the day before's end, the
deadline's last second is open throughout, a withdrawn publication takes its extensions with it, and nothing is
recorded for a consultation that has not opened."""
from datetime import timedelta

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.consultations.models import Consultation, DeadlineExtension
from portal.consultations.services import close_due_consultations
from portal.extensions import db
from tests.helpers import csrf_token, post_comment, receipt_from, shanghai


def publish(app, consultation_id, *options):
    return app.test_cli_runner().invoke(args=["consultations", "publish", str(consultation_id), *options])


def test_the_command_line_publishes_once(app, client, clock, import_seed):
    """Run again, it had reopened a closed consultation, shortened an open one and made private comments public,
    unrecorded."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003", publish=False)
    assert publish(app, consultation.id, "--comments", "private").exit_code == 0
    clock.set(shanghai(2023, 5, 20, 10, 0))
    close_due_consultations(notify=False)
    db.session.commit()
    summary = db.session.get(Consultation, consultation.id).closing_summary
    assert summary

    again = publish(app, consultation.id, "--deadline", "2023-06-30T23:59:59")
    assert again.exit_code != 0 and "已经发布" in again.output and "延长截止时间" in again.output
    db.session.expire_all()
    stored = db.session.get(Consultation, consultation.id)
    assert stored.state() == "closed" and stored.closing_summary == summary
    assert stored.comment_visibility == "private" and stored.deadline == shanghai(2023, 5, 12, 23, 59, 59)


def test_a_date_alone_on_the_command_line_is_the_end_of_that_day(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    first, second = import_seed("003", publish=False), import_seed("000", publish=False)
    assert publish(app, first.id, "--deadline", "2023-05-31").exit_code == 0
    assert publish(app, second.id, "--deadline", "2023-05-31T17:59").exit_code == 0
    db.session.expire_all()
    assert db.session.get(Consultation, first.id).deadline == shanghai(2023, 5, 31, 23, 59, 59)
    assert db.session.get(Consultation, second.id).deadline == shanghai(2023, 5, 31, 17, 59, 59)
    clock.set(shanghai(2023, 5, 31, 10, 0))  # the day named: still open (it had closed at its first second)
    assert db.session.get(Consultation, first.id).state() == "open"


def test_a_deadline_at_midnight_is_the_end_of_the_day_before(app, client, clock, import_seed, office, submit):
    """"5月13日0时" and "5月12日24时" are one moment: every page then names the 12th, the last day to comment."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003", publish=False)
    assert publish(app, consultation.id, "--deadline", "2023-05-13T00:00:00").exit_code == 0
    db.session.expire_all()
    consultation = db.session.get(Consultation, consultation.id)
    assert consultation.deadline == shanghai(2023, 5, 12, 23, 59, 59)
    clock.set(shanghai(2023, 5, 12, 10, 0))
    assert consultation.days_left() == 0  # the last day (it said "明天截止")
    clock.set(shanghai(2023, 5, 13, 9, 0))
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "截止到5月12日" in page

    # an extension to midnight is the same
    clock.set(shanghai(2023, 5, 10, 10, 0))
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    response = submit(f"/office/consultations/{consultation.id}/extend", deadline_date="2023-06-01",
                      deadline_time="00:00", reason="延长")
    assert response.status_code == 302
    assert db.session.scalars(select(DeadlineExtension.new_deadline)).one() == shanghai(2023, 5, 31, 23, 59, 59)


def test_the_deadlines_last_second_is_open_throughout(app, client, clock, open_003):
    """The clock has microseconds; the deadline (23:59:59) is a second. Half of it had been refused."""
    clock.set(shanghai(2023, 5, 12, 23, 59, 59) + timedelta(milliseconds=500))
    url = f"/consultations/{open_003.id}"
    page = client.get(url)
    assert 'name="body"' in page.get_data(as_text=True)
    receipt_from(post_comment(client, open_003, url, body="最后一秒提交的意见。"))
    assert close_due_consultations(notify=False) == []  # not finalised before its last comment can come
    token = csrf_token(client, url)
    clock.set(shanghai(2023, 5, 13, 0, 0, 0))  # the next second: refused
    response = client.post(f"/consultations/{open_003.id}/comments", data={
        "csrf_token": token, "body": "截止以后提交的意见。", "stance": "suggest", "section_id": "", "parent_id": ""})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_a_withdrawn_publication_takes_its_extensions_with_it(app, client, clock, office, upload_seed, submit):
    """Published again with a shorter period, the page had said "延长至" its new deadline, with the old reason."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    assert submit(f"/office/consultations/{consultation_id}/publish", opens="later", opens_date="2023-04-20",
                  opens_time="09:00", deadline_date="2023-05-31").status_code == 302
    assert submit(f"/office/consultations/{consultation_id}/extend", deadline_date="2023-06-15",
                  reason="端午假期顺延").status_code == 302
    assert submit(f"/office/consultations/{consultation_id}/withdraw", reason="开始时间填错了。").status_code == 302
    assert db.session.scalars(select(DeadlineExtension)).all() == []
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw")).one()
    assert entry.before["extensions"][0]["reason"] == "端午假期顺延"  # kept in the record
    assert submit(f"/office/consultations/{consultation_id}/publish", opens="later", opens_date="2023-04-25",
                  opens_time="09:00", deadline_date="2023-05-26").status_code == 302
    page = client.get(f"/consultations/{consultation_id}").get_data(as_text=True)
    assert "延长至" not in page and "端午假期顺延" not in page
    assert client.get(f"/api/v1/consultations/{consultation_id}").get_json()["extensions"] == []


def test_nothing_is_recorded_for_a_consultation_not_yet_open(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    assert submit(f"/office/consultations/{consultation_id}/publish", opens="later", opens_date="2023-04-20",
                  opens_time="15:00", deadline_date="2023-05-31").status_code == 302
    clock.set(shanghai(2023, 4, 20, 10, 0))  # the opening's day, before its hour
    consultation = db.session.get(Consultation, consultation_id)
    response = submit(f"/office/consultations/{consultation_id}/comments/new", channel="in_person",
                      received_on="2023-04-20", section_id=str(consultation.current_draft.sections[1].id),
                      stance="suggest", body="开始前录入的意见。")
    assert response.status_code == 422 and "征求意见尚未开始" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_an_extension_is_checked_against_the_deadline_as_it_is_now(app, client, clock, import_seed, office):
    """Two office users extending at once: each had checked the deadline its own request loaded, and the later
    commit, though shorter, won (the first's confirmed deadline lost, both recorded from the same old one)."""
    from sqlalchemy import update

    from portal.office.services import OfficeError, extend_deadline

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    stale = db.session.get(Consultation, consultation.id)  # this request has read it …
    with db.engine.begin() as other:  # … when another extends it to 15 June
        other.execute(update(Consultation).where(Consultation.id == consultation.id)
                      .values(deadline=shanghai(2023, 6, 15, 23, 59, 59)))
    try:
        extend_deadline(stale, office, shanghai(2023, 6, 8, 23, 59, 59), "延长")
    except OfficeError as error:
        assert "必须晚于现在的截止时间" in error.message
    else:
        raise AssertionError("an extension shorter than the deadline now was accepted")
    db.session.rollback()
    assert db.session.get(Consultation, consultation.id).deadline == shanghai(2023, 6, 15, 23, 59, 59)


def test_a_comment_before_the_opening_is_told_when_it_opens(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003", publish=False)
    assert publish(app, consultation.id, "--opens", "2023-04-20T09:00:00", "--deadline", "2023-05-31").exit_code == 0
    token = csrf_token(client, "/login")
    response = client.post(f"/consultations/{consultation.id}/comments", data={
        "csrf_token": token, "body": "提前写好的意见。", "stance": "suggest", "section_id": "", "parent_id": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "征求意见将于 2023年4月20日 09:00 开始" in page and "没有保存" in page


def test_a_deadline_time_written_with_a_space_is_read_as_the_form_reads_it():
    from portal.core.time import parse_deadline

    assert parse_deadline("2026-05-31 23:59") == shanghai(2026, 5, 31, 23, 59, 59)
    assert parse_deadline("2026-05-31T17:59") == shanghai(2026, 5, 31, 17, 59, 59)
    assert parse_deadline("2026-05-31T17:30") == shanghai(2026, 5, 31, 17, 30)
