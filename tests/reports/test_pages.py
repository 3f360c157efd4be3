"""The public feedback report (意见采纳情况反馈) and the statistics page, through HTTP."""
import re

from portal.consultations.models import Consultation
from portal.extensions import db
from portal.reports.charts import horizontal_bar_chart
from portal.responses.services import publish_responses, respond_to_comments
from tests.helpers import shanghai


def close_and_answer(clock, consultation, comments, private=False):
    consultation = db.session.get(Consultation, consultation.id)
    if private:
        consultation.comment_visibility = "private"
    respond_to_comments(consultation, [comments["goals"]], "adopted", "已在目标中补充建设标准。", "test",
                        paraphrase="建议明确养老服务中心的建设标准（概述）。")
    respond_to_comments(consultation, [comments["pending"]], "not_adopted", "已有相关规定。", "test")
    clock.set(shanghai(2023, 5, 13, 8, 0))
    publish_responses(consultation, "test")
    db.session.commit()
    return consultation


def word_text(client, consultation) -> str:
    """The paragraphs of the feedback report's Word document, a line each."""
    import io

    from docx import Document

    data = client.get(f"/consultations/{consultation.id}/feedback.docx").data
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def approved(consultation, section, bodies) -> list:
    """Comments with these texts on ``section``, public (approved), in order."""
    from portal.comments.services import submit_comment

    comments = []
    for body in bodies:
        comment = submit_comment(consultation, body, "suggest", section)
        comment.status = "approved"
        comments.append(comment)
    db.session.commit()
    return comments


def test_feedback_report_before_closing_says_when(app, client, office_consultation):
    consultation, _ = office_consultation
    page = client.get(f"/consultations/{consultation.id}/feedback")
    assert page.status_code == 200
    assert "征求意见截止（2023年5月12日 23:59）后" in page.get_data(as_text=True)


def test_feedback_report_shows_public_opinions_and_published_responses(app, client, clock, office_consultation):
    consultation, comments = office_consultation
    close_and_answer(clock, consultation, comments)
    page = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert "意见采纳情况的反馈" in page
    assert "截止到5月12日，共收到社会各界、广大居民群众反馈意见4条（3人提出），涉及2个部分，另有1条针对全文。" \
           "经认真研究，采纳1条，不采纳1条。" in page
    goals = page.index("一、目标要求</h2>")
    assert goals < page.index("建议明确养老服务中心的建设标准。") < page.index("已在目标中补充建设标准。")
    assert page.index("(一)老年友好社会创建提升行动") < page.index("对草案整体的意见</h2>") < page.index("整体赞成。")
    assert "王大爷" in page and "采纳" in page
    # pending and spam comments are not public; contacts never are. A pending one the office answered is listed
    # with its answer, as a private consultation's are: the summary's 不采纳1条 is in the report
    assert "社区食堂要多开几家。" not in page and "广告广告" not in page
    assert "已有相关规定。" in page and "（意见内容不公开）" in page
    assert "13800138000" not in page and "138 0013 8000" not in page
    assert "（概述）" not in page  # the paraphrase is for private consultations


def test_private_consultation_shows_the_paraphrase_instead_of_the_text(app, client, clock, office_consultation):
    consultation, comments = office_consultation
    close_and_answer(clock, consultation, comments, private=True)
    page = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert "建议明确养老服务中心的建设标准（概述）。" in page and "已在目标中补充建设标准。" in page
    assert "（意见内容不公开）" in page and "已有相关规定。" in page  # answered without a paraphrase
    for private in ("建议明确养老服务中心的建设标准。", "社区食堂要多开几家。", "整体赞成。", "王大爷", "李四"):
        assert private not in page


