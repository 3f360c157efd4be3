"""Hostile and broken files through the office's upload form: whatever the file, the office gets a plain refusal
in its language (Chinese, or English when it chose English) and nothing is stored, not even in part."""
import html
import re

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.consultations.models import Consultation
from portal.drafts.models import Draft, DraftTable, Section
from portal.extensions import db
from tests.helpers import docx_linking, docx_of, with_part, zip_with


def stored() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Consultation, Draft, Section, DraftTable, AuditEntry))


DOCX = docx_of(["关于养老服务的实施意见（征求意见稿）", "一、总体要求", "坚持以人为本。"])
NOT_DOCX_ZIP = with_part(DOCX, "word/document.xml", None)

# (file bytes, name, the message's words in Chinese, in English)
HOSTILE = [
    pytest.param(b"\x00" * 4096, "zeros.txt", "不是文本文件", "not a text file, a .docx or a pdf", id="nul-bytes"),
    pytest.param(b"\xef\xbb\xbf\x80\x81\x82", "bom.txt", "文字编码", "encoding", id="utf8-bom-not-utf8"),
    pytest.param(bytes(range(1, 32)) * 50, "control.txt", "不是文本文件", "not a text file, a .docx or a pdf",
                 id="control-characters"),
    pytest.param(DOCX[:len(DOCX) // 2], "cut.docx", "已损坏", "damaged", id="truncated-docx"),
    pytest.param(NOT_DOCX_ZIP, "other.docx", "已损坏", "damaged", id="zip-without-document"),
    pytest.param(with_part(DOCX, "word/document.xml", b"<x/>"), "nobody.docx", "已损坏", "damaged",
                 id="docx-without-body"),
    pytest.param(with_part(DOCX, "word/styles.xml", b"<x/>"), "styles.docx", "已损坏", "damaged",
                 id="docx-with-junk-styles"),
    pytest.param(docx_of(["", "  "]), "blank.docx", "文件是空的", "empty", id="blank-docx"),
    # ZIP bombs (25 kB each): python-docx loads a part wherever a relationship points; every member counts
    pytest.param(docx_linking(DOCX, "docProps/huge.bin", b"\x00" * 25 * 1024 * 1024), "bomb.docx", "解压后太大",
                 "too large once unpacked", id="zip-bomb-linked-part"),
    pytest.param(zip_with(DOCX, {"word/padding.xml": b"<w:p/>" * (4 * 1024 * 1024)}), "many.docx", "解压后太大",
                 "too large once unpacked", id="zip-bomb-xml"),
    pytest.param("\u3000\r\n\t\u200b\r\n".encode("utf-8"), "spaces.txt", "文件是空的", "empty", id="only-spaces"),
    pytest.param("没有编号标题的文字。\r\n又一段。".encode("gb18030"), "plain.txt", "编号标题", "numbered heading",
                 id="gb18030-without-headings"),
    pytest.param("没有编号标题的文字。".encode("utf-16"), "plain16.txt", "编号标题", "numbered heading",
                 id="utf16-without-headings"),
]


def refusal(response) -> str:
    """The text of the upload page's error summary."""
    page = response.get_data(as_text=True)
    assert response.status_code == 422, (response.status_code, page[:500])
    summary = re.search(r'(?s)<div class="error-summary".*?</div>', page)
    assert summary, page[:2000]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", summary.group(0))).split())


@pytest.mark.parametrize("data, filename, chinese, english", HOSTILE)
def test_a_hostile_file_is_refused_in_chinese_and_nothing_is_stored(app, client, office, submit, data, filename,
                                                                    chinese, english):
    text = refusal(submit("/office/upload", file=(data, filename)))
    assert "文件没有上传成功" in text and chinese in text, text
    assert stored() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("data, filename, chinese, english", HOSTILE)
def test_a_hostile_file_is_refused_in_english_when_the_office_reads_english(
        app, client, office, submit, data, filename, chinese, english):
    client.get("/settings/language/en")
    text = refusal(submit("/office/upload", file=(data, filename)))
    assert english in text.lower() and not re.search(r"[\u3400-\u9fff]", text), text
    assert stored() == (0, 0, 0, 0, 0)


OVERSIZED = "\n".join([
    "来源：" + "某某市民政局" * 100,  # a page's source line: the issuer, 600 characters
    "《" + "某某市养老服务方案" * 60 + "》出台",  # a page headline: the title, 540 characters
    "第" + "一二三四五六七八九十" * 8 + "章 总则",  # a label of 82 characters
    "第一条 内容。",
    "第二章 " + "保障" * 300,  # a heading of 600 characters, the title of the table below it
    "指标 | 目标",
    "床位 | 100张",
]).encode("utf-8")


def test_fields_longer_than_their_columns_are_stored_shortened_not_refused_with_a_server_error(
        app, client, office, submit):
    # SQLite does not enforce lengths, PostgreSQL does: there the upload failed with a server error
    response = submit("/office/upload", file=(OVERSIZED, "x" * 400 + ".txt"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    consultation = db.session.scalars(select(Consultation)).one()
    assert len(consultation.title) <= 500 and consultation.title.startswith("某某市养老服务方案")
    assert len(consultation.issuer) <= 200 and consultation.issuer.startswith("某某市民政局")
    draft = consultation.current_draft
    assert len(draft.source_filename) <= 300
    assert all(len(s.label) <= 50 and len(s.anchor) <= 50 for s in draft.sections)
    assert len(draft.tables[0].title) <= 500


@pytest.mark.parametrize("language, words", [("zh", "没能读出分段"), ("en", "could not be read")])
def test_a_file_the_parser_trips_over_is_refused_plainly_and_nothing_is_stored(app, client, office, submit,
                                                                               monkeypatch, caplog, language, words):
    """A parser bug on some unforeseen file must not give the office a server error (a "24时" deadline once
    did): it gets a plain refusal in its language, the cause goes to the log, and nothing is stored."""
    from portal.drafts import services

    def trips(text):
        raise ValueError("hour must be in 0..23")

    monkeypatch.setattr(services, "parse_draft", trips)
    if language == "en":
        client.get("/settings/language/en")
    text = refusal(submit("/office/upload", file=("一、总则\n内容。".encode("utf-8"), "draft.txt")))
    assert "文件没有上传成功" in text or language == "en"
    assert words in text, text
    assert stored() == (0, 0, 0, 0, 0)
    assert "hour must be in 0..23" in caplog.text
