"""Digest downloads, opened with their reader libraries: csv, openpyxl, python-docx."""
import csv
import io

import docx
import openpyxl
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.responses.services import respond_to_comments
from tests.helpers import csrf_token, shanghai

SECTION_SHEETS = ["一、目标要求", "二、主要任务", "三、组织保障", "附件 宿州市养老服务提升行动主要目标", "对草案整体的意见"]
CONTACTS = ("138 0013 8000", "13800138000", "spam@example.com")


def download(client, consultation, fmt, query=""):
    response = client.get(f"/office/consultations/{consultation.id}/digest.{fmt}{query}")
    assert response.status_code == 200, response.status_code
    return response


def no_contacts(text: str) -> None:
    for contact in CONTACTS:
        assert contact not in text


def test_csv_is_utf8_with_bom_and_neutralises_formulas(app, client, login, office_consultation):
    consultation, comments = office_consultation
    respond_to_comments(consultation, [comments["goals"]], "adopted", "已补充。", "test")
    db.session.commit()
    login("office@example.gov.cn")
    response = download(client, consultation, "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # said once
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["序号", "章节", "针对原文", "意见", "建议修改为", "态度", "提出人", "提出单位", "单位类别", "回执号", "提交时间", "收到方式", "审核状态", "答复", "理由", "答复是否公布", "附件", "附件文字（系统读出）",
                       "责任单位建议", "针对的问题", "赞同人数"]
    assert len(rows) == 1 + 4  # spam excluded
    assert [r[3] for r in rows[1:]] == [
        "建议明确养老服务中心的建设标准。", "社区食堂要多开几家。", "'=HYPERLINK(\"http://evil.example\",\"点我\")",
        "整体赞成。\n希望尽快实施。",
    ]
    assert rows[1][:7] == ["1", "一、目标要求", "", "建议明确养老服务中心的建设标准。", "", "建议", "王大爷"]
    assert rows[1][7:9] == ["", ""]  # no organisation: 提出单位, 单位类别 empty
    assert rows[1][13:] == ["采纳", "已补充。", "未公布", "", "", "", "", "0"]
    assert rows[4][1] == "草案整体" and rows[4][6] == "匿名"
    no_contacts(text)


def test_xlsx_has_a_summary_sheet_and_one_sheet_per_top_level_section(app, client, login, office_consultation):
    consultation, _ = office_consultation
    login("office@example.gov.cn")
    book = openpyxl.load_workbook(io.BytesIO(download(client, consultation, "xlsx").data))
    assert book.sheetnames == ["汇总"] + SECTION_SHEETS
    summary = [row for row in book["汇总"].iter_rows(values_only=True)]
    assert summary[0][0] == "《健全基本养老服务体系促进养老服务高质量发展三年行动方案（征求意见稿）》公开征求意见意见汇总（中期汇总）"
    assert ("汇总类型", "中期汇总（征求意见尚未截止）") in [tuple(r[:2]) for r in summary]
    assert ("一、目标要求", 2) in [tuple(r[:2]) for r in summary] and ("合计", 4) in [tuple(r[:2]) for r in summary]

    goals = book["一、目标要求"]
    values = list(goals.iter_rows(values_only=True))
    assert values[0][:4] == ("序号", "章节", "针对原文", "意见") and len(values) == 3
    assert values[1][3] == "建议明确养老服务中心的建设标准。" and values[2][3] == "社区食堂要多开几家。"
    assert goals.freeze_panes == "A2" and goals.auto_filter.ref == "A1:U3"
    assert goals.column_dimensions["D"].width >= 40 and goals.column_dimensions["A"].width >= 6
    tasks = list(book["二、主要任务"].iter_rows(values_only=True))
    assert tasks[1][1] == "(一)老年友好社会创建提升行动"
    assert tasks[1][3] == "'=HYPERLINK(\"http://evil.example\",\"点我\")"  # text, not a formula
    assert book["二、主要任务"]["D2"].data_type == "s"
    assert len(list(book["三、组织保障"].iter_rows())) == 1  # header only
    assert list(book["对草案整体的意见"].iter_rows(values_only=True))[1][3] == "整体赞成。\n希望尽快实施。"
    everything = "".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v)
    no_contacts(everything)


