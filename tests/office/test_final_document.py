"""The policy as finally issued (正式文件): published by the office once the consultation has closed, shown beside the
consultation with, part by part, what changed from the draft consulted on; in the API and the sitemap; its followers
told once; corrected or taken away again, audited."""
import re

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.consultations.final_document import flat_sections, issued_title
from portal.consultations.models import Consultation, FinalDocument
from portal.extensions import db
from tests.helpers import docx_of, shanghai


def final_url(consultation) -> str:
    return f"/office/consultations/{consultation.id}/final-document"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def issued_lines(consultation) -> tuple[list[str], str, str]:
    """The consulted draft's top-level parts as a policy's paragraphs: the first part's text changed, the last one
    taken out, a part added; and the words changed and added."""
    parts = [s for s in consultation.current_draft.sections if s.parent_id is None]
    lines = ["关于健全基本养老服务体系促进养老服务高质量发展的三年行动方案"]
    first_text = parts[0].text.split("\n")[0]
    changed = first_text[:6]
    for index, part in enumerate(parts[:-1]):
        lines.append(f"{part.label}{part.heading}")
        text = part.text.replace(changed, changed + "并建立评估制度", 1) if index == 0 else part.text
        lines.extend(line for line in text.split("\n") if line.strip())
    lines += ["五、附则", "本方案自印发之日起施行。"]
    return lines, changed, parts[-1].heading


def test_the_title_and_sections_are_read_as_the_policy_issued():
    assert issued_title(None, "某某办法（征求意见稿）") == "某某办法"
    assert issued_title("某某办法（送审稿）", "x") == "某某办法"
    assert issued_title("某某办法", "x") == "某某办法"
    nested = [{"label": "一、", "heading": "总则", "text": "", "children": [
        {"label": "（一）", "heading": "目标", "text": "到2025年。"}]}]
    assert flat_sections(nested) == [
        {"path": ["一、"], "label": "一、", "heading": "总则", "text": "", "level": 1},
        {"path": ["一、", "（一）"], "label": "（一）", "heading": "目标", "text": "到2025年。", "level": 2}]


