"""Meetings (座谈会、听证会): the office announces one with its consultation; citizens sign up on its page; the office
chooses who attends, and they hear of it by mail; a change or a cancellation reaches them too; after the meeting the
office publishes what was said. Seed 003 is open from 2023-04-20 09:00 to 2023-05-12."""
import csv
import io
import re

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import deliver_due
from portal.meetings.models import Meeting, MeetingRegistration
from tests.helpers import Browser, csrf_token, render_queued, shanghai

MEETING = {"kind": "symposium", "title": "社区养老服务征求意见座谈会", "start_date": "2023-04-28", "start_time": "09:30",
           "end_time": "11:30", "place": "市民政局三楼会议室（某某路1号）", "description": "邀请社区居民代表参加。\n讨论助餐服务。",
           "seats": "20", "signup_date": "2023-04-26", "signup_time": "17:00"}


def office_url(consultation, meeting=None, tail="") -> str:
    base = f"/office/consultations/{consultation.id}/meetings"
    return base + (f"/{meeting.id}" if meeting is not None else "") + tail


def public_url(consultation, meeting) -> str:
    return f"/consultations/{consultation.id}/meetings/{meeting.id}"


def announce(submit, consultation, **changes) -> Meeting:
    response = submit(office_url(consultation), **{**MEETING, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    meeting_id = int(re.search(r"/meetings/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(Meeting, meeting_id)


def sign_up(client, consultation, meeting, token_from=None, **fields):
    """Fill in the sign-up form of the meeting's page (a page without one: post with the token of ``token_from``)."""
    url = public_url(consultation, meeting)
    data = {"csrf_token": csrf_token(client, token_from or url), "name": "王大爷", "phone": "138 0013 8000", "email": "",
            "organisation": "", "statement": ""}
    data.update(fields)
    return client.post(url, data=data)


def meeting_mails() -> list[OutboxMessage]:
    """The mails to registrants, rendered as the worker will (committed: the next request may write)."""
    db.session.expire_all()  # as the worker reads them: what other browsers changed meanwhile included
    mails = [render_queued(m) for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "meeting").order_by(OutboxMessage.id))]
    db.session.commit()
    return mails


def test_citizens_sign_up_and_the_office_chooses_who_attends(app, client, clock, consultation, office, submit,
                                                              smtp_server):
    meeting = announce(submit, consultation)
    assert (meeting.kind, meeting.seats, meeting.starts_at) == ("symposium", 20, shanghai(2023, 4, 28, 9, 30))
    assert meeting.ends_at == shanghai(2023, 4, 28, 11, 30) and meeting.signup_until == shanghai(2023, 4, 26, 17, 0)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_type == "meeting")) == "meeting"

    citizen = Browser(app)
    overview = citizen.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "座谈会、听证会" in overview and "社区养老服务征求意见座谈会" in overview and "公开报名 20 人" in overview
    page = citizen.get(public_url(consultation, meeting)).get_data(as_text=True)
    assert "市民政局三楼会议室（某某路1号）" in page and "<p>讨论助餐服务。</p>" in page and "提交报名" in page

    bad = sign_up(citizen, consultation, meeting, phone="12345", email="not-an-address")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请填写正确的手机号码或固定电话" in text and "电子邮箱的格式不对" in text
    # each refused field names its error and its hint, for a screen reader (WCAG 1.3.1, 3.3.1)
    for name in ("phone", "email"):
        tag = re.search(rf'<input[^>]*\bid="{name}"[^>]*>', text).group(0)
        assert 'aria-invalid="true"' in tag and f'aria-describedby="{name}-hint {name}-error"' in tag, tag
        assert f'<div id="{name}-error"><p class="field-error"><span class="visually-hidden">错误：</span>' in text
    assert 'aria-invalid' not in re.search(r'<input[^>]*\bid="name"[^>]*>', text).group(0)
    response = sign_up(citizen, consultation, meeting, email="Wang@Example.cn", organisation="某某社区",
                       statement="希望社区食堂延长营业时间。")
    assert response.status_code == 303
    mine = citizen.get(response.headers["Location"])
    text = mine.get_data(as_text=True)
    registration = db.session.scalars(select(MeetingRegistration)).one()
    assert registration.email == "wang@example.cn" and registration.phone_key == "13800138000"
    assert "已报名，等待确定" in text and registration.number in text and "138****8000" in text
    assert "138 0013 8000" not in text and mine.headers["Referrer-Policy"] == "no-referrer"
    again = sign_up(citizen, consultation, meeting, phone="13800138000")
    assert again.status_code == 422 and "这个电话号码已经报名了这次会议" in again.get_data(as_text=True)
    for same in ("+86 138 0013 8000", "86-13800138000"):  # the country code: the same number (was a second place)
        again = sign_up(citizen, consultation, meeting, phone=same)
        assert again.status_code == 422 and "这个电话号码已经报名了这次会议" in again.get_data(as_text=True)
    assert sign_up(citizen, consultation, meeting, name="李四", phone="0527-84350000").status_code == 303

    office_page = client.get(office_url(consultation, meeting)).get_data(as_text=True)
    assert "138 0013 8000" in office_page and "希望社区食堂延长营业时间。" in office_page and "报名（2 人）" in office_page
    token = csrf_token(client, office_url(consultation, meeting))
    for wrong in ("²", str(2**63), ""):  # no sign-up any database holds: refused, never a server error
        assert client.post(office_url(consultation, meeting, "/decide"), data={
            "csrf_token": token, "registration_id": wrong, "decision": "accepted"}).status_code == 400
    decided = client.post(office_url(consultation, meeting, "/decide"), data={
        "csrf_token": token, "registration_id": str(registration.id), "decision": "accepted"})
    assert decided.status_code == 302
    db.session.refresh(registration)
    assert registration.status == "accepted"
    (mail,) = meeting_mails()
    assert mail.recipient == "wang@example.cn" and mail.subject == "请参加会议：社区养老服务征求意见座谈会"
    assert "市民政局三楼会议室（某某路1号）" in mail.body_text and registration.number in mail.body_text
    assert len(deliver_due().sent) == 1
    (delivered,) = smtp_server.to("wang@example.cn")
    assert "组织单位已确定请您参加" in delivered.get_body(("plain",)).get_content()

    listing = client.post(office_url(consultation, meeting, "/registrations.csv"),
                          data={"csrf_token": csrf_token(client, office_url(consultation, meeting))})
    rows = list(csv.reader(io.StringIO(listing.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["报名编号", "姓名", "联系电话"] and rows[1][1:4] == ["王大爷", "138 0013 8000", "wang@example.cn"]
    assert rows[2][-1] == "已报名，等待确定" and listing.headers["Cache-Control"] == "private, no-store"
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "export_registrations"))

    # a new place: those still expected with an address hear of it
    moved = submit(office_url(consultation, meeting), **{**MEETING, "place": "市民政局一楼大厅"})
    assert moved.status_code == 302
    changed = meeting_mails()[-1]
    assert changed.subject.startswith("会议时间或地点有变化") and "市民政局一楼大厅" in changed.body_text

    # the registrant withdraws on their own page
    page = response.headers["Location"]
    withdrawn = citizen.post(page, data={"csrf_token": csrf_token(citizen, page)})
    assert withdrawn.status_code == 303
    db.session.refresh(registration)
    assert registration.status == "withdrawn" and "已取消报名" in citizen.get(page).get_data(as_text=True)

    # past the sign-up deadline: no more sign-ups
    clock.set(shanghai(2023, 4, 27, 9, 0))
    late = sign_up(Browser(app), consultation, meeting, f"/consultations/{consultation.id}", phone="13900139000")
    assert late.status_code == 422 and "这次会议现在不接受报名" in late.get_data(as_text=True)
    assert "报名已截止" in Browser(app).get(public_url(consultation, meeting)).get_data(as_text=True)

    # after the meeting: no more changes; what was said is published
    clock.set(shanghai(2023, 4, 28, 12, 0))
    too_late = submit(office_url(consultation, meeting), **MEETING)
    assert too_late.status_code == 422 and "会议已经开始、结束或已取消，不能再修改" in too_late.get_data(as_text=True)
    minutes = submit(office_url(consultation, meeting), office_url(consultation, meeting, "/minutes"),
                     minutes="参会居民12人。\n大家希望助餐点覆盖所有社区。")
    assert minutes.status_code == 302
    shown = Browser(app).get(public_url(consultation, meeting)).get_data(as_text=True)
    assert "会议情况" in shown and "<p>大家希望助餐点覆盖所有社区。</p>" in shown
    assert "已公布会议情况" in Browser(app).get(f"/consultations/{consultation.id}").get_data(as_text=True)


def test_a_hearing_asks_each_applicant_for_their_view(app, client, consultation, office, submit):
    meeting = announce(submit, consultation, kind="hearing", title="听证会", seats="10")
    citizen = Browser(app)
    refused = sign_up(citizen, consultation, meeting)
    assert refused.status_code == 422 and "报名参加听证会，请写下您的主要观点和理由" in refused.get_data(as_text=True)
    assert sign_up(citizen, consultation, meeting, statement="反对提高收费标准。").status_code == 303


def test_an_english_registrants_page_speaks_to_the_registrant(app, client, consultation, office, submit):
    """The registrant's own page labels their statement for them, not in the third person as the office's list
    does (it said “What they wish to say” to the one who wrote it)."""
    meeting = announce(submit, consultation, kind="hearing", title="听证会", seats="10")
    citizen = Browser(app)
    citizen.get("/settings/language/en")
    done = sign_up(citizen, consultation, meeting, statement="I am against the higher fees.")
    own = citizen.get(done.headers["Location"]).get_data(as_text=True)
    assert "I am against the higher fees." in own and "Points to raise, or reason for attending" in own
    assert " they " not in re.sub(r"<[^>]+>", " ", own.split("<main")[1])


def test_a_cancelled_meeting_tells_those_who_signed_up(app, client, consultation, office, submit):
    meeting = announce(submit, consultation)
    citizen = Browser(app)
    assert sign_up(citizen, consultation, meeting, email="wang@example.cn").status_code == 303
    assert sign_up(citizen, consultation, meeting, phone="13900139000").status_code == 303  # no address: no mail
    url = office_url(consultation, meeting)
    empty = submit(url, office_url(consultation, meeting, "/cancel"), reason="")
    assert empty.status_code == 422 and "请说明取消的原因" in empty.get_data(as_text=True)
    assert submit(url, office_url(consultation, meeting, "/cancel"), reason="会议室维修，改期另行通知。").status_code == 302
    (mail,) = meeting_mails()
    assert mail.subject.startswith("会议已取消") and "会议室维修，改期另行通知。" in mail.body_text
    page = citizen.get(public_url(consultation, meeting)).get_data(as_text=True)
    assert "这次会议已取消。" in page and "提交报名" not in page
    assert "（已取消）" in citizen.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    refused = sign_up(citizen, consultation, meeting, f"/consultations/{consultation.id}", phone="13700137000")
    assert refused.status_code == 422 and "这次会议现在不接受报名" in refused.get_data(as_text=True)
    ics = citizen.get(public_url(consultation, meeting) + "/meeting.ics")
    assert ics.mimetype == "text/calendar" and b"STATUS:CANCELLED" in ics.data


def test_english_pages_show_a_meeting_with_english_punctuation(app, client, consultation, office, submit):
    """The meeting's time and place, and a cancelled meeting's reason, are joined with English punctuation on English
    pages (they were joined with Chinese ones: “09:30–11:30，市民政局…”, “cancelled（…）”)."""
    meeting = announce(submit, consultation)
    url = office_url(consultation, meeting)
    assert submit(url, office_url(consultation, meeting, "/cancel"), reason="会议室维修，改期另行通知。").status_code == 302
    client.get("/settings/language/en")
    text = lambda page: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    public = text(client.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    assert "28 April 2023, 09:30–11:30, 市民政局三楼会议室（某某路1号） (cancelled)" in public
    office_page = text(client.get(url).get_data(as_text=True))
    assert "The meeting has been cancelled (会议室维修，改期另行通知。)" in office_page
    client.get("/settings/language/zh_CN")
    assert "2023年4月28日 09:30–11:30，市民政局三楼会议室（某某路1号） （已取消）" in text(
        client.get(f"/consultations/{consultation.id}").get_data(as_text=True))


def test_the_calendar_file_holds_the_meeting_in_shanghai_time(app, client, consultation, office, submit):
    meeting = announce(submit, consultation)
    ics = Browser(app).get(public_url(consultation, meeting) + "/meeting.ics")
    text = ics.get_data(as_text=True).replace("\r\n ", "")
    assert "DTSTART;TZID=Asia/Shanghai:20230428T093000" in text and "DTEND;TZID=Asia/Shanghai:20230428T113000" in text
    assert "SUMMARY:社区养老服务征求意见座谈会" in text and "LOCATION:市民政局三楼会议室（某某路1号）" in text
    # RFC 5545: every TZID names a VTIMEZONE of the file (Outlook and others read the times as UTC without it)
    from icalendar import Calendar

    calendar = Calendar.from_ical(ics.data)
    zones = [zone for zone in calendar.walk("VTIMEZONE")]
    assert [str(zone["TZID"]) for zone in zones] == ["Asia/Shanghai"]
    assert "TZOFFSETFROM:+0800" in text and "TZOFFSETTO:+0800" in text


def test_the_office_form_refuses_impossible_times(client, clock, consultation, office, submit):
    url = office_url(consultation)
    past = submit(url, **{**MEETING, "start_date": "2023-04-19"})
    assert past.status_code == 422 and "会议时间要在现在以后" in past.get_data(as_text=True)
    backwards = submit(url, **{**MEETING, "end_time": "08:00"})
    assert backwards.status_code == 422 and "结束时间要晚于开始时间" in backwards.get_data(as_text=True)
    late_signup = submit(url, **{**MEETING, "signup_date": "2023-04-29"})
    assert late_signup.status_code == 422 and "报名截止时间不能晚于会议开始时间" in late_signup.get_data(as_text=True)
    after_the_deadline = submit(url, **{**MEETING, "start_date": "2023-05-13", "signup_date": ""})
    assert after_the_deadline.status_code == 422 and "会议要安排在征求意见截止以前" in after_the_deadline.get_data(
        as_text=True)
    assert db.session.scalars(select(Meeting)).all() == []
    # by invitation only: no form on its page
    meeting = announce(submit, consultation, seats="")
    page = client.get(public_url(consultation, meeting)).get_data(as_text=True)
    assert "由组织单位邀请参加，不接受报名" in page and "提交报名" not in page


def test_other_units_and_other_roles_are_kept_out(app, client, consultation, office, submit, make_staff, login):
    meeting = announce(submit, consultation)
    paths = [office_url(consultation), office_url(consultation, meeting)]
    client.post("/logout", data={"csrf_token": csrf_token(client, f"/consultations/{consultation.id}")})
    assert all(client.get(p).status_code == 302 for p in paths)  # to the login page
    make_staff("office", "other@jyj.gov.cn", "市教育局")
    assert login("other@jyj.gov.cn").status_code == 302
    assert all(client.get(p).status_code == 404 for p in paths)
    client.post("/logout", data={"csrf_token": csrf_token(client, f"/consultations/{consultation.id}")})
    make_staff("moderator", "mod@example.gov.cn")
    assert login("mod@example.gov.cn").status_code == 302
    assert all(client.get(p).status_code == 403 for p in paths)


def test_a_meeting_of_an_unpublished_consultation_is_not_public(app, client, office, small_consultation, submit,
                                                                 clock):
    from portal.accounts.models import User

    clock.set(shanghai(2023, 4, 20, 9, 0))
    draft = small_consultation(db.session.get(User, office.id).unit)
    meeting = announce(submit, draft)
    assert Browser(app).get(public_url(draft, meeting)).status_code == 404
    assert client.get(office_url(draft, meeting)).status_code == 200


def test_opinions_voiced_at_a_meeting_are_recorded_as_such(client, consultation, office, submit):
    response = submit(f"/office/consultations/{consultation.id}/comments/new", channel="meeting",
                      received_on="2023-04-20", section_id="0", stance="suggest", body="座谈会上，居民建议增加助餐点。",
                      author_name="张三")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "座谈会等会议上提出" in page
    digest = client.get(f"/office/consultations/{consultation.id}/digest.csv")
    assert digest.status_code == 200 and "座谈会等会议" in digest.get_data(as_text=True)


def test_the_open_data_api_lists_the_meetings_without_those_who_signed_up(app, client, consultation, office, submit):
    from tests.api.test_public_api import get_json

    meeting = announce(submit, consultation)
    citizen = Browser(app)
    assert sign_up(citizen, consultation, meeting, email="wang@example.cn").status_code == 303
    detail = get_json(Browser(app), f"/api/v1/consultations/{consultation.id}", schema="Consultation")
    (listed,) = detail["meetings"]
    assert listed["kind"] == "symposium" and listed["starts_at"] == "2023-04-28T09:30:00+08:00"
    assert listed["seats"] == 20 and listed["cancelled"] is False and listed["url"].endswith(public_url(consultation,
                                                                                                        meeting))
    text = str(detail)
    assert "王大爷" not in text and "13800138000" not in text and "wang@example.cn" not in text


def test_the_contacts_of_those_who_signed_up_are_erased_with_the_commenters(app, clock, client, consultation, office,
                                                                            submit):
    meeting = announce(submit, consultation)
    citizen = Browser(app)
    for phone in ("13800138000", "13900139000"):
        assert sign_up(citizen, consultation, meeting, phone=phone, email="wang@example.cn",
                       statement="希望多开助餐点。").status_code == 303
    clock.set(shanghai(2023, 5, 13, 9, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    clock.set(shanghai(2024, 5, 14, 9, 0))  # 367 days after the end
    result = app.test_cli_runner().invoke(args=["comments", "erase-contacts", "--days", "365"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    registrations = db.session.scalars(select(MeetingRegistration)).all()
    assert [(r.phone, r.email, r.name, r.statement) for r in registrations] == [("", None, "王大爷", "希望多开助餐点。")] * 2
    assert all(r.erased_at is not None for r in registrations)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "erase_contacts"))
    assert entry.after == {"comments": 0, "days": 365, "registrations": 2}
    assert "138" not in client.get(office_url(consultation, meeting)).get_data(as_text=True).split("<tbody>")[1]


def test_the_feedback_report_says_which_meetings_were_held(app, clock, client, consultation, office, submit):
    import docx

    held = announce(submit, consultation)
    announce(submit, consultation, kind="hearing", title="听证会", start_date="2023-05-06")
    cancelled = announce(submit, consultation, title="另一次座谈会", start_date="2023-05-08")
    submit(office_url(consultation, cancelled), office_url(consultation, cancelled, "/cancel"), reason="改期。")
    clock.set(shanghai(2023, 4, 28, 12, 0))
    submit(office_url(consultation, held), office_url(consultation, held, "/minutes"), minutes="参会居民12人。")
    clock.set(shanghai(2023, 5, 13, 9, 0))
    sentence = "征求意见期间，还召开座谈会1次（4月28日）、听证会1次（5月6日），当面听取意见。"
    page = Browser(app).get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert sentence in page and f'href="{public_url(consultation, held)}"' in page
    document = Browser(app).get(f"/consultations/{consultation.id}/feedback.docx")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(document.data)).paragraphs]
    assert sentence in paragraphs


def test_those_given_a_place_are_reminded_the_day_before_once(app, clock, client, consultation, office, submit):
    from portal.meetings.services import remind_attendees

    meeting = announce(submit, consultation)
    citizen = Browser(app)
    for phone, email in (("13800138000", "wang@example.cn"), ("13900139000", "li@example.cn"),
                         ("13700137000", "")):
        assert sign_up(citizen, consultation, meeting, phone=phone, email=email).status_code == 303
    url = office_url(consultation, meeting)
    for registration in db.session.scalars(select(MeetingRegistration)):
        if registration.email != "li@example.cn":  # li is not given a place
            client.post(url + "/decide", data={"csrf_token": csrf_token(client, url),
                                               "registration_id": str(registration.id), "decision": "accepted"})
    clock.set(shanghai(2023, 4, 27, 9, 0))  # 24.5 hours before
    assert remind_attendees() == 0
    clock.set(shanghai(2023, 4, 27, 10, 0))
    result = app.test_cli_runner().invoke(args=["meetings", "remind"])
    assert result.exit_code == 0 and result.output == "排队 1 封会议提醒邮件。\n"
    assert remind_attendees() == 0  # once
    reminder = meeting_mails()[-1]
    assert reminder.recipient == "wang@example.cn" and reminder.subject == "会议提醒：社区养老服务征求意见座谈会"
    assert "时间：2023年4月28日 09:30–11:30" in reminder.body_text and "市民政局三楼会议室" in reminder.body_text


def test_meeting_pages_are_in_the_sitemap_and_registrants_pages_are_not_indexed(app, client, consultation, office,
                                                                              submit):
    meeting = announce(submit, consultation)
    reader = Browser(app)
    assert f"{public_url(consultation, meeting)}</loc>" in reader.get("/sitemap.xml").get_data(as_text=True)
    assert "Disallow: /meetings/" in reader.get("/robots.txt").get_data(as_text=True)
    page = sign_up(reader, consultation, meeting).headers["Location"]
    assert reader.get(page).headers["X-Robots-Tag"] == "noindex, nofollow"


def test_the_archive_records_the_meetings_without_who_signed_up(app, client, clock, consultation, office, submit):
    import zipfile

    meeting = announce(submit, consultation)
    assert sign_up(Browser(app), consultation, meeting, email="wang@example.cn").status_code == 303
    clock.set(shanghai(2023, 4, 28, 12, 0))
    submit(office_url(consultation, meeting), office_url(consultation, meeting, "/minutes"), minutes="参会居民12人。")
    clock.set(shanghai(2023, 5, 13, 9, 0))
    token = csrf_token(client, f"/office/consultations/{consultation.id}/responses")
    archive = client.post(f"/office/consultations/{consultation.id}/archive.zip", data={"csrf_token": token})
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        rows = list(csv.reader(io.StringIO(zipped.read("4-记录/座谈会、听证会.csv").decode("utf-8-sig"))))
        everything = b"".join(zipped.read(name) for name in zipped.namelist() if name.endswith((".csv", ".txt")))
    assert rows[1] == ["座谈会", "社区养老服务征求意见座谈会", "2023-04-28 09:30:00", "2023-04-28 11:30:00",
                       "市民政局三楼会议室（某某路1号）", "20", "1", "0", "", "参会居民12人。"]
    assert all(secret.encode() not in everything for secret in ("138 0013 8000", "13800138000", "wang@example.cn"))


def test_the_sign_in_sheet_lists_those_given_a_place_with_rows_to_spare(app, client, consultation, office, submit):
    meeting = announce(submit, consultation)
    citizen = Browser(app)
    for name, phone in (("王大爷", "13800138000"), ("李阿姨", "13900139000")):
        assert sign_up(citizen, consultation, meeting, name=name, phone=phone, organisation="某某社区").status_code == 303
    sheet_url = office_url(consultation, meeting, "/sign-in-sheet")
    sheet = client.get(sheet_url).get_data(as_text=True)
    assert "签到表" in sheet and '<td lang="zh-CN">王大爷</td>' in sheet and '<td lang="zh-CN">李阿姨</td>' in sheet  # nobody chosen yet: all
    wang = db.session.scalar(select(MeetingRegistration).where(MeetingRegistration.name == "王大爷"))
    url = office_url(consultation, meeting)
    client.post(url + "/decide", data={"csrf_token": csrf_token(client, url), "registration_id": str(wang.id),
                                       "decision": "accepted"})
    sheet = client.get(sheet_url).get_data(as_text=True)
    assert '<td lang="zh-CN">王大爷</td><td lang="zh-CN">某某社区</td><td>13800138000</td>' in sheet and "李阿姨" not in sheet
    assert sheet.count("<tr><td>") == 1 + 10  # and ten blank rows for those who come without signing up
    assert Browser(app).get(sheet_url).status_code == 302  # staff only: to the login page


def test_the_meeting_page_leads_to_typing_in_what_was_said_there(app, client, clock, consultation, office, submit):
    meeting = announce(submit, consultation)
    clock.set(shanghai(2023, 4, 28, 12, 0))
    page = client.get(office_url(consultation, meeting)).get_data(as_text=True)
    link = f"/office/consultations/{consultation.id}/comments/new?meeting={meeting.id}"
    assert f'href="{link}"' in page
    form = client.get(link).get_data(as_text=True)
    assert '<option selected value="meeting">' in form and 'value="2023-04-28"' in form
    assert f'<option selected value="{meeting.id}">' in form  # the meeting chosen too
    recorded = submit(link, f"/office/consultations/{consultation.id}/comments/new", channel="meeting",
                      meeting_id=str(meeting.id), received_on="2023-04-28", section_id="0", stance="suggest",
                      body="会上，居民代表建议助餐点延长营业时间。", author_name="张三")
    assert recorded.status_code == 302, recorded.get_data(as_text=True)[:2000]
    assert db.session.scalar(select(Comment.meeting_id).where(Comment.body.like("会上%"))) == meeting.id
    assert "已录入会上收到的意见 1 条。" in client.get(office_url(consultation, meeting)).get_data(as_text=True)
    digest = client.get(f"/office/consultations/{consultation.id}/digest.csv").get_data(as_text=True)
    assert "座谈会等会议（社区养老服务征求意见座谈会）" in digest
    # a meeting names an opinion voiced at a meeting only
    wrong = submit(link, f"/office/consultations/{consultation.id}/comments/new", channel="letter",
                   meeting_id=str(meeting.id), received_on="2023-04-28", section_id="0", stance="suggest",
                   body="一封信。")
    assert wrong.status_code == 422 and "选择会议时，收到的方式请选" in wrong.get_data(as_text=True)


def test_followers_hear_of_a_meeting_they_may_sign_up_for(app, client, consultation, office, submit):
    from portal.citizens.models import ConsultationFollow
    from portal.citizens.services import account_for

    for email, language in (("fan@example.cn", "zh_CN"), ("reader@example.com", "en")):
        db.session.add(ConsultationFollow(citizen_id=account_for(email).id, consultation_id=consultation.id,
                                          language=language))
    db.session.commit()
    announce(submit, consultation, seats="")  # by invitation only: nothing to tell the public
    meeting = announce(submit, consultation, kind="hearing", title="收费标准听证会")
    mails = {m.recipient: render_queued(m) for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "followed"))}
    assert set(mails) == {"fan@example.cn", "reader@example.com"}
    chinese, english = mails["fan@example.cn"], mails["reader@example.com"]
    assert chinese.subject == f"召开听证会，欢迎报名：{consultation.title}"
    assert "收费标准听证会" in chinese.body_text and "名额 20 人" in chinese.body_text
    assert public_url(consultation, meeting) in chinese.body_text and public_url(consultation, meeting) in english.body_text
    assert english.subject.startswith("Hearing open to sign-up") and "20 places" in english.body_text
    assert "will hold a meeting (hearing)" in english.body_text


