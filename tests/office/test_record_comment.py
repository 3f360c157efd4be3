"""Opinions that reach the office by e-mail, letter, fax, telephone or in person are typed in by the office and
then count, are moderated, routed, digested and shown like those sent through the portal."""
import csv
import io
import re
import zipfile

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.comments.services import approve_comment
from portal.consultations.services import close_due_consultations
from portal.extensions import db
from portal.mail.models import OutboxMessage
from tests.helpers import render_queued
from tests.helpers import post_comment, route_new_comments, shanghai


def form_url(consultation) -> str:
    return f"/office/consultations/{consultation.id}/comments/new"


def a_section(consultation):
    return consultation.current_draft.sections[1]


def comments() -> list[Comment]:
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def test_a_letter_sent_before_the_deadline_and_typed_in_after_it_is_counted(client, clock, consultation, office,
                                                                            submit):
    post_comment(client, consultation, f"/consultations/{consultation.id}", body="网上提交的意见。")
    clock.set(shanghai(2023, 5, 15, 10, 0))
    (finalised,) = close_due_consultations(notify=False)
    db.session.commit()
    assert "反馈意见1条" in finalised.closing_summary

    section = a_section(consultation)
    response = submit(form_url(consultation), channel="letter", received_on="2023-05-11", section_id=str(section.id),
                      stance="oppose", body="建议删去这一条。\n理由如下：……", author_name="某某社区居民委员会",
                      author_contact="某市某区某路1号")
    assert response.status_code == 302
    number = re.search(r"recorded=([A-Z0-9-]+)", response.headers["Location"]).group(1)

    letter = comments()[-1]
    assert (letter.receipt_number, letter.channel, letter.section_id, letter.stance) == (number, "letter", section.id,
                                                                                         "oppose")
    assert letter.created_at == shanghai(2023, 5, 11, 12, 0)  # the postmark's day, within the period
    assert letter.status == "pending" and letter.author_contact == "某市某区某路1号"
    db.session.refresh(consultation)
    assert "反馈意见2条" in consultation.closing_summary  # the stored summary was written again

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"已录入，回执号 {number}。" in page
    assert "信函" in page and "某某社区居民委员会" in page  # listed under the form: a letter typed twice shows
    # the next of a pile of letters: the form keeps the way and the day
    assert '<option selected value="letter">' in page and 'value="2023-05-11"' in page

    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "record_comment")).one()
    assert entry.actor_id == office.id and entry.target_id == letter.id
    assert entry.after == {"receipt_number": number, "channel": "letter", "received_on": "2023-05-11",
                           "section_id": section.id, "attachments": []}

    download = client.get(f"/office/consultations/{consultation.id}/digest.csv").get_data().decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(download)))
    channel_of = {row[header.index("回执号")]: row[header.index("收到方式")] for row in rows}
    assert channel_of[number] == "信函"
    assert channel_of[comments()[0].receipt_number] == "网上提交"
    # the Word digest has no column for it: the sender's cell says how a letter came, an online one says nothing
    docx = client.get(f"/office/consultations/{consultation.id}/digest.docx").get_data()
    document = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode("utf-8")
    assert "某某社区居民委员会（信函）" in document and "（网上提交）" not in document

