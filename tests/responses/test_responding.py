"""The office answers comments (one, or many at once), drafts while open, publishes after closing."""
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.responses.models import Response
from tests.helpers import csrf_token, shanghai


def responses_url(consultation):
    return f"/office/consultations/{consultation.id}/responses"


def bulk(client, consultation, ids, outcome, reason):
    token = csrf_token(client, responses_url(consultation))
    return client.post(responses_url(consultation), data={
        "csrf_token": token, "comment_ids": [str(i) for i in ids], "outcome": outcome, "reason": reason,
    })


def test_office_answers_many_at_once_and_one_alone(app, client, login, office_consultation):
    consultation, comments = office_consultation
    login("office@example.gov.cn")
    page = client.get(responses_url(consultation)).get_data(as_text=True)
    assert "建议明确养老服务中心的建设标准。" in page and "社区食堂要多开几家。" in page
    assert "广告广告" not in page  # spam is not answered
    assert page.index("一、目标要求") < page.index("(一)老年友好社会创建提升行动") < page.index("对草案整体的意见")

    response = bulk(client, consultation, [comments["goals"].id, comments["whole"].id], "adopted", "已在第一部分补充。")
    assert response.status_code == 302
    stored = db.session.scalars(select(Response).order_by(Response.comment_id)).all()
    assert [(r.comment_id, r.outcome, r.reason, r.published_at) for r in stored] == [
        (comments["goals"].id, "adopted", "已在第一部分补充。", None),
        (comments["whole"].id, "adopted", "已在第一部分补充。", None),
    ]

    one = f"{responses_url(consultation)}/{comments['goals'].id}"
    token = csrf_token(client, one)
    response = client.post(one, data={"csrf_token": token, "outcome": "partly_adopted", "reason": "部分内容已有规定。"})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.scalar(select(Response).where(Response.comment_id == comments["goals"].id))
    assert (changed.outcome, changed.reason) == ("partly_adopted", "部分内容已有规定。")

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "respond").order_by(AuditEntry.id)).all()
    assert len(entries) == 3
    assert entries[-1].before["outcome"] == "adopted" and entries[-1].after["outcome"] == "partly_adopted"
    assert entries[-1].actor_label.endswith("<office@example.gov.cn>")


def test_bulk_form_errors_are_explained_and_nothing_is_saved(app, client, login, office_consultation):
    consultation, comments = office_consultation
    login("office@example.gov.cn")
    response = bulk(client, consultation, [], "", "")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请至少选择一条意见。" in page and "请填写理由。" in page and "请选择答复类型" in page
    assert db.session.scalars(select(Response)).all() == []
    spam = bulk(client, consultation, [comments["spam"].id], "adopted", "理由")
    assert spam.status_code == 422 and db.session.scalars(select(Response)).all() == []