def test_the_dashboard_says_how_many_sign_ups_wait_for_a_decision(app, client, clock, consultation, office, submit):
    meeting = announce(submit, consultation)
    assert "等待确定是否参加" not in client.get("/office/").get_data(as_text=True)
    citizen = Browser(app)
    for phone in ("13800138000", "13900139000"):
        assert sign_up(citizen, consultation, meeting, phone=phone).status_code == 303
    assert "座谈会、听证会有 2 人报名，等待确定是否参加" in client.get("/office/").get_data(as_text=True)
    clock.set(shanghai(2023, 4, 28, 10, 0))  # held: nothing more to decide
    assert "等待确定是否参加" not in client.get("/office/").get_data(as_text=True)


def test_the_list_of_consultations_shows_the_meetings_to_come(app, client, clock, consultation, office, submit):
    meeting = announce(submit, consultation)
    later = announce(submit, consultation, title="第二次座谈会", start_date="2023-05-06", seats="")
    reader = Browser(app)
    page = reader.get("/consultations/").get_data(as_text=True)
    box = page.split('id="upcoming-meetings-h"')[1].split("</section>")[0]
    assert box.index("社区养老服务征求意见座谈会") < box.index("第二次座谈会")  # soonest first
    assert box.count("正在报名") == 1  # the second takes no sign-ups
    clock.set(shanghai(2023, 4, 28, 10, 0))  # the first has begun: only the second is still to come
    box = reader.get("/consultations/").get_data(as_text=True).split('id="upcoming-meetings-h"')[1]
    assert public_url(consultation, meeting) not in box and public_url(consultation, later) in box


