"""Deadlines: open and close on the clock (Asia/Shanghai), refuse late comments, write the closing summary."""
import re
import unicodedata

from sqlalchemy import func, select

from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.extensions import db
from tests.helpers import post_comment, receipt_from, shanghai


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_last_second_accepted_first_second_after_refused(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20))
    consultation = import_seed("003")
    url = f"/consultations/{consultation.id}"
    clock.set(shanghai(2023, 5, 12, 23, 59, 58))
    token_page = url
    receipt_from(post_comment(client, consultation, token_page, body="最后一刻的意见"))
    clock.set(shanghai(2023, 5, 12, 23, 59, 59))
    receipt_from(post_comment(client, consultation, token_page, body="截止那一秒"))
    # the form is gone once closed; a POST prepared earlier is refused with a clear message
    clock.set(shanghai(2023, 5, 12, 12, 0))
    from tests.helpers import csrf_token

    token = csrf_token(client, url)
    clock.set(shanghai(2023, 5, 13, 0, 0, 0))
    response = client.post(f"{url}/comments", data={"csrf_token": token, "body": "迟到的意见", "stance": "oppose"})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "已于 2023年5月12日 23:59 截止" in page and "没有保存" in page
    assert comment_count() == 2
    assert 'name="body"' not in client.get(url).get_data(as_text=True)


def test_a_late_comment_is_given_back_to_copy_with_how_to_reach_the_office(app, client, clock, import_seed):
    """A comment sent a minute after the deadline is not stored: the refusal shows what the citizen wrote (a long text
    typed on a phone was lost with it) and every way of reaching the office the notice gives, its e-mail too."""
    from tests.helpers import csrf_token

    clock.set(shanghai(2023, 5, 12, 23, 50))
    consultation = import_seed("003")
    consultation.contact_person, consultation.contact_phones = None, []  # a notice naming an e-mail address alone
    consultation.contact_emails = ["yjzj@example.gov.cn"]
    db.session.commit()
    url = f"/consultations/{consultation.id}"
    token = csrf_token(client, url)
    clock.set(shanghai(2023, 5, 13, 0, 1))
    written = "建议增加社区老年食堂的数量。\n腿脚不便的老人也能吃上热饭。<b>"
    response = client.post(f"{url}/comments", data={"csrf_token": token, "body": written, "stance": "suggest"})
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "没有保存" in page
    assert "建议增加社区老年食堂的数量。\n腿脚不便的老人也能吃上热饭。&lt;b&gt;</textarea>" in page
    assert '如有问题，请联系：<span lang="zh-CN">市养老服务体系建设工作领导小组办公室 yjzj@example.gov.cn</span>' in page
    assert comment_count() == 0


def test_upcoming_consultation_refuses_comments(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20))
    consultation = import_seed("000", opens=shanghai(2023, 5, 1), deadline=shanghai(2023, 5, 31, 23, 59, 59))
    token_url = f"/consultations/{consultation.id}"
    page = client.get(token_url).get_data(as_text=True)
    assert "即将开始" in page and 'name="body"' not in page
    clock.set(shanghai(2023, 5, 1, 0, 0, 1))
    from tests.helpers import csrf_token

    token = csrf_token(client, token_url)
    clock.set(shanghai(2023, 4, 30))
    response = client.post(f"{token_url}/comments", data={"csrf_token": token, "body": "太早了", "stance": "oppose"})
    assert response.status_code == 403 and "征求意见将于 2023年5月1日 00:00 开始" in response.get_data(as_text=True)
    assert comment_count() == 0


def test_closed_page_shows_the_summary_without_any_command(app, client, clock, import_seed, seed_path):
    clock.set(shanghai(2023, 4, 20))
    consultation = import_seed("003")
    clock.set(shanghai(2023, 5, 13, 8, 0))
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    last_line = seed_path("003").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert "截止到5月12日，未收到社会各界、广大居民群众反馈意见。" in page
    assert unicodedata.normalize("NFKC", "截止到5月12日，未收到社会各界、广大居民群众反馈意见。") == unicodedata.normalize(
        "NFKC", last_line
    )
    assert "已截止" in page


