"""``flask drafts parse`` / ``flask drafts import`` end to end: seeds, .docx, GB18030 and bad input."""
import io
import json

import pytest
from docx import Document
from sqlalchemy import func, select

from portal.consultations.models import Consultation
from portal.drafts.models import Section
from portal.extensions import db


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_parse_prints_unescaped_json_with_the_notice_fields(app, seed_path):
    result = run(app, "drafts", "parse", str(seed_path("003")))
    assert result.exit_code == 0, result.output
    assert "李麒麟" in result.stdout  # UTF-8, not \\u escapes
    parsed = json.loads(result.stdout)
    assert parsed["title"].startswith("健全基本养老服务体系促进养老服务高质量发展三年行动方案")
    assert parsed["addressee"] == "社会各界、广大居民群众"
    assert parsed["deadline"] == "2023-05-12T23:59:59+08:00"
    assert parsed["notice_date"] == "2023-04-12"
    assert parsed["contact"]["person"] == "李麒麟"
    assert parsed["contact"]["phones"] == ["3255022", "18005572983"]
    assert parsed["contact"]["emails"] == ["2019787574@qq.com"]
    assert parsed["contact"]["office"] == "市养老服务体系建设工作领导小组办公室"
    for key in ("issuer", "sections", "tables"):
        assert key in parsed
    assert {"label", "level", "heading", "text", "units", "children"} <= set(parsed["sections"][0])


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_imports_as_an_unpublished_consultation(app, client, seed_path, prefix):
    result = run(app, "drafts", "import", str(seed_path(prefix)))
    assert result.exit_code == 0, result.output
    with app.app_context():
        consultation = db.session.scalars(select(Consultation)).one()
        assert consultation.published_at is None
        assert len(consultation.current_draft.sections) > 10
        cid = consultation.id
    assert client.get(f"/consultations/{cid}").status_code == 404


def test_imported_sections_keep_tree_units_and_tables(app, seed_path):
    assert run(app, "drafts", "import", str(seed_path("003"))).exit_code == 0
    with app.app_context():
        draft = db.session.scalars(select(Consultation)).one().current_draft
        tasks = next(s for s in draft.top_sections if "主要任务" in s.heading)
        assert len(tasks.children) == 10
        assert all(child.parent_id == tasks.id and child.level == 2 for child in tasks.children)
        assert any(s.unit_names for s in draft.sections)
        assert draft.tables and draft.tables[0].section is not None
        assert any("护理型床位占比" in cell for row in draft.tables[0].rows for cell in row)
        anchors = [s.anchor for s in draft.sections]
        assert len(anchors) == len(set(anchors))


def _docx_from_seed(text: str) -> bytes:
    """A .docx as an office has it: one paragraph per line, and the appendix as a real Word table."""
    document = Document()
    lines = text.splitlines()
    table_start = next(i for i, line in enumerate(lines) if line.strip() == "指标名称 |")
    for line in lines[:table_start]:
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=4)
    header = table.add_row().cells
    for cell, value in zip(header, ["类别", "指标名称", "2025年目标值", "指标属性"]):
        cell.text = value
    for row in [("老年人福利", "不能自理特困人员集中供养率", "60%", "预期性"), ("机构养老", "护理型床位占比", "75%", "约束性")]:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = value
    document.add_paragraph(lines[-1])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_gives_the_same_notice_and_outline_as_text(app, seed_path, tmp_path):
    text = seed_path("003").read_text(encoding="utf-8")
    docx_path = tmp_path / "draft.docx"
    docx_path.write_bytes(_docx_from_seed(text))
    from_docx = json.loads(run(app, "drafts", "parse", str(docx_path)).stdout)
    from_text = json.loads(run(app, "drafts", "parse", str(seed_path("003"))).stdout)
    for key in ("title", "addressee", "deadline", "contact", "notice_date", "issuer"):
        assert from_docx[key] == from_text[key], key

    def outline(sections):
        return [(s["level"], s["label"], [c["label"] for c in s["children"]]) for s in sections]

    assert outline(from_docx["sections"]) == outline(from_text["sections"])
    rows = [row for table in from_docx["tables"] for row in table["rows"]]
    assert ["机构养老", "护理型床位占比", "75%", "约束性"] in rows


def test_gb18030_text_is_detected_and_decoded(app, seed_path, tmp_path):
    text = seed_path("003").read_text(encoding="utf-8")
    gb_path = tmp_path / "gb.txt"
    gb_path.write_bytes(text.encode("gb18030"))
    result = run(app, "drafts", "parse", str(gb_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["contact"]["person"] == "李麒麟"
    assert run(app, "drafts", "import", str(gb_path)).exit_code == 0
    with app.app_context():
        assert "李麒麟" in db.session.scalars(select(Consultation)).one().contact_person


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("empty.txt", b"", "空"),
        ("blank.txt", b"  \n\n \r\n", "空"),
        ("image.txt", bytes(range(256)) * 20, "不是文本文件"),
        ("png.docx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "不是文本文件"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".docx"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 200, "无法打开"),
        ("prose.txt", "这是一段没有任何编号标题的文字。\n只有两行。\n".encode(), "编号标题"),
    ],
)
def test_bad_input_gives_a_clear_message_and_stores_nothing(app, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    for command in ("parse", "import"):
        result = run(app, "drafts", command, str(path))
        assert result.exit_code == 1
        assert words in result.output
        assert "Traceback" not in result.output
    with app.app_context():
        assert count(Consultation) == 0
        assert count(Section) == 0