def test_publish_only_after_closing_and_the_summary_counts_the_outcomes(app, client, clock, login, office_consultation):
    consultation, comments = office_consultation
    login("office@example.gov.cn")
    bulk(client, consultation, [comments["goals"].id], "adopted", "采纳。")
    bulk(client, consultation, [comments["formula"].id], "not_adopted", "与上位法不符。")
    bulk(client, consultation, [comments["whole"].id], "explained", "将在实施中考虑。")

    publish_url = f"{responses_url(consultation)}/publish"
    token = csrf_token(client, responses_url(consultation))
    refused = client.post(publish_url, data={"csrf_token": token}, follow_redirects=True)
    assert "征求意见截止后才能公布答复" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Response).where(Response.published_at.is_not(None))).all() == []

    clock.set(shanghai(2023, 5, 13, 8, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    before = "截止到5月12日，共收到社会各界、广大居民群众反馈意见4条（3人提出），涉及2个部分，另有1条针对全文。"
    assert db.session.get(Consultation, consultation.id).closing_summary == before

    token = csrf_token(client, responses_url(consultation))
    response = client.post(publish_url, data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/consultations/{consultation.id}/feedback")
    db.session.expire_all()
    after = before + "经认真研究，采纳1条，不采纳1条，另有1条作情况说明。"
    assert db.session.get(Consultation, consultation.id).closing_summary == after
    assert after in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "publish_responses"))
    assert entry.after["published"] == 3 and entry.consultation_id == consultation.id


def test_paraphrase_is_offered_only_when_comments_are_private(app, client, login, office_consultation):
    consultation, comments = office_consultation
    login("office@example.gov.cn")
    one = f"{responses_url(consultation)}/{comments['goals'].id}"
    assert "公开的意见概述" not in client.get(one).get_data(as_text=True)
    consultation = db.session.get(Consultation, consultation.id)
    consultation.comment_visibility = "private"
    db.session.commit()
    assert "公开的意见概述" in client.get(one).get_data(as_text=True)
    token = csrf_token(client, one)
    client.post(one, data={"csrf_token": token, "outcome": "adopted", "reason": "已补充。",
                           "paraphrase": "建议明确建设标准。"})
    assert db.session.scalar(select(Response.paraphrase)) == "建议明确建设标准。"


OFFICE_PATHS = ["/responses", "/responses/{comment}", "/digest.csv", "/digest.xlsx", "/digest.docx",
                "/digest.csv?contacts=1"]


def test_only_the_owning_office_may_enter(app, client, login, make_user, office_consultation):
    consultation, comments = office_consultation
    urls = [f"/office/consultations/{consultation.id}" + p.format(comment=comments["goals"].id) for p in OFFICE_PATHS]
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"], url

    make_user("office", email="other@example.gov.cn", unit_name="市卫健委")
    login("other@example.gov.cn")
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)  # another unit's: not revealed

    make_user("moderator")
    login("moderator@example.gov.cn")
    assert [client.get(url).status_code for url in urls] == [403] * len(urls)

    make_user("admin")
    login("admin@example.gov.cn")
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)
    assert client.get(f"/office/consultations/{consultation.id + 999}/responses").status_code == 404
    assert client.get(f"/office/consultations/{consultation.id}/digest.pdf").status_code == 404


def test_the_commenter_finds_the_published_response_with_the_receipt_number(app, client, clock, login,
                                                                          office_consultation):
    consultation, comments = office_consultation
    login("office@example.gov.cn")
    bulk(client, consultation, [comments["goals"].id], "partly_adopted", "建设标准将在配套文件中明确。")
    bulk(client, consultation, [comments["pending"].id], "explained", "已转交街道研究。")
    citizen = app.test_client()  # the commenter: no account, only the receipt number
    goals = f"/receipts/{comments['goals'].receipt_number}"
    assert "起草单位的答复" not in citizen.get(goals).get_data(as_text=True)  # drafted only: not shown
    answer_shown_here = "征求意见截止后，起草单位公布答复时，本页会显示对您意见的答复。"  # the receipt's next steps
    assert answer_shown_here in citizen.get(goals).get_data(as_text=True)

    clock.set(shanghai(2023, 5, 13, 8, 0))
    office_page = client.get(responses_url(consultation)).get_data(as_text=True)
    assert "可以用回执号查到给自己的答复" in office_page  # the office is told where its answers reach the commenters
    token = csrf_token(client, responses_url(consultation))
    assert client.post(f"{responses_url(consultation)}/publish", data={"csrf_token": token}).status_code == 302
    page = citizen.get(goals).get_data(as_text=True)
    assert "起草单位的答复" in page and "<strong>部分采纳</strong>" in page
    assert "建设标准将在配套文件中明确。" in page and "公布时间：2023年5月13日 08:00" in page
    assert answer_shown_here not in page  # answered: no longer said to come
    assert answer_shown_here in citizen.get(f"/receipts/{comments['whole'].receipt_number}").get_data(as_text=True)
    assert f'href="/consultations/{consultation.id}/feedback"' in page
    # a comment that was never made public is answered to its commenter too; another comment's answer is not shown
    pending = citizen.get(f"/receipts/{comments['pending'].receipt_number}").get_data(as_text=True)
    assert "已转交街道研究。" in pending and "建设标准将在配套文件中明确。" not in pending
    assert "起草单位的答复" not in citizen.get(f"/receipts/{comments['whole'].receipt_number}").get_data(as_text=True)
    # marked spam after it was answered: no longer shown, as in the public report
    comments["goals"].status = "spam"
    db.session.commit()
    assert "建设标准将在配套文件中明确。" not in citizen.get(goals).get_data(as_text=True)

    citizen.get("/settings/language/en")
    comments["goals"].status = "approved"
    db.session.commit()
    page = citizen.get(goals).get_data(as_text=True)
    assert "The drafting office's response" in page and "<strong>Partly adopted</strong>" in page
    assert "Published: 13 May 2023, 08:00" in page