def test_sign_ups_from_one_address_are_limited(app, client, consultation, office, submit):
    meeting = announce(submit, consultation)
    app.config["MEETING_SIGNUP_RATE_LIMIT"] = "2/hour"
    citizen = Browser(app)
    assert [sign_up(citizen, consultation, meeting, phone=phone).status_code
            for phone in ("13800138000", "13900139000")] == [303, 303]
    refused = sign_up(citizen, consultation, meeting, phone="13700137000")
    assert refused.status_code == 429 and "这台设备（或这个网络）报名的次数太多" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MeetingRegistration)) == 2


def test_the_printed_notice_names_the_next_meeting(app, client, clock, consultation, office, submit):
    announce(submit, consultation)
    announce(submit, consultation, title="第二次座谈会", start_date="2023-05-06", place="区政务服务中心")
    poster = Browser(app).get(f"/consultations/{consultation.id}/poster").get_data(as_text=True)
    assert "市民政局三楼会议室（某某路1号）</span>，欢迎报名" in poster and "区政务服务中心" not in poster  # one sheet
    clock.set(shanghai(2023, 4, 29, 9, 0))  # the first is over: the next one
    assert "区政务服务中心" in Browser(app).get(f"/consultations/{consultation.id}/poster").get_data(as_text=True)