def test_dates_outside_the_period_and_bad_fields_are_refused_and_nothing_is_stored(client, clock, consultation,
                                                                                    import_seed, submit):
    clock.set(shanghai(2023, 5, 20, 10, 0))
    url = form_url(consultation)
    good = dict(channel="email", received_on="2023-05-02", section_id="0", stance="suggest", body="意见。")
    refusals = [
        (dict(received_on="2023-05-13"), "收到日期晚于截止日期（2023年5月12日）：截止以后收到的意见不能计入。"),
        (dict(received_on="2023-04-19"), "收到日期早于征求意见开始的日期（2023年4月20日）。"),
        (dict(received_on="2023-05-21"), "收到日期不能晚于今天。"),
        (dict(received_on="五月二日"), "不是有效的日期值。"),  # WTForms' own message, in Chinese
        (dict(body="  "), "请填写意见内容。"),
        (dict(channel="web"), "请选择收到的方式。"),
        (dict(stance="maybe"), "请选择态度：赞成、反对或建议。"),
        (dict(author_contact="x" * 201), "联系方式不能超过 200 个字。"),
    ]
    other = import_seed("002", publish=False)
    refusals.append((dict(section_id=str(other.current_draft.sections[0].id)), "请从列表中选择章节。"))
    for change, message in refusals:
        response = submit(url, **{**good, **change})
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert comments() == []
    assert submit(url, **good).status_code == 302
    assert len(comments()) == 1

    # a deadline at 00:00 on 5月13日 ends with 5月12日: a letter received on the 13th came too late
    consultation.deadline = shanghai(2023, 5, 13, 0, 0)
    db.session.commit()
    late = submit(url, **{**good, "received_on": "2023-05-13"})
    assert late.status_code == 422 and "收到日期晚于截止日期（2023年5月12日）" in late.get_data(as_text=True)
    assert submit(url, **{**good, "received_on": "2023-05-12"}).status_code == 302


def test_with_a_time_the_moment_is_checked_and_with_a_day_alone_the_day(client, clock, consultation, submit):
    """The form compared days only: a telephone call taken at 17:00 on the deadline's day, the deadline at 12:00, was
    counted, and one before the opening hour on the opening day. A time given is checked as a moment; a day alone
    (a postmark's) counts when any of it is within the period."""
    consultation.deadline = shanghai(2023, 5, 12, 12, 0)  # opens 2023-04-20 09:00
    db.session.commit()
    clock.set(shanghai(2023, 5, 20, 10, 0))
    url = form_url(consultation)
    page = client.get(url).get_data(as_text=True)
    assert "收到时刻（可不填）" in page and "按时刻核对是否在征求意见的开始时间和截止时间之间" in page  # says what it checks
    good = dict(channel="phone", section_id="0", stance="suggest", body="电话里提出的意见。")
    refusals = [
        (dict(received_on="2023-05-12", received_time="17:00"), "收到的时间晚于截止时间（2023年5月12日 12:00）"),
        (dict(received_on="2023-05-12", received_time="12:01"), "收到的时间晚于截止时间（2023年5月12日 12:00）"),
        (dict(received_on="2023-04-20", received_time="08:30"), "收到的时间早于征求意见开始的时间（2023年4月20日 09:00）"),
        (dict(received_on="2023-05-12", received_time="25:00"), "不是有效的时间值。"),
    ]
    for change, message in refusals:
        response = submit(url, **good, **change)
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert comments() == []

    accepted = [
        (dict(received_on="2023-05-12", received_time="11:40"), shanghai(2023, 5, 12, 11, 40)),
        (dict(received_on="2023-05-12", received_time="12:00"), shanghai(2023, 5, 12, 12, 0)),  # the deadline's minute
        (dict(received_on="2023-04-20", received_time="09:00"), shanghai(2023, 4, 20, 9, 0)),
        (dict(received_on="2023-05-12", received_time=""), shanghai(2023, 5, 12, 12, 0)),  # a postmark: the day
        (dict(received_on="2023-04-20"), shanghai(2023, 4, 20, 12, 0)),
    ]
    for change, stored_at in accepted:
        assert submit(url, **good, **change).status_code == 302, change
        assert comments()[-1].created_at == stored_at, change
    audited = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "record_comment")
                                 .order_by(AuditEntry.id)).all()
    assert audited[0].after["received_at"] == "2023-05-12T11:40:00+08:00"  # the moment the office gave
    assert "received_at" not in audited[3].after and audited[3].after["received_on"] == "2023-05-12"

    clock.set(shanghai(2023, 5, 2, 10, 0))  # while open: not a time later than now
    response = submit(url, **good, received_on="2023-05-02", received_time="15:00")
    assert response.status_code == 422 and "收到时刻不能晚于现在。" in response.get_data(as_text=True)
    assert submit(url, **good, received_on="2023-05-02", received_time="09:30").status_code == 302
    assert comments()[-1].created_at == shanghai(2023, 5, 2, 9, 30)


