"""关注: a signed-in citizen follows a consultation from its page and hears by mail (real SMTP server on loopback),
in the language they followed it in, when its deadline is extended, a revised draft is put out or the office
publishes its responses; once each; not after unfollowing or deleting the account."""
import re
from email.header import decode_header, make_header

from sqlalchemy import func, select, update

from portal.citizens.models import ConsultationFollow
from portal.comments.services import submit_comment
from portal.extensions import db
from portal.mail.worker import deliver_due
from portal.office.services import extend_deadline, revise_draft
from portal.responses.models import Response
from portal.responses.services import publish_responses, respond_to_comments
from tests.citizens.test_sign_in import ADDRESS, BASE, link_in_mail, sign_in
from tests.helpers import csrf_token, shanghai


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def news(smtp_server, email=ADDRESS) -> list:
    return [m for m in smtp_server.to(email) if subject_of(m).startswith((
        "截止时间延长", "草案已修订", "起草单位公布了答复", "即将截止", "已正式印发", "Deadline extended", "Draft revised",
        "Responses published", "Closing soon", "Issued"))]


def press(client, page_url: str, button_action: str):
    """Press the follow or unfollow button found on ``page_url``."""
    page = client.get(page_url).get_data(as_text=True)
    assert f'action="{button_action}"' in page, button_action
    return client.post(button_action, data={"csrf_token": csrf_token(client, page_url)})


def follow_it(client, smtp_server, consultation, email=ADDRESS):
    sign_in(client, smtp_server, email)
    page = f"/consultations/{consultation.id}"
    response = press(client, page, f"/account/follow/{consultation.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{page}#follow")
    assert "您已关注这项征求意见" in client.get(page).get_data(as_text=True)


def test_a_follower_hears_of_the_extension_the_revision_and_the_responses(app, client, clock, open_003, smtp_server,
                                                                          seed_path, make_user):
    office = make_user("office", "office@mz.gov.cn", "市民政局")
    follow_it(client, smtp_server, open_003)
    assert open_003.title in client.get("/account/settings").get_data(as_text=True)

    clock.set(shanghai(2023, 5, 10, 15, 0))
    extend_deadline(open_003, office, shanghai(2023, 5, 31, 23, 59, 59), "应社会各界要求，延长征求意见时间")
    db.session.commit()
    deliver_due()
    (extended,) = news(smtp_server)
    text = extended.get_body(("plain",)).get_content()
    assert subject_of(extended) == f"截止时间延长：{open_003.title}"
    assert "征求意见截止时间延长至 2023年5月31日 23:59" in text and "应社会各界要求" in text
    assert f"{BASE}/consultations/{open_003.id}" in text
    assert extended["List-Unsubscribe"].startswith(f"<{BASE}/mail/unsubscribe/")

    path = seed_path("003")
    revise_draft(open_003, office, path.read_bytes().replace("养老".encode(), "助老".encode(), 1), path.name,
                 "改了第一处用词。", 5 * 1024 * 1024)
    db.session.commit()
    deliver_due()
    revised = news(smtp_server)[-1]
    text = revised.get_body(("plain",)).get_content()
    assert subject_of(revised) == f"草案已修订：{open_003.title}"
    assert "第2版" in text and "改了第一处用词。" in text and f"/consultations/{open_003.id}/versions/2/changes" in text

    comment = submit_comment(open_003, "建议增加社区食堂。")
    clock.set(shanghai(2023, 6, 2, 9, 0))
    respond_to_comments(open_003, [comment], "adopted", "已采纳。", office)
    publish_responses(open_003, office)
    db.session.commit()
    deliver_due()
    answered = news(smtp_server)[-1]
    assert subject_of(answered) == f"起草单位公布了答复：{open_003.title}"
    assert f"{BASE}/consultations/{open_003.id}/feedback" in answered.get_body(("plain",)).get_content()
    assert len(news(smtp_server)) == 3

    # the same day, a second round of responses: no second mail
    clock.set(shanghai(2023, 6, 2, 16, 0))
    db.session.execute(update(Response).values(published_at=None))  # taken back, corrected, published again
    publish_responses(open_003, office)
    db.session.commit()
    deliver_due()
    assert len(news(smtp_server)) == 3