def test_docx_reads_like_a_notice_with_a_table_per_section(app, client, clock, login, office_consultation):
    consultation, comments = office_consultation
    respond_to_comments(consultation, [comments["whole"]], "explained", "将在实施细则中考虑。", "test")
    db.session.commit()
    clock.set(shanghai(2023, 5, 13, 9, 0))  # closed: a final digest
    login("office@example.gov.cn")
    document = docx.Document(io.BytesIO(download(client, consultation, "docx").data))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0] == "《健全基本养老服务体系促进养老服务高质量发展三年行动方案（征求意见稿）》公开征求意见意见汇总"
    assert "截止到5月12日，共收到社会各界、广大居民群众反馈意见4条（3人提出），涉及2个部分，另有1条针对全文。" in paragraphs
    assert "一、目标要求（2条）" in paragraphs and "对草案整体的意见（1条）" in paragraphs
    assert not any("中期汇总" in p for p in paragraphs)
    assert len(document.tables) == 5
    header = [c.text for c in document.tables[0].rows[0].cells]
    assert header == ["序号", "意见", "提出人", "答复", "理由"]
    goals = [[c.text for c in row.cells] for row in document.tables[0].rows[1:]]
    assert goals == [["1", "建议明确养老服务中心的建设标准。", "王大爷", "", ""], ["2", "社区食堂要多开几家。", "王大爷", "", ""]]
    # a comment on a subsection names it: the table is its top-level section's (二、主要任务)
    tasks = [[c.text for c in row.cells] for row in document.tables[1].rows[1:]]
    assert tasks[0][1] == "章节：(一)老年友好社会创建提升行动\n=HYPERLINK(\"http://evil.example\",\"点我\")"
    whole = [[c.text for c in row.cells] for row in document.tables[4].rows[1:]]
    assert whole == [["4", "整体赞成。\n希望尽快实施。", "匿名", "情况说明", "将在实施细则中考虑。"]]
    assert document.tables[2].rows[1].cells[0].text == "本部分未收到意见。"
    assert round(document.sections[0].left_margin.mm) == 28
    no_contacts("".join(c.text for t in document.tables for r in t.rows for c in r.cells))


def test_interim_docx_while_open(app, client, login, office_consultation):
    consultation, _ = office_consultation
    login("office@example.gov.cn")
    response = download(client, consultation, "docx")
    assert "%E4%B8%AD%E6%9C%9F%E6%B1%87%E6%80%BB" in response.headers["Content-Disposition"]  # 中期汇总
    paragraphs = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert paragraphs[0].endswith("意见汇总（中期汇总）")
    assert "征求意见尚未截止。截至2023年5月1日 09:00，已收到反馈意见4条，本汇总为中期汇总。" in paragraphs


def test_contacts_only_after_confirmation_and_logged(app, client, login, office_consultation):
    consultation, _ = office_consultation
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/digest.xlsx?contacts=1"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "会记录在操作日志中" in confirm.get_data(as_text=True)
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_contacts")).all() == []

    token = csrf_token(client, url)
    unconfirmed = client.post(url, data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and "请勾选确认后再下载" in unconfirmed.get_data(as_text=True)

    response = client.post(url, data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    goals = list(book["一、目标要求"].iter_rows(values_only=True))
    assert goals[0][7] == "联系方式" and goals[1][7] == "138 0013 8000"
    assert list(book["二、主要任务"].iter_rows(values_only=True))[1][7] == "'+86 13800138000"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_contacts")).one()
    assert entry.after == {"format": "xlsx", "comments": 4} and entry.consultation_id == consultation.id
    assert entry.actor_label.endswith("<office@example.gov.cn>")


def test_a_reply_says_which_comment_it_answers_in_the_digest_and_the_answering_list(app, client, login, office_consultation):
    """A reply ("同意楼上的意见") has no stance of its own: the digest's 态度 column and the office's answering list say
    回复 and the receipt number of the comment it answers, where they said 建议 and left the office guessing."""
    from tests.helpers import post_comment, receipt_from

    consultation, comments = office_consultation
    whole = comments["whole"]
    reply = receipt_from(post_comment(client, consultation, f"/consultations/{consultation.id}/comments/{whole.id}/reply",
                                      body="同意楼上的意见，我们村也缺助餐点。", parent_id=whole.id))
    login("office@example.gov.cn")
    rows = list(csv.reader(io.StringIO(download(client, consultation, "csv").data.decode("utf-8-sig"))))
    by_receipt = {row[9]: row for row in rows[1:]}
    assert by_receipt[reply][3] == "同意楼上的意见，我们村也缺助餐点。"
    assert by_receipt[reply][5] == f"回复 {whole.receipt_number}"
    assert by_receipt[whole.receipt_number][5] == "赞成"  # a comment keeps its stance

    page = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    item = page[page.index(f"<span>{reply}</span>"):]
    item = item[:item.index("</p>")]
    assert f"回复 {whole.receipt_number}" in item and "建议" not in item