def test_hostile_text_in_a_meeting_and_a_sign_up_is_shown_inert(app, client, consultation, office, submit):
    hostile = "<script>alert(1)</script>"
    meeting = announce(submit, consultation, title=f"座谈会{hostile}", place=f"会议室{hostile}",
                       description=f"说明{hostile}")
    citizen = Browser(app)
    assert sign_up(citizen, consultation, meeting, name="<img src=x onerror=alert(1)>",
                   organisation="=cmd|' /C calc'!A0", statement=f"意见{hostile}").status_code == 303
    pages = [citizen.get(public_url(consultation, meeting)), citizen.get(f"/consultations/{consultation.id}"),
             citizen.get("/consultations/"), client.get(office_url(consultation, meeting)),
             client.get(office_url(consultation, meeting, "/sign-in-sheet")), client.get(office_url(consultation))]
    for page in pages:
        text = page.get_data(as_text=True)
        assert hostile not in text and "<img src=x" not in text, page.request.path
        assert "&lt;script&gt;" in text, page.request.path
    listing = client.post(office_url(consultation, meeting, "/registrations.csv"),
                          data={"csrf_token": csrf_token(client, office_url(consultation, meeting))})
    row = list(csv.reader(io.StringIO(listing.get_data(as_text=True).lstrip("\ufeff"))))[1]
    assert row[4] == "'=cmd|' /C calc'!A0"  # a spreadsheet shows it as text