def test_an_answer_to_a_comment_later_marked_spam_is_neither_counted_nor_published(app, client, clock, login,
                                                                                     office_consultation):
    consultation, comments = office_consultation
    login("office@example.gov.cn")
    bulk(client, consultation, [comments["goals"].id, comments["pending"].id], "adopted", "采纳。")
    page = client.get(responses_url(consultation)).get_data(as_text=True)
    assert "共 4 条意见，已答复 2 条，其中已公布 0 条" in page  # the pending comment counts until it is spam

    comments["pending"].status = "spam"  # a moderator finds the comment to be spam after it was answered
    db.session.commit()
    page = client.get(responses_url(consultation)).get_data(as_text=True)
    assert "共 3 条意见，已答复 1 条，其中已公布 0 条" in page

    clock.set(shanghai(2023, 5, 13, 8, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    assert "有 1 条答复尚未公布" in client.get(responses_url(consultation)).get_data(as_text=True)
    token = csrf_token(client, responses_url(consultation))
    assert client.post(f"{responses_url(consultation)}/publish", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    published = db.session.scalars(select(Response.comment_id).where(Response.published_at.is_not(None))).all()
    assert published == [comments["goals"].id]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "publish_responses"))
    assert entry.after["published"] == 1
    assert "经认真研究，采纳1条。" in db.session.get(Consultation, consultation.id).closing_summary

    comments["pending"].status = "approved"  # restored: its answer can be published now
    db.session.commit()
    page = client.get(responses_url(consultation)).get_data(as_text=True)
    assert "已答复 2 条，其中已公布 1 条" in page and "有 1 条答复尚未公布" in page


def test_the_stored_summary_follows_answers_changed_and_spam_found_after_publication(app, client, clock, login,
                                                                                      make_user, office_consultation):
    from tests.moderation.conftest import act

    consultation, comments = office_consultation
    login("office@example.gov.cn")
    bulk(client, consultation, [comments["goals"].id, comments["formula"].id], "adopted", "采纳。")
    clock.set(shanghai(2023, 5, 13, 8, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    token = csrf_token(client, responses_url(consultation))
    assert client.post(f"{responses_url(consultation)}/publish", data={"csrf_token": token}).status_code == 302

    def summary():
        db.session.expire_all()
        return db.session.get(Consultation, consultation.id).closing_summary

    assert summary().endswith("经认真研究，采纳2条。")
    one = f"{responses_url(consultation)}/{comments['formula'].id}"
    client.post(one, data={"csrf_token": csrf_token(client, one), "outcome": "not_adopted", "reason": "与上位法不符。"})
    assert summary().endswith("经认真研究，采纳1条，不采纳1条。")  # the published answer changed: so did the count

    client.post("/logout")
    make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    formula = comments["formula"]
    db.session.refresh(formula)
    response = act(client, [f"c-{formula.id}-{formula.moderation_version}"], "spam", query="view=approved")
    assert response.status_code == 303
    assert summary() == ("截止到5月12日，共收到社会各界、广大居民群众反馈意见3条（3人提出），涉及1个部分，"
                         "另有1条针对全文。经认真研究，采纳1条。")
    assert "采纳1条。" in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)


def test_the_office_previews_the_feedback_report_with_its_drafted_answers(app, client, clock, login, make_user,
                                                                            office_consultation):
    consultation, comments = office_consultation
    preview = f"{responses_url(consultation)}/preview"
    assert client.get(preview).status_code == 302  # nobody signed in: to the login
    login("office@example.gov.cn")
    assert "预览公布后的" not in client.get(responses_url(consultation)).get_data(as_text=True)  # nothing drafted
    bulk(client, consultation, [comments["goals"].id], "partly_adopted", "建设标准将在配套文件中明确。")
    assert f'href="{preview}"' in client.get(responses_url(consultation)).get_data(as_text=True)

    page = client.get(preview).get_data(as_text=True)  # before the deadline too
    assert "只有起草单位能看到这个预览" in page and "已起草 1 条答复，其中 0 条已公布。" in page
    assert "建设标准将在配套文件中明确。" in page and '<span class="tag">未公布</span>' in page
    assert "建议明确养老服务中心的建设标准。" in page and "起草单位尚未公布答复。" in page  # the others, unanswered
    assert "下载 Word 文档" not in page

    clock.set(shanghai(2023, 5, 13, 8, 0))  # closed: the public report shows no drafted answer
    public = app.test_client().get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert "建设标准将在配套文件中明确。" not in public and "预览" not in public

    client.post("/logout")
    make_user("office", email="other@example.gov.cn", unit_name="市卫健委")
    login("other@example.gov.cn")
    assert client.get(preview).status_code == 404  # another unit's


def test_two_office_users_answering_one_comment_at_once_get_no_server_error(app, office_consultation, make_user):
    """Each read that the comment had no answer yet, and both inserted one: the second hit the unique key (a 500; a
    form letter's 300 copies answered at once all failed). Now the later is written as a change of the first, which
    the audit log keeps. PostgreSQL: SQLite queues its writers, and a transaction that read before another's write
    cannot write after it."""
    from sqlalchemy import event, insert

    from portal.responses.services import respond_to_comments

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: the race needs two writers at once")
    consultation, comments = office_consultation
    comment = comments["goals"]
    office = make_user("office", email="second@mz.gov.cn", unit_name="市民政局")
    answered_by_other = []

    def the_other_answers(conn, cursor, statement, parameters, context, executemany):
        if not answered_by_other and statement.lstrip().upper().startswith("SELECT") and "FROM responses" in statement:
            answered_by_other.append(True)  # right after this request read that there was no answer
            with db.engine.begin() as other:
                other.execute(insert(Response).values(comment_id=comment.id, consultation_id=consultation.id,
                                                      outcome="adopted", reason="另一位同事的答复", author_id=office.id,
                                                      created_at=shanghai(2023, 5, 1), updated_at=shanghai(2023, 5, 1)))

    event.listen(db.engine, "after_cursor_execute", the_other_answers)
    try:
        (written,) = respond_to_comments(consultation, [comment], "explained", "情况说明的理由", office)
    finally:
        event.remove(db.engine, "after_cursor_execute", the_other_answers)
    db.session.commit()
    assert answered_by_other
    (stored,) = db.session.scalars(select(Response).where(Response.comment_id == comment.id)).all()
    assert (stored.id, stored.outcome, stored.reason) == (written.id, "explained", "情况说明的理由")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "respond")).all()[-1]
    assert entry.before["reason"] == "另一位同事的答复"  # what it replaced is on record


def test_a_response_saved_on_a_chinese_page_is_said_in_english_after_switching(app, client, login,
                                                                               office_consultation):
    consultation, c = office_consultation
    login("office@example.gov.cn")
    client.get("/settings/language/zh_CN")
    url = f"{responses_url(consultation)}/{c['goals'].id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "outcome": "adopted", "reason": "采纳。"})
    assert response.status_code == 302
    client.get("/settings/language/en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Response saved." in page and "答复已保存" not in page

    response = client.post(url, data={"csrf_token": csrf_token(client, url), "outcome": "explained",
                                      "reason": "已有规定。"})
    client.get("/settings/language/zh_CN")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "答复已保存。" in page and "Response saved." not in page
