"""One consultation, every place that counts its opinions received: the closing summary (stored and on the pages),
the statistics page and the API's statistics, the work report (public, staff, workbook), the digest, the feedback
report, the responses page and the office's dashboard say the same number, part by part and position by position.

Opinions received are every comment but spam and those withdrawn (``comment_received``): replies in threads, hidden
ones, pending ones, each copy of a form letter and the opinions the office typed in count, as the closing summary
has always counted them."""
import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from portal.accounts.models import User
from portal.comments.models import Comment
from portal.comments.services import approve_comment, submit_comment
from portal.comments.withdrawal import withdraw_comment, withdrawal_key
from portal.consultations.services import close_due_consultations
from portal.extensions import db
from portal.moderation.grouping import group_new_comments
from portal.moderation.services import CommentSelection, moderate
from portal.office.services import record_comment
from portal.responses.services import publish_responses, respond_to_comments
from tests.helpers import shanghai


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, (pattern, text[:3000])
    return int(found[1])


def counts_everywhere(client, consultation) -> dict[str, int]:
    """The number of opinions received each place gives (the office's pages with office staff signed in)."""
    found = {}
    db.session.refresh(consultation)
    found["stored closing summary"] = number(r"反馈意见(\d+)条", consultation.closing_summary)
    found["consultation page"] = number(r"反馈意见(\d+)条", text_of(client.get(f"/consultations/{consultation.id}")))
    statistics = text_of(client.get(f"/consultations/{consultation.id}/statistics"))
    found["statistics page"] = number(r"截至目前共收到 (\d+) 条意见", statistics)
    api = client.get(f"/api/v1/consultations/{consultation.id}/statistics").get_json()
    found["API statistics"] = api["total"]
    detail = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    found["API closing summary"] = number(r"反馈意见(\d+)条", detail["closing_summary"])
    for name in ("sections", "days"):
        found[f"API statistics' {name}"] = sum(item["count"] for item in api[name])
    for name in ("channels", "commenters"):
        found[f"API statistics' {name}"] = sum(api[name].values())
    # replies have no stance: counted beside the stances, together the opinions received
    found["API statistics' stances and replies"] = sum(api["stances"].values()) + api["replies"]
    feedback = text_of(client.get(f"/consultations/{consultation.id}/feedback"))
    found["feedback report"] = number(r"反馈意见(\d+)条", feedback)
    found["public work report"] = number(r"共收到意见 (\d+) 条", text_of(client.get("/consultations/report?year=2023")))
    found["staff work report"] = number(r"共收到意见 (\d+) 条", text_of(client.get("/office/report?year=2023")))
    workbook = load_workbook(io.BytesIO(client.get("/office/report.xlsx?year=2023").data))
    header, row = list(workbook["明细"].iter_rows(values_only=True))[:2]
    found["work report workbook"] = row[header.index("收到意见（条）")]
    digest = client.get(f"/office/consultations/{consultation.id}/digest.csv").get_data().decode("utf-8-sig")
    found["digest rows"] = len(list(csv.reader(io.StringIO(digest)))) - 1
    summary = list(load_workbook(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.xlsx").data))
                   .worksheets[0].iter_rows(values_only=True))
    found["digest's summary sentence"] = number(r"反馈意见(\d+)条", next(r[0] for r in summary if "反馈意见" in (r[0] or "")))
    found["digest's total of the parts"] = next(r[1] for r in summary if r[0] == "合计")
    found["responses page"] = number(r"共 (\d+) 条意见，已答复",
                                     text_of(client.get(f"/office/consultations/{consultation.id}/responses")))
    found["office dashboard"] = number(r"收到意见 (\d+) 条", text_of(client.get("/office/")))
    return found


def per_part_everywhere(client, consultation) -> dict[str, dict[str, int]]:
    """Each top-level part's count (and the whole draft's) as the statistics page, the API and the digest give it."""
    page = client.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    table = page[page.index("各部分收到的意见数（含下级条目）"):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr><th scope="row"(?: lang="[^"]+")?>([^<]+)</th><td class="number">(\d+)</td></tr>', table)
    api = client.get(f"/api/v1/consultations/{consultation.id}/statistics").get_json()
    summary = list(load_workbook(io.BytesIO(client.get(f"/office/consultations/{consultation.id}/digest.xlsx").data))
                   .worksheets[0].iter_rows(values_only=True))
    start = summary.index(("部分", "意见数")) + 1
    end = next(at for at, row in enumerate(summary) if at > start and row[0] == "合计")
    digest = {name: count for name, count in summary[start:end]}
    return {
        "statistics page": {name: int(count) for name, count in rows},
        "API statistics": {(s["section"] or {}).get("title", "对草案整体的意见"): s["count"] for s in api["sections"]},
        "digest": digest,
    }


def test_every_count_of_one_consultation_with_replies_spam_withdrawn_hidden_copies_and_letters_agrees(
        app, client, clock, login, office_consultation):
    consultation, comments = office_consultation  # goals, formula, whole (approved), pending: received; a spam
    goals = comments["goals"]
    office = db.session.scalar(select(User).where(User.email == "office@example.gov.cn"))
    clock.set(shanghai(2023, 5, 2, 10, 0))
    reply = submit_comment(consultation, "同意楼上。", "support", goals.section, parent=goals)
    approve_comment(reply)
    spam_reply = submit_comment(consultation, "加微信领红包", "suggest", goals.section, parent=goals)
    spam_reply.status = "spam"
    hidden = submit_comment(consultation, "这条意见被隐藏了。", "oppose", None)
    hidden.status = "hidden"
    withdrawn = submit_comment(consultation, "我想撤回这条意见。", "oppose", goals.section)
    copies = [submit_comment(consultation, "坚决反对取消老年人免费乘车的规定，请保留这一条。", "oppose", goals.section,
                             author_name=f"居民{n}") for n in range(3)]
    record_comment(consultation, office, channel="letter", received_on=shanghai(2023, 5, 2).date(), section_id=None,
                   body="来信：建议增加助餐点。", stance="suggest", author_name="某某协会", author_contact=None)
    db.session.commit()
    withdraw_comment(withdrawn, withdrawal_key(withdrawn.receipt_number), None)
    for copy in copies:
        approve_comment(copy)
    db.session.commit()
    group_new_comments()
    db.session.commit()
    assert len({db.session.get(Comment, c.id).form_letter_id or c.id for c in copies}) == 1  # one form letter

    clock.set(shanghai(2023, 5, 13, 9, 0))
    close_due_consultations()
    respond_to_comments(consultation, [goals], "adopted", "已补充。", "test")
    respond_to_comments(consultation, [db.session.get(Comment, copies[0].id)], "not_adopted", "已有规定。", "test")
    publish_responses(consultation, "test")
    db.session.commit()
    assert login("office@example.gov.cn").status_code == 302
    # goals, formula, whole, pending, the reply, the hidden one, three copies, the letter typed in
    first = counts_everywhere(client, consultation)
    assert first == dict.fromkeys(first, 10)

    # after the close: a letter posted before the deadline is typed in, and the hidden comment is found to be spam
    record_comment(consultation, office, channel="letter", received_on=shanghai(2023, 5, 12).date(), section_id=None,
                   body="来信：建议延长服务时间。", stance="support", author_name="张三", author_contact=None)
    db.session.commit()
    assert counts_everywhere(client, consultation) == dict.fromkeys(first, 11)
    hidden = db.session.get(Comment, hidden.id)
    assert moderate(office, "spam", [CommentSelection(hidden.id, hidden.moderation_version)], "hidden").done == 1
    db.session.commit()
    assert counts_everywhere(client, consultation) == dict.fromkeys(first, 10)

    parts = per_part_everywhere(client, consultation)
    expected = {"一、目标要求": 6, "二、主要任务": 1, "三、组织保障": 0, "附件 宿州市养老服务提升行动主要目标": 0,
                "对草案整体的意见": 3}
    assert parts == dict.fromkeys(parts, expected)
    summary = consultation.closing_summary
    assert "（8人、1个单位提出），涉及2个部分，另有3条针对全文。经认真研究，采纳1条，不采纳1条。" in summary
    report = text_of(client.get("/consultations/report?year=2023"))
    assert "采纳 1 条，部分采纳 0 条，不采纳 1 条，情况说明 0 条" in report
    api = client.get(f"/api/v1/consultations/{consultation.id}/statistics").get_json()
    # the reply (sent with "support" here; the reply page sends "suggest") is counted as a reply, not a stance
    assert api["stances"] == {"support": 2, "oppose": 4, "suggest": 3} and api["replies"] == 1
    assert api["channels"] == {"web": 8, "email": 0, "letter": 2, "fax": 0, "phone": 0, "in_person": 0, "meeting": 0}
    assert "其他方式收到 2 条，以单位名义提出 1 条" in report and api["organisations"] == 1