def test_the_office_signs_up_those_who_telephone(app, client, clock, consultation, office, submit):
    meeting = announce(submit, consultation, seats="")  # by invitation: no public sign-up, yet the office may
    url = office_url(consultation, meeting)
    done = submit(url, office_url(consultation, meeting, "/registrations"), name="赵大娘", phone="0527-84350000",
                  organisation="某某社区")
    assert done.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "已代为报名。" in page and "赵大娘" in page and "0527-84350000" in page
    again = submit(url, office_url(consultation, meeting, "/registrations"), name="赵大娘", phone="052784350000")
    assert again.status_code == 422 and "这个电话号码已经报名了这次会议" in again.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "register_for")) == "register_for"
    clock.set(shanghai(2023, 4, 28, 10, 0))
    late = submit(url, office_url(consultation, meeting, "/registrations"), name="钱大爷", phone="13600136000")
    assert late.status_code == 422 and "不能再报名" in late.get_data(as_text=True)


def test_first_come_first_served_gives_places_then_keeps_a_waiting_list_that_moves_up(app, client, consultation,
                                                                                      office, submit):
    meeting = announce(submit, consultation, seats="2", first_come="y")
    assert meeting.first_come is True
    citizen = Browser(app)
    assert "还有 2 个名额，报名即确定参加" in citizen.get(public_url(consultation, meeting)).get_data(as_text=True)
    first = sign_up(citizen, consultation, meeting, phone="13800138000")
    assert "已确定参加" in citizen.get(first.headers["Location"]).get_data(as_text=True)
    assert sign_up(citizen, consultation, meeting, phone="13900139000").status_code == 303

    # the places are taken: the next sign-ups (as many as there are places) go on the waiting list (候补)
    page = citizen.get(public_url(consultation, meeting)).get_data(as_text=True)
    assert "名额已经报满了。现在报名的，列入候补名单" in page and "候补名单还可以报 2 人。" in page and "报名候补</button>" in page
    assert "名额已满，可以报名候补" in citizen.get("/consultations/").get_data(as_text=True)  # the list's meetings
    waiting = sign_up(citizen, consultation, meeting, phone="13700137000", email="li@example.cn")
    assert waiting.status_code == 303
    own = citizen.get(waiting.headers["Location"]).get_data(as_text=True)
    assert "候补中" in own and "您排在候补第 1 位。" in own and "名额已满，您已列入候补名单" in own
    assert "取消报名</button>" in own
    second_waiting = sign_up(citizen, consultation, meeting, phone="13600136000", email="zhao@example.cn")
    assert "您排在候补第 2 位。" in citizen.get(second_waiting.headers["Location"]).get_data(as_text=True)
    full = sign_up(citizen, consultation, meeting, f"/consultations/{consultation.id}", phone="13500135000")
    assert full.status_code == 422 and "名额已经报满了" in full.get_data(as_text=True)
    assert "名额已满。" in citizen.get(public_url(consultation, meeting)).get_data(as_text=True)
    office_page = client.get(office_url(consultation)).get_data(as_text=True)
    assert "名额 2，报名 4，已确定 2，候补 2" in office_page
    assert "候补中（第 1 位）" in client.get(office_url(consultation, meeting)).get_data(as_text=True)
    sheet = client.get(office_url(consultation, meeting, "/sign-in-sheet")).get_data(as_text=True)
    waiting_part = sheet[sheet.index("候补名单"):]
    assert "13700137000" in waiting_part and "13600136000" in waiting_part and "13800138000" not in waiting_part

    # one withdraws: the first on the waiting list is given the place, mailed, audited; the second moves up
    page = first.headers["Location"]
    citizen.post(page, data={"csrf_token": csrf_token(citizen, page)})
    statuses = db.session.scalars(select(MeetingRegistration.status).order_by(MeetingRegistration.id)).all()
    assert statuses == ["withdrawn", "accepted", "accepted", "waiting"]
    assert "已确定参加" in citizen.get(waiting.headers["Location"]).get_data(as_text=True)
    assert "您排在候补第 1 位。" in citizen.get(second_waiting.headers["Location"]).get_data(as_text=True)
    (mail,) = meeting_mails()
    assert mail.recipient == "li@example.cn" and mail.subject == "请参加会议：社区养老服务征求意见座谈会"
    assert "已从候补递补为参加人员" in mail.body_text and "市民政局三楼会议室（某某路1号）" in mail.body_text
    assert db.session.scalar(select(AuditEntry.actor_label).where(AuditEntry.action == "promote_registration")) == "system"

    # the office declines one given a place: the next on the waiting list moves up too
    promoted = db.session.scalars(select(MeetingRegistration).order_by(MeetingRegistration.id)).all()[1]
    url = office_url(consultation, meeting)
    client.post(url + "/decide", data={"csrf_token": csrf_token(client, url), "registration_id": str(promoted.id),
                                       "decision": "declined"})
    statuses = db.session.scalars(select(MeetingRegistration.status).order_by(MeetingRegistration.id)).all()
    assert statuses == ["withdrawn", "declined", "accepted", "accepted"]
    db.session.expire_all()
    latest = render_queued(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first())
    assert latest.recipient == "zhao@example.cn" and "已从候补递补为参加人员" in latest.body_text
    # a place freed with nobody waiting: sign-up is open again, given at once
    assert "还有 0 个名额" not in citizen.get(public_url(consultation, meeting)).get_data(as_text=True)