def test_a_consultation_not_yet_published_takes_no_opinions(client, office, small_consultation, submit):
    consultation = small_consultation(office.unit)
    response = submit(form_url(consultation), channel="email", received_on="2023-05-02", section_id="0",
                      stance="suggest", body="意见。")
    assert response.status_code == 422
    assert "这项征求意见还没有发布，不能录入意见。" in response.get_data(as_text=True)
    assert comments() == []


def test_refusals_are_in_english_for_an_english_reader(client, clock, consultation, submit):
    client.get("/settings/language/en")
    clock.set(shanghai(2023, 5, 20, 10, 0))
    response = submit(form_url(consultation), channel="letter", received_on="2023-05-13", section_id="0",
                      stance="suggest", body="Opinion.")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "after the deadline" in page and "截止" not in page.split("<main", 1)[1].split("</form>", 1)[0]


def test_an_approved_letter_shows_how_it_came_but_never_the_address(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 2, 10, 0))
    section = a_section(consultation)
    submit(form_url(consultation), channel="email", received_on="2023-05-02", section_id=str(section.id),
           stance="support", body="赞成这一条。", author_name="张大爷", author_contact="zhang@example.cn")
    approve_comment(comments()[-1])
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/sections/{section.anchor}").get_data(as_text=True)
    assert "赞成这一条。" in page and "张大爷" in page and "收到方式：电子邮件" in page
    assert "zhang@example.cn" not in page
    assert "收到方式：网上提交" not in page  # the usual way is not labelled


def test_a_typed_in_opinion_is_routed_and_its_writer_gets_a_receipt_request(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 2, 10, 0))
    submit(form_url(consultation), channel="email", received_on="2023-05-02", section_id="0",
           stance="suggest", body="建议增加社区食堂。", author_contact="li@example.cn")
    assert route_new_comments() == 1
    kinds = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.kind)).all())
    assert kinds == {"contact@example.gov.cn": "comment", "li@example.cn": "confirm"}
    to_contact = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "comment")).one()
    render_queued(to_contact)
    assert "收到方式：电子邮件（起草单位录入）" in to_contact.body_text
    assert "<th align=\"left\">收到方式</th><td>电子邮件（起草单位录入）</td>" in to_contact.body_html


def test_the_moderation_queue_says_how_it_came(client, clock, consultation, submit, make_staff, login):
    clock.set(shanghai(2023, 5, 2, 10, 0))
    submit(form_url(consultation), channel="phone", received_on="2023-05-02", section_id="0",
           stance="suggest", body="电话里提出的意见。")
    make_staff("moderator", "moderator@example.gov.cn")
    login("moderator@example.gov.cn")
    page = client.get("/moderation").get_data(as_text=True)
    assert "电话里提出的意见。" in page and "收到方式：电话" in page
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.channel == "web")) == 0


def test_the_statistics_say_how_comments_came_once_any_came_another_way(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 2, 10, 0))
    post_comment(client, consultation, f"/consultations/{consultation.id}", body="网上提交的意见。")
    page = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    assert "收到意见的方式" not in page  # all online: nothing to tell
    for channel in ("letter", "letter", "fax"):
        submit(form_url(consultation), channel=channel, received_on="2023-05-02", section_id="0", stance="suggest",
               body=f"{channel}意见。")
    page = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    table = page.split('id="stat-channels-h"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="number">(\d+)</td>', table)
    assert rows == [("网上提交", "1"), ("信函", "2"), ("传真", "1")]
    assert "截至目前共收到 4 条意见" in page
    assert re.search(r"<title>意见统计 · [^<]+</title>", page)  # the table is in the page, not in its title


SCAN = b"%PDF-1.7\n% a scanned letter\n%%EOF\n"