def test_the_office_publishes_the_policy_issued_and_the_public_sees_what_changed(app, client, clock, consultation,
                                                                                 office, submit):
    lines, changed, removed = issued_lines(consultation)
    page = client.get(final_url(consultation)).get_data(as_text=True)
    assert "征求意见还没有截止" in page
    refused = submit(f"/office/consultations/{consultation.id}/comments/new", final_url(consultation),  # none offered
                     file=(docx_of(lines), "正式文件.docx"), issued_on="2023-05-10")
    assert refused.status_code == 422 and "截止以后才能公布正式文件" in refused.get_data(as_text=True)
    assert db.session.scalars(select(FinalDocument)).all() == []

    clock.set(shanghai(2023, 6, 20, 10, 0))
    review = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)
    assert f'href="{final_url(consultation)}">公布正式印发的文件</a>' in review
    for fields, message in [
        ({"issued_on": "2023-06-01"}, "请上传正式印发的文件。"),
        ({"file": (docx_of(lines), "正式文件.docx"), "issued_on": "2023-05-01"}, "印发日期不能早于征求意见截止的日期"),
        ({"file": (docx_of(lines), "正式文件.docx"), "issued_on": "2023-07-01"}, "印发日期不能晚于今天。"),
        ({"file": (docx_of(lines), "正式文件.docx"), "issued_on": ""}, "请填写印发日期。"),
        ({"file": (b"\x00\x01binary", "x.docx"), "issued_on": "2023-06-01"}, "docx"),
    ]:
        response = submit(final_url(consultation), **fields)
        assert response.status_code == 422 and message in response.get_data(as_text=True), (fields, message)
    assert db.session.scalars(select(FinalDocument)).all() == []

    response = submit(final_url(consultation), file=(docx_of(lines), "正式文件.docx"), title="",
                      document_number="宿民发〔2023〕12号", issued_on="2023-06-15",
                      note="根据征求意见情况，增加了评估制度，删去了一部分内容。")
    assert response.status_code == 302
    public_url = f"/consultations/{consultation.id}/final"
    assert response.headers["Location"].endswith(public_url)
    html = client.get(public_url).get_data(as_text=True)
    text = text_of(html)
    assert "关于健全基本养老服务体系促进养老服务高质量发展的三年行动方案" in text
    assert "宿民发〔2023〕12号" in text and "2023年6月15日" in text and "增加了评估制度" in text
    assert f"{changed}<ins>并建立评估制度</ins>" in html  # the words added, marked
    assert "新增" in text and "五、附则" in text and "本方案自印发之日起施行。" in text
    assert "删去" in text and removed in text
    assert f'href="/consultations/{consultation.id}/sections/' in html  # the draft's part and its comments

    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)})
    overview = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '这份草案已于 <span class="unbroken">2023年6月15日</span> 正式印发：' in overview and f'href="{public_url}"' in overview
    listed = client.get("/consultations/", query_string={"state": "closed"}).get_data(as_text=True)
    assert '<span class="tag tag-issued">已正式印发</span>' in listed  # the list says so too
    from tests.api.test_public_api import get_json

    reader = app.test_client()  # a reader without a session
    detail = get_json(reader, f"/api/v1/consultations/{consultation.id}", schema="Consultation")["final_document"]
    assert detail["document_number"] == "宿民发〔2023〕12号" and detail["issued_on"] == "2023-06-15"
    assert detail["url"].endswith(public_url) and detail["sections"][-1]["heading"] == "附则"
    assert public_url in client.get("/sitemap.xml").get_data(as_text=True)
    comparison = client.get(f"{public_url}/comparison.docx")
    assert comparison.status_code == 200 and "attachment" in comparison.headers["Content-Disposition"]
    import io

    import docx

    word = docx.Document(io.BytesIO(comparison.data))
    assert "修改对照表" in word.paragraphs[0].text and "宿民发〔2023〕12号" in "\n".join(p.text for p in word.paragraphs)
    (table,) = word.tables
    assert [c.text for c in table.rows[0].cells] == ["序号", "征求意见稿", "正式文件", "说明"]
    marks = {(run.text, bool(run.font.underline), bool(run.font.strike)) for row in table.rows[1:] for cell in row.cells
             for paragraph in cell.paragraphs for run in paragraph.runs}
    assert ("并建立评估制度", True, False) in marks  # the words added, underlined in the policy's column
    rows = {row.cells[3].text: row for row in table.rows[1:]}
    assert "本方案自印发之日起施行。" in rows["新增"].cells[2].text and rows["新增"].cells[1].text == ""
    assert any(removed in row.cells[1].text and row.cells[3].text == "删去" for row in table.rows[1:])
    report = client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)
    assert f'<a href="{public_url}" lang="zh-CN">《关于健全基本养老服务体系促进养老服务高质量发展的三年行动方案》</a>' in report
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "publish_final")).one()
    assert entry.after["document_number"] == "宿民发〔2023〕12号" and entry.after["file"] == "正式文件.docx"


def test_a_correction_keeps_the_text_and_taking_it_away_hides_it(app, client, clock, consultation, office, submit):
    lines, _changed, _removed = issued_lines(consultation)
    clock.set(shanghai(2023, 6, 20, 10, 0))
    submit(final_url(consultation), file=(docx_of(lines), "正式文件.docx"), issued_on="2023-06-15")
    corrected = submit(final_url(consultation), title="关于健全基本养老服务体系的三年行动方案", issued_on="2023-06-16",
                       document_number="宿民发〔2023〕13号")
    assert corrected.status_code == 302
    (document,) = db.session.scalars(select(FinalDocument)).all()
    db.session.refresh(document)
    assert (document.title, document.document_number, document.issued_on.isoformat()) == (
        "关于健全基本养老服务体系的三年行动方案", "宿民发〔2023〕13号", "2023-06-16")
    assert document.sections[-1]["heading"] == "附则"  # the text kept
    page = client.get(final_url(consultation)).get_data(as_text=True)
    assert 'value="宿民发〔2023〕13号"' in page and "保存更正" in page

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    removed = client.post(final_url(consultation), data={"csrf_token": token, "action": "remove"})
    assert removed.status_code == 302
    assert db.session.scalars(select(FinalDocument)).all() == []
    assert db.session.get(Consultation, consultation.id).final_published_at is None
    assert client.get(f"/consultations/{consultation.id}/final").status_code == 404
    assert "正式印发" not in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("%final"))).all()
    assert sorted(actions) == ["publish_final", "publish_final", "remove_final"]