def test_more_places_move_the_waiting_list_up_and_a_cancelled_meeting_tells_those_waiting(
        app, client, consultation, office, submit):
    meeting = announce(submit, consultation, seats="1", first_come="y")
    citizen = Browser(app)
    sign_up(citizen, consultation, meeting, phone="13800138000")
    sign_up(citizen, consultation, meeting, phone="13900139000", email="li@example.cn")
    assert [r.status for r in meeting.registrations] == ["accepted", "waiting"]
    db.session.commit()
    response = submit(office_url(consultation, meeting), **{**MEETING, "seats": "2", "first_come": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert [r.status for r in db.session.get(Meeting, meeting.id).registrations] == ["accepted", "accepted"]
    assert "已从候补递补" in meeting_mails()[-1].body_text

    sign_up(citizen, consultation, meeting, phone="13700137000", email="zhao@example.cn")
    assert [r.status for r in db.session.get(Meeting, meeting.id).registrations][-1] == "waiting"
    url = office_url(consultation, meeting)
    assert submit(url, office_url(consultation, meeting, "/cancel"), reason="场地临时不能使用。").status_code == 302
    cancelled = [m for m in meeting_mails() if m.recipient == "zhao@example.cn"]
    assert cancelled and cancelled[-1].subject.startswith("会议已取消")


def test_a_registrant_who_lost_the_link_looks_the_sign_up_up(app, client, consultation, office, submit):
    meeting = announce(submit, consultation)
    citizen = Browser(app)
    assert sign_up(citizen, consultation, meeting, phone="138 0013 8000").status_code == 303
    registration = db.session.scalars(select(MeetingRegistration)).one()
    url = office_url(consultation, meeting)
    client.post(url + "/decide", data={"csrf_token": csrf_token(client, url), "registration_id": str(registration.id),
                                       "decision": "accepted"})
    stranger = Browser(app)
    assert "已经报过名？查询是否安排您参加" in stranger.get(public_url(consultation, meeting)).get_data(as_text=True)
    token = csrf_token(stranger, "/meetings/lookup")
    found = stranger.post("/meetings/lookup", data={"csrf_token": token, "number": f" {registration.number} ",
                                                    "phone": "13800138000"})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and "已确定参加" in text and "138****8000" in text
    assert "取消报名</button>" not in text  # seeing it is not withdrawing it
    for number, phone in ((registration.number, "13900139000"), (f"{meeting.id}-9999", "13800138000"), ("abc", "1")):
        missed = stranger.post("/meetings/lookup", data={"csrf_token": token, "number": number, "phone": phone})
        assert missed.status_code == 404 and "没有找到" in missed.get_data(as_text=True)


def test_two_sign_ups_at_once_never_both_take_the_last_place(app, consultation, office, submit):
    """Two requests for the one place left, at the same moment, in two threads with sessions of their own: one is given
    the place, the other goes on the waiting list."""
    import threading

    from portal.meetings.services import MeetingError, register

    meeting_id = announce(submit, consultation, seats="1", first_come="y").id
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def sign(phone):
        with app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            meeting.registrations  # read before the other signs up: the stale view the lock must correct
            barrier.wait()
            try:
                registration, _secret = register(meeting, name="王", phone=phone, email=None, organisation=None,
                                                 statement=None, language="zh_CN")
                db.session.commit()
                outcomes.append("taken" if registration.status == "accepted" else registration.status)
            except MeetingError:
                db.session.rollback()
                outcomes.append("full")
            except Exception as error:  # SQLite: the second writer finds the database changed under it
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign, args=(phone,)) for phone in ("13800138000", "13900139000")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    accepted = db.session.scalar(select(func.count()).select_from(MeetingRegistration).where(
        MeetingRegistration.status == "accepted"))
    # the other is put on the waiting list (候补), never given the place too
    assert accepted == 1 and sorted(outcomes) == ["taken", "waiting"], outcomes


def test_a_publication_taken_back_tells_those_who_signed_up_and_keeps_their_page(app, client, clock, consultation,
                                                                                  office, submit):
    """Published to open later, announced with a meeting, signed up for, then taken back (withdraw: the wrong dates):
    the registrant is mailed, their page stays with a notice, the public meeting page is gone until republished."""
    from portal.mail.rendering import CannotRender, render

    clock.set(shanghai(2023, 4, 15, 9, 0))  # before the opening: the consultation is upcoming
    meeting = announce(submit, consultation)
    citizen = Browser(app)
    signed = sign_up(citizen, consultation, meeting, email="wang@example.cn")
    assert signed.status_code == 303
    page = signed.headers["Location"]
    withdraw = f"/office/consultations/{consultation.id}/withdraw"
    form = client.get(withdraw).get_data(as_text=True)
    assert "有 1 人报名了这次征求意见的会议" in form
    assert submit(withdraw, reason="开始时间填错了。").status_code == 302
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw")).one().after[
        "registrants_told"] == 1

    (mail,) = meeting_mails()
    assert mail.recipient == "wang@example.cn" and mail.subject.startswith("征求意见暂时撤回发布")
    assert "您的报名仍然有效" in mail.body_text and "会议详情" not in mail.body_text
    assert citizen.get(public_url(consultation, meeting)).status_code == 404
    own = citizen.get(page)
    assert own.status_code == 200 and "起草单位已暂时撤回这次征求意见的发布" in own.get_data(as_text=True)
    assert "取消报名</button>" in own.get_data(as_text=True)
    looked_up = citizen.post("/meetings/lookup", data={"csrf_token": csrf_token(citizen, "/meetings/lookup"),
                                                       "number": db.session.scalars(select(MeetingRegistration)).one()
                                                       .number, "phone": "138 0013 8000"})
    assert looked_up.status_code == 200 and "已确定参加" not in looked_up.get_data(as_text=True)

    # published again before the mail went: it is no longer so, and is not sent
    db.session.expire_all()
    consultation = db.session.get(type(consultation), consultation.id)
    consultation.published_at = clock.now()
    db.session.commit()
    queued = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "meeting")).one()
    with pytest.raises(CannotRender):
        render(queued)