def test_close_due_finalises_and_counts_received_comments(app, client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20))
    consultation = import_seed("003")
    still_open = import_seed("000", opens=shanghai(2023, 4, 1), deadline=shanghai(2023, 6, 30, 23, 59, 59))
    sections = consultation.current_draft.sections
    url = f"/consultations/{consultation.id}"
    for section, body in [(sections[1], "甲"), (sections[1], "乙"), (sections[4], "丙"), (None, "丁")]:
        receipt_from(post_comment(client, consultation, url, section_id=section.id if section else "", body=body))
    spam = db.session.scalar(select(Comment).where(Comment.body == "丁"))
    spam.status = "spam"
    db.session.commit()

    clock.set(shanghai(2023, 5, 13, 0, 0, 1))
    result = app.test_cli_runner().invoke(args=["consultations", "close-due"])
    assert result.exit_code == 0, result.output
    # 二、主要任务 and its item 二是: one part of the draft, as the statistics page and the digest count them
    assert sections[1].parent_id is None and sections[4].parent.parent_id == sections[1].id
    expected = "截止到5月12日，共收到社会各界、广大居民群众反馈意见3条（3人提出），涉及1个部分。"
    assert expected in result.output and "共结束 1 项" in result.output
    db.session.expire_all()
    stored = db.session.get(Consultation, consultation.id)
    assert stored.closing_summary == expected and stored.finalised_at is not None
    assert db.session.get(Consultation, still_open.id).finalised_at is None
    assert expected in client.get(url).get_data(as_text=True)
    # running it again changes nothing
    again = app.test_cli_runner().invoke(args=["consultations", "close-due"])
    assert "共结束 0 项" in again.output


def test_publish_command_checks_the_period(app, clock, import_seed):
    clock.set(shanghai(2023, 4, 20))
    consultation = import_seed("000", publish=False)
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["consultations", "publish", str(consultation.id)])
    assert missing.exit_code != 0 and "没有截止时间" in missing.output
    backwards = runner.invoke(
        args=["consultations", "publish", str(consultation.id), "--opens", "2023-05-01T00:00", "--deadline", "2023-04-01"]
    )
    assert backwards.exit_code != 0 and "截止时间必须晚于开始时间" in backwards.output
    ok = runner.invoke(args=["consultations", "publish", str(consultation.id), "--deadline", "2023-05-31T23:59:59",
                             "--comments", "private"])
    assert ok.exit_code == 0, ok.output
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).state() == "open"
    assert db.session.get(Consultation, consultation.id).comment_visibility == "private"


def test_load_samples_gives_003_closed_and_the_others_open(app, client, clock):
    clock.set(shanghai(2026, 11, 23, 10, 0))
    result = app.test_cli_runner().invoke(args=["consultations", "load-samples"])
    assert result.exit_code == 0, result.output
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.id)).all()
    assert len(consultations) == 5
    states = {c.current_draft.source_filename[:3]: c.state() for c in consultations}
    assert states == {"000": "open", "001": "open", "002": "open", "003": "closed", "004": "open"}
    seed_003 = next(c for c in consultations if c.current_draft.source_filename.startswith("003"))
    assert seed_003.closing_summary == "截止到5月12日，未收到社会各界、广大居民群众反馈意见。"
    from portal.mail.models import OutboxMessage  # the samples' real offices are mailed nothing (no closing mail)

    assert db.session.scalars(select(OutboxMessage)).all() == []
    others = [c for c in consultations if c is not seed_003]
    assert all(c.deadline.astimezone(shanghai(2026, 1, 1).tzinfo).date().isoformat() == "2026-12-22" for c in others)
    # loading again skips what is there
    again = app.test_cli_runner().invoke(args=["consultations", "load-samples"])
    assert again.exit_code == 0 and "跳过" in again.output
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 5


def test_the_list_says_how_long_is_left_in_plain_words(client, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    import_seed("003")  # deadline 2023-05-12 23:59:59

    def said():
        page = client.get("/consultations/").get_data(as_text=True)
        found = re.findall(r'<span class="time-left( closing-soon)?">([^<]+)</span>', page)
        return [(text, bool(soon)) for soon, text in found]

    assert said() == [("还剩 22 天", False)]
    clock.set(shanghai(2023, 5, 9, 23, 0))
    assert said() == [("还剩 3 天", True)]
    clock.set(shanghai(2023, 5, 11, 0, 5))
    assert said() == [("明天截止", True)]
    clock.set(shanghai(2023, 5, 12, 23, 0))
    assert said() == [("今天截止", True)]
    assert "Closes today" in client.get("/consultations/?lang=en").get_data(as_text=True)
    clock.set(shanghai(2023, 5, 13, 0, 0))
    assert said() == []  # closed: nothing is left