def test_statistics_page_draws_and_tabulates_the_same_numbers(app, client, office_consultation):
    consultation, _ = office_consultation
    response = client.get(f"/consultations/{consultation.id}/statistics")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "截至目前共收到 4 条意见" in page
    assert page.count("<svg") == 3 and 'role="img"' in page and "<title id=\"chart-sections-title\">" in page
    rows = dict(re.findall(r'<tr><th scope="row"(?: lang="[^"]+")?>([^<]+)</th><td class="number">(\d+)</td></tr>', page))
    assert rows["一、目标要求"] == "2" and rows["二、主要任务"] == "1" and rows["对草案整体的意见"] == "1"
    assert rows["三、组织保障"] == "0"
    assert (rows["赞成"], rows["反对"], rows["建议"]) == ("1", "1", "2")
    # each day of the period so far (opened 2023-04-20, today 2023-05-01), spam (4月24日) excluded
    assert "2023年4月19日" not in rows and rows["2023年4月20日"] == "1" and rows["2023年4月23日"] == "1"
    assert rows["2023年4月24日"] == "0" and rows["2023年5月1日"] == "0" and "2023年5月2日" not in rows
    assert "style=" not in page and "<script>" not in page


def test_a_comment_on_a_section_of_the_earlier_draft_counts_under_its_part(app, client, seed_path,
                                                                           office_consultation):
    """Sent from a page opened before a revision, a comment stands on the earlier draft's section: the statistics
    counted it with the whole draft while the closing summary counted its part."""
    from portal.accounts.models import User
    from portal.comments.services import submit_comment
    from portal.office.services import revise_draft
    from sqlalchemy import select

    consultation, _ = office_consultation
    earlier = next(s for s in consultation.current_draft.sections if s.heading.startswith("弘扬爱老助老社会风尚"))
    office = db.session.scalar(select(User).where(User.email == "office@example.gov.cn"))
    text = seed_path("003").read_text(encoding="utf-8").replace("弘扬爱老助老社会风尚", "弘扬敬老爱老助老社会风尚")
    revise_draft(consultation, office, text.encode(), "revised.txt", "措辞修改", 10_000_000)
    db.session.commit()
    assert earlier.draft_id != consultation.current_draft.id
    submit_comment(consultation, "在修订前打开的页面上提交的意见。", "suggest", earlier)
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    rows = dict(re.findall(r'<tr><th scope="row"(?: lang="[^"]+")?>([^<]+)</th><td class="number">(\d+)</td></tr>', page))
    assert rows["二、主要任务"] == "2" and rows["对草案整体的意见"] == "1"


def test_statistics_of_an_unpublished_consultation_are_not_found(app, client, import_seed):
    consultation = import_seed("000", publish=False)
    assert client.get(f"/consultations/{consultation.id}/statistics").status_code == 404
    assert client.get(f"/consultations/{consultation.id}/feedback").status_code == 404