def test_two_places_freed_at_once_move_the_waiting_list_up_once(app, consultation, office, submit):
    """Two registrants withdraw at the same moment (threads with sessions of their own) with one sign-up waiting: it is
    given a place once, mailed once, and no more places are given than there are."""
    import threading

    from portal.meetings.services import withdraw

    meeting_id = announce(submit, consultation, seats="2", first_come="y").id
    citizen = Browser(app)
    for phone, email in (("13800138000", None), ("13900139000", None), ("13700137000", "li@example.cn")):
        assert sign_up(citizen, consultation, db.session.get(Meeting, meeting_id), phone=phone,
                       email=email or "").status_code == 303
    db.session.expire_all()
    ids = [r.id for r in db.session.get(Meeting, meeting_id).registrations]
    assert [r.status for r in db.session.get(Meeting, meeting_id).registrations] == ["accepted", "accepted", "waiting"]
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def leave(registration_id):
        with app.app_context():
            registration = db.session.get(MeetingRegistration, registration_id)
            registration.meeting.registrations  # the stale view the lock must correct
            barrier.wait()
            try:
                withdraw(registration)
                db.session.commit()
                outcomes.append("withdrawn")
            except Exception as error:  # SQLite: the second writer may find the database changed under it
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=leave, args=(registration_id,)) for registration_id in ids[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    statuses = [r.status for r in db.session.get(Meeting, meeting_id).registrations]
    assert "withdrawn" in outcomes and statuses[2] == "accepted", (outcomes, statuses)
    assert statuses.count("accepted") <= 2
    promoted = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "promote_registration"))
    mails = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "meeting"))
    assert promoted == 1 and mails == 1, (outcomes, promoted, mails)


