"""The explanatory note (起草说明): uploaded as .docx or .txt or typed in by the office, published beside the draft,
replaced or taken away while the consultation is not closed, audited."""
import re

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.helpers import docx_of, shanghai

NOTE = ["一、起草背景", "为贯彻落实国家关于养老服务的部署，制定本方案。", "二、主要内容", "（一）总体目标",
        "到2025年，基本养老服务体系基本建成。", "三、征求意见情况", "起草过程中，征求了各区和有关部门的意见。"]


def note_url(consultation) -> str:
    return f"/office/consultations/{consultation.id}/explanatory-note"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_uploaded_word_note_is_published_beside_the_draft(client, consultation, office, submit):
    public_url = f"/consultations/{consultation.id}/explanatory-note"
    assert client.get(public_url).status_code == 404  # none yet
    review = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)
    assert "添加起草说明" in review

    response = submit(note_url(consultation), file=(docx_of(NOTE), "起草说明.docx"), text="")
    assert response.status_code == 302 and response.headers["Location"].endswith("#explanatory-note")
    db.session.refresh(consultation)
    assert consultation.explanatory_note == "\n".join(NOTE)
    assert consultation.explanatory_note_filename == "起草说明.docx"

    page = client.get(public_url).get_data(as_text=True)
    assert f"关于《{consultation.title}》的起草说明" in page
    assert '<h2 lang="zh-CN">一、起草背景</h2>' in page and '<h3 lang="zh-CN">（一）总体目标</h3>' in page
    assert '<p lang="zh-CN">为贯彻落实国家关于养老服务的部署，制定本方案。</p>' in page
    overview = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert f'href="{public_url}"' in overview  # the consultation's page leads to it (its cached copy renewed)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "explanatory_note")).one()
    assert entry.after == {"characters": len("\n".join(NOTE)), "file": "起草说明.docx"}


def test_a_typed_note_replaces_it_and_removing_takes_it_away(client, consultation, office, submit):
    submit(note_url(consultation), text="一、起草背景\r\n\r\n\r\n\r\n说明正文。  ")
    db.session.refresh(consultation)
    assert consultation.explanatory_note == "一、起草背景\n\n说明正文。" and consultation.explanatory_note_filename is None
    form = client.get(note_url(consultation)).get_data(as_text=True)
    assert "说明正文。" in form and "删除起草说明" in form

    response = submit(note_url(consultation), action="remove")
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.explanatory_note is None
    assert client.get(f"/consultations/{consultation.id}/explanatory-note").status_code == 404
    assert "阅读起草说明" not in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "explanatory_note")).all()) == 2


def test_bad_notes_are_refused_with_a_reason_and_nothing_changes(client, consultation, office, submit):
    submit(note_url(consultation), text="原来的说明。")
    for fields, message in [
        ({"text": "   "}, "请上传起草说明的文件，或者在下面填写。"),
        ({"file": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.doc")}, "旧版 Word（.doc）"),
        ({"file": (b"%PDF-1.4 ...", "note.pdf")}, "PDF"),
        ({"text": "长" * 100_001}, "起草说明不能超过 100,000 个字。"),
    ]:
        response = submit(note_url(consultation), **fields)
        assert response.status_code == 422, fields
        assert message in text_of(response.get_data(as_text=True)), (fields, message)
        db.session.refresh(consultation)
        assert consultation.explanatory_note == "原来的说明。"


def test_no_change_once_closed(client, clock, consultation, office, submit):
    submit(note_url(consultation), text="说明。")
    clock.set(shanghai(2023, 5, 13, 9, 0))
    response = submit(note_url(consultation), text="截止后的修改。")
    assert response.status_code == 422 and "征求意见已经截止，起草说明不能再修改。" in response.get_data(as_text=True)
    db.session.refresh(consultation)
    assert consultation.explanatory_note == "说明。"
    review = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)
    assert f'href="{note_url(consultation)}"' not in review  # no link to change it (the audit list names the change)
    assert "修改起草说明" in review  # the audit list: the change made before the deadline


def test_the_note_downloads_as_a_word_document_of_its_own(client, consultation, office, submit):
    import io

    from docx import Document

    from portal.core.official_docx import DOCX

    assert client.get(f"/consultations/{consultation.id}/explanatory-note.docx").status_code == 404  # none yet
    submit(note_url(consultation), text="\n".join(["关于本方案的起草说明", *NOTE, "<script>alert(1)</script>\x07"]))
    for page in (f"/consultations/{consultation.id}", f"/consultations/{consultation.id}/explanatory-note"):
        html = client.get(page).get_data(as_text=True)
        link = re.search(r'<a href="([^"]+)" download>下载起草说明（Word 文档）</a>', html)
        assert link and link.group(1) == f"/consultations/{consultation.id}/explanatory-note.docx", page
    response = client.get(link.group(1))
    assert response.status_code == 200 and response.mimetype == DOCX
    assert "%EF%BC%88%E8%B5%B7%E8%8D%89%E8%AF%B4%E6%98%8E%EF%BC%89.docx" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    paragraphs = [p for p in Document(io.BytesIO(response.data)).paragraphs if p.text]
    assert paragraphs[0].text == f"关于《{consultation.title}》的起草说明"
    assert paragraphs[1].text == f"在线阅读草案和发表意见：http://localhost/consultations/{consultation.id}"
    # the note's own title line is not repeated; its text follows in order, headings as headings
    assert [p.text for p in paragraphs[2:]] == NOTE + ["<script>alert(1)</script>"]
    heading = paragraphs[2 + NOTE.index("一、起草背景")]
    assert heading.paragraph_format.keep_with_next and heading.runs[0].font.size.pt == 16
    body = paragraphs[2 + NOTE.index("为贯彻落实国家关于养老服务的部署，制定本方案。")]
    assert not body.paragraph_format.keep_with_next