def test_chart_escapes_labels_and_names_itself():
    svg = horizontal_bar_chart("c", "标题", "说明", [("<b>甲</b>", 3), ("乙", 0)])
    assert "<b>" not in svg and "&lt;b&gt;甲&lt;/b&gt;" in svg
    assert '<title id="c-title">标题</title><desc id="c-desc">说明</desc>' in svg
    widths = [float(w) for w in re.findall(r'class="chart-bar" x="\d+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] > 0 and widths[1] == 0


def test_a_chart_label_is_shortened_by_the_room_it_takes_not_by_its_letters():
    """An English label has the room of 40 letters above its bar, a Chinese one of 24 characters: "Comments on the
    draft as a whole" was cut after 24 letters ("Comments on the draft a…") with half of the line still empty."""
    def label(text):
        svg = horizontal_bar_chart("c", "t", "d", [(text, 1)])
        return re.findall(r'<text class="chart-label"[^>]*>([^<]*)</text>', svg)[0]

    assert label("Comments on the draft as a whole") == "Comments on the draft as a whole"
    assert label("附件1 “浙里康养”台州专班成员单位名单") == "附件1 “浙里康养”台州专班成员单位名单"
    assert label("一二三四五六七八九十" * 3) == "一二三四五六七八九十" * 2 + "一二三…"  # 24 characters with the "…"
    assert label("x" * 60) == "x" * 38 + "…"


def test_the_feedback_report_as_a_word_document_holds_what_the_page_shows(app, client, clock, office_consultation):
    import io

    from docx import Document

    consultation, comments = office_consultation
    url = f"/consultations/{consultation.id}/feedback.docx"
    assert client.get(url).status_code == 404  # not before the deadline
    close_and_answer(clock, consultation, comments)
    page = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert response.headers["Content-Disposition"].startswith(
        f"attachment; filename=consultation-{consultation.id}-feedback-report.docx; filename*=UTF-8''")
    paragraphs = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == f"关于《{consultation.title}》公开征求意见采纳情况的反馈"
    assert paragraphs[1] == "征求意见时间：2023年4月20日至2023年5月12日"
    assert "经认真研究，采纳1条，不采纳1条。" in paragraphs[2]
    goals = paragraphs.index("一、关于“一、目标要求”")
    opinion = next(i for i, p in enumerate(paragraphs) if "建议明确养老服务中心的建设标准。" in p)
    assert goals < opinion and paragraphs[opinion].startswith("1. 意见：（王大爷，建议）")
    assert paragraphs[opinion + 1] == "答复：采纳。已在目标中补充建设标准。"
    assert "（匿名，赞成）整体赞成。" in text and "答复：起草单位尚未公布答复。" in text
    # what the page leaves out, the document leaves out
    for hidden in ("社区食堂要多开几家。", "广告广告", "13800138000", "138 0013 8000", "（概述）"):
        assert hidden not in text
    assert paragraphs[-1].startswith(consultation.issuer)


def test_a_private_consultations_word_report_names_no_one(app, client, clock, office_consultation):
    consultation, comments = office_consultation
    close_and_answer(clock, consultation, comments, private=True)
    text = word_text(client, consultation)
    assert "（建议）建议明确养老服务中心的建设标准（概述）。" in text and "（意见内容不公开）" in text
    for private in ("建议明确养老服务中心的建设标准。", "整体赞成。", "王大爷", "李四"):
        assert private not in text


def test_the_feedback_report_says_which_words_each_opinion_is_about(app, client, clock, office_consultation):
    consultation, comments = office_consultation
    words = comments["goals"].section.lines[0][:12]
    comments["goals"].quote = words
    db.session.commit()
    close_and_answer(clock, consultation, comments)
    page = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    entry = page[page.index(words) - 400:]
    assert entry.index(words) < entry.index("建议明确养老服务中心的建设标准。")  # above the opinion it belongs to
    text = word_text(client, consultation)
    assert f"1. 意见：（王大爷，建议）针对“{words}”，建议明确养老服务中心的建设标准。" in text
    data = client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()
    quotes = [e["quote"] for g in data["groups"] for e in g["entries"]]
    assert words in quotes and quotes.count(None) == len(quotes) - 1


def test_a_long_feedback_report_is_shown_a_page_at_a_time_its_word_document_whole(app, client, clock,
                                                                                   office_consultation):
    consultation, comments = office_consultation
    approved(consultation, consultation.current_draft.sections[1], [f"补充意见第{n}条。" for n in range(5)])
    close_and_answer(clock, consultation, comments)
    app.config["FEEDBACK_PAGE_SIZE"] = 3  # the report lists 4 + 5 = 9 opinions (one answered while it waits)
    first = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert "本报告共列出 9 条意见，分 3 页显示，这是第 1 页。Word 文档包含全部意见。" in first
    assert "建议明确养老服务中心的建设标准。" in first and "补充意见第4条。" not in first
    assert 'rel="next"' in first and "report-signature" not in first  # the issuer signs the last page
    last = client.get(f"/consultations/{consultation.id}/feedback?page=3").get_data(as_text=True)
    assert "这是第 3 页" in last and 'start="7"' in last and "整体赞成。" in last and 'rel="prev"' in last
    assert "建议明确养老服务中心的建设标准。" not in last and "report-signature" in last
    beyond = client.get(f"/consultations/{consultation.id}/feedback?page=99").get_data(as_text=True)
    assert "这是第 3 页" in beyond  # the last page, not an empty one
    api = client.get(f"/api/v1/consultations/{consultation.id}/feedback?per_page=3&page=3").get_json()
    assert (api["total"], api["pages"], api["page"]) == (9, 3, 3) and api["links"]["next"] is None
    assert [e["number"] for g in api["groups"] for e in g["entries"]] == [7, 8, 9]
    assert client.get(f"/api/v1/consultations/{consultation.id}/feedback?per_page=1000").status_code == 400
    text = word_text(client, consultation)
    assert "建议明确养老服务中心的建设标准。" in text and "补充意见第4条。" in text and "整体赞成。" in text


def test_the_word_report_is_written_once_until_what_it_holds_changes(app, client, clock, office_consultation):
    from portal.reports.views import WORD_REPORTS

    consultation, comments = office_consultation
    close_and_answer(clock, consultation, comments)
    url = f"/consultations/{consultation.id}/feedback.docx"
    first = client.get(url).data
    hits = WORD_REPORTS.hits
    assert client.get(url).data == first and WORD_REPORTS.hits == hits + 1  # kept, not written again

    consultation = db.session.get(Consultation, consultation.id)
    respond_to_comments(consultation, [comments["whole"]], "explained", "将在实施细则中考虑。", "test")
    publish_responses(consultation, "test")
    db.session.commit()
    assert "将在实施细则中考虑。" in word_text(client, consultation)  # a new published answer: written again


def form_letter_copies(consultation, letter: str) -> list:
    """Six approved copies of ``letter`` on the draft's second section, grouped as one form letter."""
    copies = approved(consultation, consultation.current_draft.sections[1], [f"{letter}（{n}号楼）" for n in range(6)])
    for copy in copies[1:]:
        copy.form_letter_id = copies[0].id
    db.session.commit()
    return copies


def test_copies_of_a_form_letter_with_the_same_answer_are_one_entry(app, client, clock, office_consultation):
    consultation, comments = office_consultation
    letter = "我们强烈要求在本小区周边增设社区老年食堂。"
    copies = form_letter_copies(consultation, letter)
    consultation = db.session.get(Consultation, consultation.id)
    respond_to_comments(consultation, copies[:5], "adopted", "已增设社区老年食堂。", "test")
    respond_to_comments(consultation, copies[5:], "explained", "该小区已有食堂。", "test")  # answered otherwise
    close_and_answer(clock, consultation, comments)
    page = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert page.count(letter) == 2  # the first copy for five, and the one answered otherwise
    assert "同文意见：另有 4 份内容相同或相近的意见，答复相同，不再逐一列出。" in page
    api = client.get(f"/api/v1/consultations/{consultation.id}/feedback?per_page=100").get_json()
    entries = [e for g in api["groups"] for e in g["entries"]]
    assert [e["copies"] for e in entries if e["text"] and letter in e["text"]] == [4, 0]
    assert api["total"] == len(entries) == 4 + 2  # goals, formula, pending (answered), whole, the letter twice
    assert "（同文意见，另有4份，答复相同）" in word_text(client, consultation)


def test_copies_given_one_answer_are_one_entry_even_when_the_first_copy_was_answered_otherwise(
        app, client, clock, office_consultation):
    consultation, comments = office_consultation
    letter = "请在本小区周边增设社区老年食堂。"
    copies = form_letter_copies(consultation, letter)
    consultation = db.session.get(Consultation, consultation.id)
    respond_to_comments(consultation, copies[:1], "explained", "该楼已有食堂。", "test")
    respond_to_comments(consultation, copies[1:], "not_adopted", "周边已有三处食堂。", "test")
    close_and_answer(clock, consultation, comments)
    page = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert page.count(letter) == 2 and "同文意见：另有 4 份内容相同或相近的意见，答复相同，不再逐一列出。" in page


def test_copies_grouped_after_the_report_was_read_are_folded_at_once(app, client, clock, office_consultation):
    from portal.core.time import now

    consultation, comments = office_consultation
    copies = approved(consultation, consultation.current_draft.sections[1], [f"同一封信（{n}）。" for n in range(2)])
    close_and_answer(clock, consultation, comments)
    url = f"/consultations/{consultation.id}/feedback"
    assert client.get(url).get_data(as_text=True).count("同一封信") == 2
    copies[1].form_letter_id, copies[1].grouped_at = copies[0].id, now()  # the grouping worker, afterwards,
    db.session.get(Consultation, consultation.id).grouping_version += 1  # which counts its grouping
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert page.count("同一封信") == 1 and "另有 1 份内容相同或相近的意见" in page


def test_copies_the_grouping_worker_groups_after_the_report_was_read_are_folded_at_once(
        app, client, clock, office_consultation):
    """The report's plan is kept under a key that reads the grouping's count of the consultation's groupings
    (grouping_version): the worker's grouping, which renews no token, changes the next page."""
    from portal.moderation.grouping import group_new_comments

    consultation, comments = office_consultation
    letter = "尊敬的领导：社区的老年食堂数量太少，建议增加投入。因为独居老人越来越多，希望延长服务时间，把助餐点办好。"
    section = consultation.current_draft.sections[1]
    clock.set(shanghai(2023, 5, 1, 9, 0))
    group_new_comments()  # the comments of before: grouped, at 9:00
    approved(consultation, section, [letter, "您好！" + letter.replace("建议", "希望") + "谢谢！"])
    close_and_answer(clock, consultation, comments)
    url = f"/consultations/{consultation.id}/feedback"
    assert client.get(url).get_data(as_text=True).count("社区的老年食堂数量太少") == 2  # not grouped yet
    entries = client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()["total"]

    clock.set(shanghai(2023, 5, 13, 8, 5))
    assert group_new_comments() == 2  # the worker, later
    page = client.get(url).get_data(as_text=True)
    assert page.count("社区的老年食堂数量太少") == 1 and "另有 1 份内容相同或相近的意见" in page
    assert client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()["total"] == entries - 1


def test_two_groupings_at_the_same_instant_each_change_the_report(app, client, clock, office_consultation):
    """Two groupings at one instant (a frozen clock; two workers within the clock's resolution) leave the newest
    grouped_at as it was: the report's key still changes, by the grouping's count."""
    from portal.moderation.grouping import group_new_comments, ungrouped_count

    consultation, comments = office_consultation
    letter = "尊敬的领导：社区的老年食堂数量太少，建议增加投入。因为独居老人越来越多，希望延长服务时间，把助餐点办好。"
    section = consultation.current_draft.sections[1]
    approved(consultation, section, [letter, "您好！" + letter.replace("建议", "希望") + "谢谢！"])
    close_and_answer(clock, consultation, comments)
    clock.set(shanghai(2023, 5, 13, 8, 5))  # the clock stands still from here
    assert group_new_comments(limit=ungrouped_count() - 1) > 0  # all but the second copy
    url = f"/consultations/{consultation.id}/feedback"
    assert client.get(url).get_data(as_text=True).count("社区的老年食堂数量太少") == 2
    entries = client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()["total"]

    assert group_new_comments() == 1  # the second copy, at the same instant: a copy of the first
    page = client.get(url).get_data(as_text=True)
    assert page.count("社区的老年食堂数量太少") == 1 and "另有 1 份内容相同或相近的意见" in page
    assert client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()["total"] == entries - 1


def test_a_grouping_by_a_clock_minutes_behind_the_newest_changes_the_report(app, client, clock, office_consultation):
    """A grouping on a host whose clock is 5 minutes behind the host of the newest grouping: its grouped_at is before
    the newest. The report's key counted the comments grouped in the minute before the newest grouped_at, and did not
    change: the report kept showing the copies apart. It now reads the grouping's count, which the database adds to."""
    from portal.moderation.grouping import group_new_comments, ungrouped_count

    consultation, comments = office_consultation
    letter = "尊敬的领导：社区的老年食堂数量太少，建议增加投入。因为独居老人越来越多，希望延长服务时间，把助餐点办好。"
    section = consultation.current_draft.sections[1]
    approved(consultation, section, [letter, "您好！" + letter.replace("建议", "希望") + "谢谢！"])
    close_and_answer(clock, consultation, comments)
    clock.set(shanghai(2023, 5, 13, 8, 5))
    assert group_new_comments(limit=ungrouped_count() - 1) > 0  # all but the second copy, by the host ahead
    url = f"/consultations/{consultation.id}/feedback"
    assert client.get(url).get_data(as_text=True).count("社区的老年食堂数量太少") == 2
    entries = client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()["total"]

    clock.set(shanghai(2023, 5, 13, 8, 0))  # the other host, 5 minutes behind
    assert group_new_comments() == 1  # the second copy: a copy of the first
    page = client.get(url).get_data(as_text=True)
    assert page.count("社区的老年食堂数量太少") == 1 and "另有 1 份内容相同或相近的意见" in page
    assert client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_json()["total"] == entries - 1


def test_the_feedback_reports_plan_is_read_once_until_its_answers_change(app, client, clock, office_consultation):
    """Which comment each entry of the report shows is worked out from every comment received (20,000 on a contested
    draft) once, then kept under the consultation's comments token and the state of its answers: the page asked again
    reads it from memory (it was kept under the wrong key, and every request read every comment twice); a newly
    published answer is in the next page."""
    from tests.helpers import statements

    consultation, comments = office_consultation
    close_and_answer(clock, consultation, comments)
    url = f"/consultations/{consultation.id}/feedback"

    def plan_reads(seen):  # the plan's statement: every comment with its published answer's outcome and reason
        return [s for s in seen if "comments.form_letter_id, responses.outcome" in s and "comments.body" not in s]

    with statements() as first:
        assert "已在目标中补充建设标准。" in client.get(url).get_data(as_text=True)
    assert len(plan_reads(first)) == 1  # once a request, not once for the count and again for the entries
    with statements() as again:
        assert "已在目标中补充建设标准。" in client.get(url).get_data(as_text=True)
    assert plan_reads(again) == []
    consultation = db.session.get(Consultation, consultation.id)
    respond_to_comments(consultation, [comments["whole"]], "explained", "整体思路将在实施细则中细化。", "test")
    publish_responses(consultation, "test")
    db.session.commit()
    with statements() as changed:
        assert "整体思路将在实施细则中细化。" in client.get(url).get_data(as_text=True)
    assert len(plan_reads(changed)) == 1


def test_statistics_count_each_day_in_shanghai_time_and_each_figure_in_one_pass(app, client, clock, office_consultation):
    """The days are Asia/Shanghai days, counted by the database (a comment at 23:50 and one at 00:10 fall on two
    days, eight hours from UTC's); stances, ways received, proposals, organisations and agreements come from one pass
    over the comments and agree with what the comments are."""
    from sqlalchemy import update

    from portal.comments.models import Comment
    from portal.comments.services import submit_comment

    consultation, comments = office_consultation
    clock.set(shanghai(2023, 4, 25, 23, 50))
    late = submit_comment(consultation, "深夜提交的意见：建议延长服务时间。", "oppose", comments["goals"].section)
    clock.set(shanghai(2023, 4, 26, 0, 10))
    submit_comment(consultation, "凌晨提交的意见。", "support", None)
    db.session.flush()
    db.session.execute(update(Comment).where(Comment.id == late.id).values(
        status="approved", agreement_count=3, proposal="建议修改为：服务时间延长到晚上九点。", channel="letter",
        organisation="某某养老服务协会", organisation_kind="association"))
    db.session.commit()
    clock.set(shanghai(2023, 4, 27, 9, 0))
    data = client.get(f"/api/v1/consultations/{consultation.id}/statistics").get_json()
    days = {d["date"]: d["count"] for d in data["days"]}
    assert days["2023-04-25"] == 1 and days["2023-04-26"] == 1 and days["2023-04-24"] == 0
    assert data["total"] == 6 == sum(days.values())
    assert data["stances"] == {"support": 2, "oppose": 2, "suggest": 2}
    assert data["proposals"] == 1 and data["channels"]["letter"] == 1 and data["channels"]["web"] == 5
    assert data["commenters"]["association"] == 1 and data["commenters"]["person"] == 5
    agreed = db.session.scalar(_agreements_of(consultation.id))
    assert data["agreements"] == agreed and agreed >= 3


def _agreements_of(consultation_id):
    from sqlalchemy import func, select

    from portal.comments.models import Comment

    return select(func.coalesce(func.sum(Comment.agreement_count), 0)).where(
        Comment.consultation_id == consultation_id, Comment.status == "approved")