def test_english_for_one_who_followed_in_english(app, client, clock, open_003, smtp_server, make_user):
    office = make_user("office", "office@mz.gov.cn", "市民政局")
    client.get("/settings/language/en")
    follow_it_en = sign_in(client, smtp_server)
    assert follow_it_en.status_code == 303
    press(client, f"/consultations/{open_003.id}", f"/account/follow/{open_003.id}")
    extend_deadline(open_003, office, shanghai(2023, 5, 31, 23, 59, 59), "More time was asked for.")
    db.session.commit()
    deliver_due()
    (mail,) = news(smtp_server)
    assert subject_of(mail) == f"Deadline extended: {open_003.title}"
    assert "Its deadline has been extended to" in mail.get_body(("plain",)).get_content()


def test_no_mail_after_unfollowing_or_deleting_the_account(app, client, clock, open_003, smtp_server, make_user):
    office = make_user("office", "office@mz.gov.cn", "市民政局")
    follow_it(client, smtp_server, open_003)
    page = f"/consultations/{open_003.id}"
    assert press(client, page, f"/account/unfollow/{open_003.id}").status_code == 303
    assert "关注这项征求意见" in client.get(page).get_data(as_text=True)
    extend_deadline(open_003, office, shanghai(2023, 5, 20, 23, 59, 59), "延长一周。")
    db.session.commit()
    deliver_due()
    assert news(smtp_server) == []

    # following again, then the follow is taken back before the worker sends: nothing is sent
    press(client, page, f"/account/follow/{open_003.id}")
    extend_deadline(open_003, office, shanghai(2023, 5, 25, 23, 59, 59), "再延长。")
    db.session.commit()
    settings = client.get("/account/settings").get_data(as_text=True)
    assert open_003.title in settings
    response = client.post(f"/account/unfollow/{open_003.id}",
                           data={"csrf_token": csrf_token(client, "/account/settings"), "back": "settings"})
    assert response.headers["Location"].endswith("/account/settings")
    deliver_due()
    assert news(smtp_server) == []

    press(client, page, f"/account/follow/{open_003.id}")
    client.post("/account/delete", data={"csrf_token": csrf_token(client, "/account/delete")})
    assert db.session.scalar(select(func.count()).select_from(ConsultationFollow)) == 0


def test_following_needs_an_account_and_a_form_token(app, client, open_003):
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/account/sign-in\?next=[^"]+&amp;follow=\d+" class="follow-by-email"',
                     page)
    refused = client.post(f"/account/follow/{open_003.id}", data={"csrf_token": csrf_token(client, "/account/sign-in")})
    assert refused.status_code == 303 and "/account/sign-in" in refused.headers["Location"]
    assert client.post(f"/account/follow/{open_003.id}").status_code == 400  # no CSRF token
    assert client.post("/account/follow/999999", data={"csrf_token": csrf_token(client, "/account/sign-in")}
                       ).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ConsultationFollow)) == 0


def test_an_unsubscribed_address_is_not_mailed_though_it_still_follows(app, client, clock, open_003, smtp_server,
                                                                       make_user):
    from portal.mail.models import OutboxMessage
    from portal.mail.services import unsubscribe_address

    office = make_user("office", "office@mz.gov.cn", "市民政局")
    follow_it(client, smtp_server, open_003)
    unsubscribe_address(ADDRESS)
    extend_deadline(open_003, office, shanghai(2023, 5, 31, 23, 59, 59), "延长。")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "followed")) == 0
    assert db.session.scalar(select(func.count()).select_from(ConsultationFollow)) == 1


def test_followers_are_reminded_once_three_days_before_the_deadline_and_again_after_an_extension(
        app, client, clock, open_003, smtp_server, make_user):
    office = make_user("office", "office@mz.gov.cn", "市民政局")
    follow_it(client, smtp_server, open_003)
    close_due = app.test_cli_runner()

    clock.set(shanghai(2023, 5, 8, 9, 0))  # the deadline (5月12日 23:59) is 4 days away: not yet
    assert "已提醒关注者" not in close_due.invoke(args=["consultations", "close-due"]).output
    clock.set(shanghai(2023, 5, 10, 9, 0))
    result = close_due.invoke(args=["consultations", "close-due"])
    assert result.exception is None, repr(result.exception)
    output = result.output
    assert f"已提醒关注者：第 {open_003.id} 号" in output
    assert "已提醒关注者" not in close_due.invoke(args=["consultations", "close-due"]).output  # once
    deliver_due()
    (reminder,) = news(smtp_server)
    assert subject_of(reminder) == f"即将截止：{open_003.title}"
    assert "征求意见将于 2023年5月12日 23:59 截止（还有 2 天）" in reminder.get_body(("plain",)).get_content()

    extend_deadline(open_003, office, shanghai(2023, 5, 31, 23, 59, 59), "延长。")
    db.session.commit()
    clock.set(shanghai(2023, 5, 30, 9, 0))
    assert f"已提醒关注者：第 {open_003.id} 号" in close_due.invoke(args=["consultations", "close-due"]).output
    deliver_due()
    assert [subject_of(m).split("：")[0] for m in news(smtp_server)] == ["即将截止", "截止时间延长", "即将截止"]