def test_a_letter_typed_in_keeps_its_scan_which_only_staff_download(client, consultation, office, submit):
    from portal.comments.models import CommentAttachment

    response = submit(form_url(consultation), channel="letter", received_on="2023-04-20", section_id="0",
                      stance="suggest", body="意见见来信。", author_name="某某协会", attachments=(SCAN, "来信扫描件.pdf"))
    assert response.status_code == 302, re.findall(r'field-error[^>]*>([^<]*)', response.get_data(as_text=True))
    (scan,) = db.session.scalars(select(CommentAttachment)).all()
    letter = comments()[-1]
    assert (scan.comment_id, scan.filename, scan.content_type) == (letter.id, "来信扫描件.pdf", "application/pdf")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "record_comment")).one()
    assert entry.after["attachments"] == ["来信扫描件.pdf"]

    answers = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    url = f"/office/consultations/{consultation.id}/attachments/{scan.id}"
    assert f'href="{url}"' in answers and "来信扫描件.pdf" in answers
    assert client.get(url).data == SCAN

    refused = submit(form_url(consultation), channel="fax", received_on="2023-04-20", section_id="0",
                     stance="suggest", body="第二封。", attachments=(b"MZ\x90\x00", "传真.pdf"))
    assert refused.status_code == 422 and "附件“传真.pdf”不是可以接收的文件" in refused.get_data(as_text=True)
    assert len(comments()) == 1 and db.session.scalar(select(func.count()).select_from(CommentAttachment)) == 1


def test_an_attachment_refused_on_an_english_page_names_its_file_marked_as_chinese(client, consultation, submit):
    """The attachment's refusal reaches the office's form as raised: its file's Chinese name is marked (str() of it
    had left the name unmarked on an English page)."""
    from portal.comments.models import CommentAttachment

    client.get("/settings/language/en")
    refused = submit(form_url(consultation), channel="fax", received_on="2023-04-20", section_id="0",
                     stance="suggest", body="By fax.", attachments=(b"MZ\x90\x00", "传真.pdf"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'The attachment “<span lang="zh-CN">传真.pdf</span>” is not a file we can accept.' in page
    assert comments() == [] and db.session.scalar(select(func.count()).select_from(CommentAttachment)) == 0


def test_a_letter_quoting_the_draft_keeps_its_quotation_and_a_wrong_one_is_refused(client, clock, consultation, office,
                                                                                  submit):
    clock.set(shanghai(2023, 5, 1, 10, 0))
    section = consultation.current_draft.sections[0]
    words = section.lines[0][:15]
    fields = dict(channel="letter", received_on="2023-04-25", section_id=str(section.id), stance="oppose",
                  body="来信认为这句话不妥。")
    refused = submit(form_url(consultation), quote="本条由火星政府负责解释", **fields)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "在草案原文中找不到“针对的原文”" in page and comments() == []
    assert "本条由火星政府负责解释" in page and "来信认为这句话不妥。" in page  # nothing typed is lost

    assert submit(form_url(consultation), quote=f" {words} ", **fields).status_code == 302
    (letter,) = comments()
    assert (letter.quote, letter.channel) == (words, "letter")


def test_a_letter_from_an_organisation_is_recorded_as_its_opinion(client, clock, consultation, submit):
    clock.set(shanghai(2023, 5, 2, 10, 0))
    page = client.get(form_url(consultation)).get_data(as_text=True)
    assert 'name="organisation"' in page and 'name="organisation_kind"' in page
    response = submit(form_url(consultation), channel="letter", received_on="2023-05-02", section_id="0",
                      stance="suggest", body="建议增加护理补贴。", author_name="赵六",
                      organisation="某某护理院（盖章）", organisation_kind="social")
    assert response.status_code == 302, re.findall(r'field-error[^<]*<', response.get_data(as_text=True))
    # a letter signed by the organisation alone: its name typed as the sender
    response = submit(form_url(consultation), channel="fax", received_on="2023-05-02", section_id="0",
                      stance="suggest", body="建议二。", author_name="某某市养老服务行业协会")
    assert response.status_code == 302
    first, second = comments()
    assert (first.author_name, first.organisation, first.organisation_kind) == ("赵六", "某某护理院", "social")
    assert (second.author_name, second.organisation, second.organisation_kind) == (
        None, "某某市养老服务行业协会", "association")
    listed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<strong lang="zh-CN">某某护理院</strong><span lang="zh-CN">（赵六）</span>' in listed

    refused = submit(form_url(consultation), channel="letter", received_on="2023-05-02", section_id="0",
                     stance="suggest", body="建议三。", organisation="某" * 101)
    assert refused.status_code == 422 and "单位名称不能超过 100 个字。" in refused.get_data(as_text=True)
    assert len(comments()) == 2
