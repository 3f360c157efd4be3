"""The draft as a Word document to download: every section, paragraph, responsible unit and table of the public
page, in order, in a file Word opens and the portal itself reads back into the same outline."""
import io
import re
from urllib.parse import unquote

import pytest
from docx import Document

from portal.drafts.parser import parse_draft
from portal.drafts.readers import read_draft
from portal.extensions import db
from tests.helpers import shanghai

SEEDS = ["000", "001", "002", "003", "004"]


@pytest.fixture
def published(app, clock, import_seed):
    def publish(prefix: str):
        clock.set(shanghai(2023, 4, 20, 9, 0))
        return import_seed(prefix, opens=shanghai(2023, 4, 20, 9, 0), deadline=shanghai(2023, 5, 20, 23, 59, 59))

    return publish


def download(client, consultation):
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+/draft\.docx)" download>下载征求意见稿（Word 文档）</a>', page).group(1)
    return client.get(link)


def document_text(data: bytes) -> str:
    """Every paragraph and every table cell, in the order of the document."""
    document = Document(io.BytesIO(data))
    parts = []
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}p"):
            parts.append("".join(node.text or "" for node in block.iter() if node.tag.endswith("}t")))
        elif block.tag.endswith("}tbl"):
            for cell in block.iter():
                if cell.tag.endswith("}tc"):
                    parts.append("".join(node.text or "" for node in cell.iter() if node.tag.endswith("}t")))
    return "\n".join(parts)


def in_order(haystack: str, needles: list[str]) -> bool:
    at = 0
    for needle in needles:
        found = haystack.find(needle, at)
        if found < 0:
            return False
        at = found + len(needle)
    return True


@pytest.mark.parametrize("prefix", SEEDS)
def test_the_document_holds_the_whole_draft_in_order(client, published, prefix):
    consultation = published(prefix)
    response = download(client, consultation)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    text = document_text(response.data)
    draft = consultation.current_draft
    assert text.startswith(consultation.title)
    assert "征求意见时间：2023年4月20日至2023年5月20日" in text
    assert f"/consultations/{consultation.id}" in text
    expected = []
    for section in draft.sections:
        if section.run_in:
            expected.append(section.label)
        elif section.kind == "appendix":  # "附件1" above the appendix's own title
            expected += [section.label, section.heading]
        else:
            expected.append(section.label + section.heading)
        expected += [line for line in section.text.split("\n") if line.strip()]
        if section.lead_units:  # as the section page: 牵头单位 apart from 配合单位 (seed 002 marks them with *)
            others = "；配合单位：" + "、".join(section.other_units) if section.other_units else ""
            expected.append("（牵头单位：" + "、".join(section.lead_units) + others + "）")
        elif section.unit_names:
            expected.append("（责任单位：" + "、".join(section.unit_names) + "）")
        for table in section.tables:
            expected += [cell for row in [table.header, *table.rows] for cell in row if cell]
    assert in_order(text, [e.strip() for e in expected if e.strip()])
    for table in draft.tables:
        assert all(cell in text for row in table.rows for cell in row if cell)
    if prefix == "002":
        assert "（牵头单位：市民政局、市卫健委；配合单位：市财政局、市残联、各县<市、区>政府、温州海经区管委会）" in text


@pytest.mark.parametrize("prefix", SEEDS)
def test_the_portal_reads_its_own_document_back_into_the_same_outline(client, published, prefix):
    consultation = published(prefix)
    parsed = parse_draft(read_draft(download(client, consultation).data, "draft.docx"))
    outline = [(s.level, s.label) for s in parsed.all_sections()] if hasattr(parsed, "all_sections") else None
    if outline is None:
        outline = []

        def walk(sections):
            for section in sections:
                outline.append((section.level, section.label))
                walk(section.children)

        walk(parsed.sections)
    assert outline == [(s.level, s.label) for s in consultation.current_draft.sections]


def test_the_file_is_named_after_the_title_and_every_version_has_one(client, published, app):
    consultation = published("003")
    response = download(client, consultation)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    name = unquote(re.search(r"filename\*=UTF-8''([^;]+)", disposition).group(1))
    assert name == f"{consultation.title}.docx"
    assert client.get(f"/consultations/{consultation.id}/versions/2/draft.docx").status_code == 404


def test_hostile_and_invisible_characters_do_not_break_the_document(client, published):
    consultation = published("003")
    section = consultation.current_draft.sections[0]
    section.heading = '<script>alert(1)</script>\x0b目标"/\\要求'
    consultation.title = 'a/b:c*?"<>|\x01标题'
    db.session.commit()
    response = download(client, consultation)
    assert response.status_code == 200
    text = document_text(response.data)
    assert '<script>alert(1)</script>目标"/\\要求' in text
    name = unquote(re.search(r"filename\*=UTF-8''([^;]+)", response.headers["Content-Disposition"]).group(1))
    assert name == "abc标题.docx"


def test_an_unpublished_draft_cannot_be_downloaded(client, import_seed):
    consultation = import_seed("003", publish=False)
    assert client.get(f"/consultations/{consultation.id}/versions/1/draft.docx").status_code == 404


def test_under_its_title_the_document_prints_the_qr_code_of_the_consultations_page(app, client, published):
    import zipfile

    from portal.core.qr import qr_png

    consultation = published("003")
    app.config["PORTAL_BASE_URL"] = "https://yjzj.example.gov.cn"
    data = download(client, consultation).data
    link = f"https://yjzj.example.gov.cn/consultations/{consultation.id}"
    assert f"在线阅读和发表意见：{link}" in document_text(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pictures = [archive.read(name) for name in archive.namelist() if name.startswith("word/media/")]
    assert pictures == [qr_png(link)]  # the code of exactly that address


def test_the_readers_copy_ends_with_the_offices_key_points_and_terms_and_the_offices_own_copies_do_not(
        app, client, published, make_user, login):
    from portal.units.models import Unit
    from sqlalchemy import select

    consultation = published("003")
    section = consultation.current_draft.sections[0]
    section.key_points = "到2025年底基本建成养老服务网络。\n重点照顾失能老人。"
    consultation.terms = [{"term": "普惠型养老", "explanation": "面向大多数老年人、价格能承受的养老服务。"}]
    db.session.commit()
    text = document_text(download(client, consultation).data)
    aids = text[text.index("附：阅读说明"):]
    assert "不是征求意见稿的正文" in aids
    assert aids.index("一、要点解读") < aids.index(f"{section.title}：到2025年底基本建成养老服务网络。") \
        < aids.index("重点照顾失能老人。") < aids.index("二、术语解释") \
        < aids.index("普惠型养老：面向大多数老年人、价格能承受的养老服务。")

    # the copies the office edits or files are the draft alone
    make_user("office", unit_name="市民政局")
    consultation.owner_unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市民政局"))
    db.session.commit()
    login("office@example.gov.cn")
    annotated = client.get(f"/office/consultations/{consultation.id}/annotated.docx")
    assert annotated.status_code == 200 and "阅读说明" not in document_text(annotated.data)


def test_a_draft_without_key_points_or_terms_has_no_reading_aids(client, published):
    assert "阅读说明" not in document_text(download(client, published("001")).data)