def test_a_place_given_and_then_the_meeting_cancelled_sends_only_the_cancellation(app, client, consultation, office,
                                                                                  submit, smtp_server):
    meeting = announce(submit, consultation)
    assert sign_up(Browser(app), consultation, meeting, email="wang@example.cn").status_code == 303
    registration = db.session.scalar(select(MeetingRegistration))
    url = office_url(consultation, meeting)
    client.post(url + "/decide", data={"csrf_token": csrf_token(client, url), "registration_id": str(registration.id),
                                       "decision": "accepted"})
    assert submit(url, office_url(consultation, meeting, "/cancel"), reason="会议室维修。").status_code == 302
    deliver_due()  # the worker runs after both: 请参加会议 (time, place, come early) is no longer so
    subjects = [m["Subject"] for _to, m in smtp_server.received]
    assert len(subjects) == 1 and subjects[0].startswith("会议已取消"), subjects


def test_no_longer_first_come_the_waiting_list_goes_back_to_the_office(app, client, consultation, office, submit):
    """Unticking 先报先得 left those waiting told they would move up in turn, and nobody moved them up."""
    meeting = announce(submit, consultation, seats="1", first_come="y")
    citizen = Browser(app)
    sign_up(citizen, consultation, meeting, phone="13800138000")
    sign_up(citizen, consultation, meeting, phone="13900139000")
    assert [r.status for r in meeting.registrations] == ["accepted", "waiting"]
    db.session.commit()
    assert submit(office_url(consultation, meeting), **{**MEETING, "seats": "1"}).status_code == 302
    db.session.expire_all()
    assert [r.status for r in db.session.get(Meeting, meeting.id).registrations] == ["accepted", "applied"]
    page = client.get(office_url(consultation, meeting)).get_data(as_text=True)
    assert "已报名，等待确定" in page


def test_a_meeting_before_the_opening_is_refused(client, clock, import_seed, office, submit):
    """What is said at a meeting is recorded as opinions received within the period: before the opening it could not
    be (the office's form refuses such opinions)."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003", opens=shanghai(2023, 4, 27, 9, 0), deadline=shanghai(2023, 5, 31, 23, 59, 59))
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    early = submit(office_url(consultation), **{**MEETING, "start_date": "2023-04-26", "signup_date": "2023-04-25"})
    assert early.status_code == 422 and "会议要安排在征求意见开始以后" in early.get_data(as_text=True)
    assert submit(office_url(consultation), **MEETING).status_code == 302  # the 28th: within the period


def test_a_hearing_announced_with_the_proposed_name_is_named_a_hearing(client, consultation, office, submit):
    form = client.get(office_url(consultation)).get_data(as_text=True)
    proposed = re.search(r'name="title"[^>]*value="([^"]+)"', form).group(1)
    assert proposed.endswith("征求意见座谈会")
    hearing = announce(submit, consultation, kind="hearing", title=proposed)
    assert hearing.title == proposed.removesuffix("座谈会") + "听证会"
    # a name the office wrote itself is kept as written, whatever the kind
    panel = announce(submit, consultation, kind="panel", title="养老服务收费标准座谈会（专家）")
    assert panel.title == "养老服务收费标准座谈会（专家）"
    # and changing a meeting's kind later keeps its name
    response = submit(office_url(consultation, hearing), **{**MEETING, "kind": "panel", "title": hearing.title})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, hearing.id).title.endswith("听证会")