def test_a_reminder_is_not_sent_once_the_deadline_moved_away(app, client, clock, open_003, smtp_server, make_user):
    from portal.mail.models import OutboxMessage

    office = make_user("office", "office@mz.gov.cn", "市民政局")
    follow_it(client, smtp_server, open_003)
    clock.set(shanghai(2023, 5, 10, 9, 0))
    app.test_cli_runner().invoke(args=["consultations", "close-due"])
    extend_deadline(open_003, office, shanghai(2023, 6, 30, 23, 59, 59), "延长。")  # before the worker sends
    db.session.commit()
    deliver_due()
    assert [subject_of(m).split("：")[0] for m in news(smtp_server)] == ["截止时间延长"]
    reminder = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like("followed:closing_soon:%"))).one()
    assert reminder.status == "failed" and "不再提醒" in reminder.last_error


def test_one_without_an_account_follows_with_the_mails_link(app, client, open_003, smtp_server):
    """The follow box takes an e-mail address: the sign-in mail's link signs in and follows in one click."""
    page_url = f"/consultations/{open_003.id}"
    page = client.get(page_url).get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)" class="follow-by-email"', page).group(1)
    action = action.replace("&amp;", "&")
    asked = client.post(action, data={"csrf_token": csrf_token(client, page_url), "email": ADDRESS,
                                      "next": page_url, "follow": str(open_003.id)})
    assert asked.status_code == 303 and asked.headers["Location"].endswith("/account/sign-in/sent")
    assert db.session.scalar(select(func.count()).select_from(ConsultationFollow)) == 0  # not before the link
    deliver_due()
    link = link_in_mail(smtp_server)
    confirm = client.get(link).get_data(as_text=True)
    assert f"登录的同时，关注“{open_003.title}”。" in confirm
    done = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert done.status_code == 303 and done.headers["Location"].endswith(page_url)
    assert "您已关注这项征求意见" in client.get(page_url).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ConsultationFollow)) == 1


def test_a_follow_request_for_no_public_consultation_follows_nothing(app, client, open_003, smtp_server):
    url = "/account/sign-in?follow=999999"
    page = client.get(url).get_data(as_text=True)
    assert 'id="following"' not in page
    client.post(url, data={"csrf_token": csrf_token(client, url), "email": ADDRESS, "follow": "999999"})
    deliver_due()
    link = link_in_mail(smtp_server)
    assert 'id="following"' not in client.get(link).get_data(as_text=True)
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ConsultationFollow)) == 0


def test_a_follower_hears_once_that_the_policy_was_issued(app, client, clock, open_003, smtp_server, make_user):
    from datetime import date

    from portal.office.services import publish_final_document
    from tests.helpers import docx_of

    office = make_user("office", "office@mz.gov.cn", "市民政局")
    follow_it(client, smtp_server, open_003)
    clock.set(shanghai(2023, 6, 20, 9, 0))
    lines = ["某某方案", "一、总体要求", "到2025年建成。", "二、附则", "自印发之日起施行。"]
    publish_final_document(open_003, office, data=docx_of(lines), filename="正式文件.docx", title=None,
                           document_number="宿民发〔2023〕12号", issued_on=date(2023, 6, 15),
                           note="采纳了关于助餐点的意见。", max_bytes=5 * 1024 * 1024)
    db.session.commit()
    deliver_due()
    (issued,) = news(smtp_server)
    text = issued.get_body(("plain",)).get_content()
    assert subject_of(issued) == f"已正式印发：{open_003.title}"
    assert "这份草案已于 2023年6月15日 正式印发" in text and "宿民发〔2023〕12号" in text
    assert "采纳了关于助餐点的意见。" in text and f"{BASE}/consultations/{open_003.id}/final" in text
    publish_final_document(open_003, office, data=None, filename=None, title="某某方案（修订）", document_number=None,
                           issued_on=date(2023, 6, 16), note=None, max_bytes=5 * 1024 * 1024)  # a correction
    db.session.commit()
    deliver_due()
    assert len(news(smtp_server)) == 1  # told once