def test_another_office_cannot_publish_it(client, clock, consultation, make_staff, login, submit):
    make_staff("office", "other@example.gov.cn", "市卫生健康委")
    login("other@example.gov.cn")
    clock.set(shanghai(2023, 6, 20, 10, 0))
    assert client.get(final_url(consultation)).status_code in (403, 404)


def test_tables_are_compared_row_by_row_and_cell_by_cell():
    from portal.consultations.final_document import table_changes, table_note

    old = [{"title": "主要目标", "header": ["指标", "目标值"], "rows": [["供养率", "60%"], ["探访率", "100%"],
                                                                          ["床位数", "5000张"]]}]
    new = [{"title": "主要目标", "header": ["指标", "目标值"], "rows": [["供养率", "70%"], ["床位数", "5000张"],
                                                                          ["助餐点", "200个"]]}]
    (change,) = table_changes(old, new)
    assert change.status == "changed" and [kind for kind, _cells in change.rows] == [
        "changed", "delete", "equal", "insert"]
    assert change.rows[0][1][1] == [("delete", "6"), ("insert", "7"), ("equal", "0%")]
    assert table_note(change) == "（表格“主要目标”：增加1行，删去1行，修改1行）"
    assert table_changes(old, old) == []
    (added,) = table_changes([], new)
    assert added.status == "new" and table_note(added) == "（新增表格“主要目标”，3行）"
    (taken,) = table_changes(old, [])
    assert taken.status == "removed" and taken.rows[0] == ("delete", [[("delete", "供养率")], [("delete", "60%")]])


def test_a_table_of_the_policy_issued_is_compared_with_the_draft_s(app, client, clock, consultation, office, submit,
                                                                    seed_path):
    """The policy issued is the draft's text with one cell of its table changed (60% → 70%): the part holding the table
    is changed, its table shown with the cell's change marked, the comparison document says so."""
    import io

    import docx

    clock.set(shanghai(2023, 6, 20, 10, 0))
    text = seed_path("003").read_text(encoding="utf-8").replace("60% |", "70% |", 1)
    response = submit(final_url(consultation), file=(text.encode("utf-8"), "正式文件.txt"), title="",
                      document_number="", issued_on="2023-06-15", note="")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = client.get(f"/consultations/{consultation.id}/final").get_data(as_text=True)
    assert "修改的表格：宿州市养老服务提升行动主要目标" in html
    assert "<del>6</del><ins>7</ins>0%" in html
    assert "1 个部分有修改" in html  # only the table changed
    assert "<caption>宿州市养老服务提升行动主要目标</caption>" in html  # the whole text shows the table too
    word = docx.Document(io.BytesIO(client.get(f"/consultations/{consultation.id}/final/comparison.docx").data))
    (table,) = word.tables
    assert any("（表格“宿州市养老服务提升行动主要目标”：修改1行）" in row.cells[2].text for row in table.rows[1:])
    from tests.api.test_public_api import get_json

    sections = get_json(app.test_client(), f"/api/v1/consultations/{consultation.id}", schema="Consultation")[
        "final_document"]["sections"]
    (kept,) = [t for part in sections for t in part["tables"]]
    assert kept["title"] == "宿州市养老服务提升行动主要目标" and ["不能自理特困人员集中供养率", "70%", "预期性"] in [
        row[-3:] for row in kept["rows"]]
