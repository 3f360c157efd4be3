"""An office uploads a draft, reviews what was read beside the source, and corrects it before publishing."""

import re

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.consultations.models import Consultation
from portal.drafts.models import Draft, Section
from portal.extensions import db
from portal.units.models import Unit, UnitAlias
from tests.helpers import csrf_token, docx_of, shanghai


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_upload_stores_an_unpublished_draft_of_the_office_and_shows_the_review(app, client, clock, office, upload_seed):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    health = Unit(name="市卫生健康委员会", emails=["wjw@example.gov.cn"])
    db.session.add_all([health, UnitAlias(unit=health, alias="市卫生健康委")])
    db.session.commit()
    consultation_id = upload_seed("001")
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.owner_unit_id == office.unit_id and consultation.published_at is None
    assert client.get(f"/consultations/{consultation_id}").status_code == 404

    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert "2023年泰州市“一老一幼”重点任务清单" in page
    assert 'class="source-text"' in page and "建立统筹推进工作机制" in page  # the source beside the result
    assert "第1级" in page and "第2级" in page and "加强“一老一幼”工作统筹" in page
    assert "没有从公告中读到截止时间" in page  # seed 001 names no deadline
    # units: the office's own unit and an alias match; an unknown one is listed for the administrator
    assert '<span class="unit-tag unit-matched"><span lang="zh-CN">市民政局</span> ✓</span>' in page
    assert ('<span class="unit-tag unit-matched"><span lang="zh-CN">市卫生健康委（市卫生健康委员会）</span> ✓</span>'
            in page)
    assert '<span class="unit-tag unit-unmatched"><span lang="zh-CN">市发展改革委</span> （目录中没有）</span>' in page
    assert "个责任单位不在单位目录中：" in page and "「市发展改革委」" in page
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.consultation_id, entry.actor_id) == ("upload", consultation_id, office.id)


def test_the_review_names_the_office_the_notices_headline_names(app, client, office, upload_seed):
    """Seed 000: "台州市临海市公共服务优质共享行动专班办公室关于印发《…》的通知", posted by "来源:市民政局"."""
    consultation_id = upload_seed("000")
    issuer = "台州市临海市公共服务优质共享行动专班办公室"
    assert db.session.get(Consultation, consultation_id).issuer == issuer
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert f'<dt>发布单位</dt><dd><span lang="zh-CN">{issuer}</span></dd>' in page


def test_the_review_shows_the_notices_headline_as_read(app, client, office, upload_seed):
    """The notice's headline is no paragraph of the notice the public reads (the page shows the title and the
    issuer it names); the office still sees it in the source beside what was read from it."""
    consultation_id = upload_seed("004")
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.notice_text.startswith("现将《台州市推进高质量发展建设")
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    source = page[page.index('class="source-text"'):page.index("</pre>")]
    assert "“浙里康养”台州专班办公室关于 印发《台州市推进高质量发展建设“浙里康养” 实施方案（2022—2025年）》的通知" in source
    assert '<dt>标题</dt><dd lang="zh-CN">台州市推进高质量发展建设“浙里康养”实施方案（2022—2025年）</dd>' in page
    assert '<dt>发布单位</dt><dd><span lang="zh-CN">“浙里康养”台州专班办公室</span></dd>' in page


def test_a_docx_is_read_by_its_content_whatever_its_name(app, client, office, submit):
    data = docx_of(["关于养老服务的实施意见（征求意见稿）", "一、总体要求", "坚持以人为本。", "二、主要措施", "完善服务网络。"])
    response = submit("/office/upload", file=(data, "draft.txt"))
    assert response.status_code == 302
    draft = db.session.scalars(select(Draft)).one()
    assert [s.label + s.heading for s in draft.sections] == ["一、总体要求", "二、主要措施"]


BAD_UPLOADS = [
    pytest.param(b"", "empty.txt", "文件是空的", id="empty"),
    pytest.param(b"%PDF-1.7\n%binary", "draft.docx", "无法打开这个 PDF 文件", id="broken-pdf-named-docx"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "draft.doc", "旧版 Word", id="legacy-doc"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "draft.txt", "不是文本文件", id="binary"),
    pytest.param("关于养老服务的意见\n这是一段没有任何编号标题的文字。\n又一段。\n".encode(), "plain.txt", "标题", id="no-headings"),
]


@pytest.mark.parametrize("data, filename, message", BAD_UPLOADS)
def test_bad_uploads_are_refused_plainly_and_store_nothing(app, client, office, submit, data, filename, message):
    response = submit("/office/upload", file=(data, filename))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "文件没有上传成功" in page
    assert message in page
    assert (count(Consultation), count(Draft), count(Section), count(AuditEntry)) == (0, 0, 0, 0)


def test_a_file_over_the_size_limit_is_refused_and_stores_nothing(app, client, office, submit, seed_path):
    app.config["OFFICE_UPLOAD_MAX_BYTES"] = 1024 * 1024
    data = seed_path("003").read_bytes() * 40  # about 1.3 MB
    response = submit("/office/upload", file=(data, "big.txt"))
    assert response.status_code == 422 and "文件太大" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # beyond what the server accepts at all
    response = submit("/office/upload", file=(data, "big.txt"))
    assert response.status_code == 413 and "文件太大" in response.get_data(as_text=True)
    assert (count(Consultation), count(Draft), count(AuditEntry)) == (0, 0, 0)


def test_office_corrects_notice_fields_and_heading_levels(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    base = f"/office/consultations/{consultation_id}"
    response = submit(f"{base}/notice", title="关于养老服务的行动方案（征求意见稿）", issuer="市民政局",
                      notice_date="2023-04-12", addressee="社会各界", deadline_date="2023-05-20", deadline_time="18:00",
                      contact_office="市民政局养老服务科", contact_person="李麒麟", contact_phones="3255022、18005572983",
                      contact_emails="a@example.cn", contact_address="")
    assert response.status_code == 302
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.issuer == "市民政局" and consultation.contact_office == "市民政局养老服务科"
    assert consultation.deadline == shanghai(2023, 5, 20, 18, 0)
    assert consultation.contact_phones == ["3255022", "18005572983"]
    edit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "edit")).one()
    assert edit.before["issuer"] == "市养老服务体系建设工作领导小组办公室" and edit.after["issuer"] == "市民政局"

    # （一） under 二、 is raised to level 1: the level-2 sections after it now hang under it
    sections = consultation.current_draft.sections
    first_sub = next(s for s in sections if s.heading == "老年友好社会创建提升行动")
    assert first_sub.level == 2 and first_sub.parent.label == "二、"
    response = submit(f"{base}/sections/{first_sub.id}", level="1", heading="老年友好社会创建提升行动")
    assert response.status_code == 302
    db.session.expire_all()
    first_sub = db.session.get(Section, first_sub.id)
    following = next(s for s in first_sub.draft.sections if s.heading == "基本养老服务体系提升行动")
    assert first_sub.level == 1 and first_sub.parent is None
    assert following.parent_id == first_sub.id  # the tree follows the levels
    # a level may not jump: the first section cannot be at level 2
    first = first_sub.draft.sections[0]
    response = submit(f"{base}/sections/{first.id}", level="2", heading=first.heading)
    assert response.status_code == 422 and "层级不能跳级" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Section, first.id).level == 1
    assert [e.target_type for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "edit"))] == [
        "consultation", "section"]


def test_the_missing_deadline_is_asked_for_once_and_no_longer_once_filled_in(app, client, clock, office, upload_seed, submit):
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("001")  # names no deadline: the parser warns, and so does the review page
    base = f"/office/consultations/{consultation_id}"
    page = client.get(base).get_data(as_text=True)
    assert page.count("没有从公告中读到截止时间") == 1
    assert "没有找到征求意见的截止日期" not in page  # the parser's warning of the same thing is not said twice
    consultation = db.session.get(Consultation, consultation_id)
    assert any(w["code"] == "deadline_missing" for w in consultation.current_draft.warnings)
    response = submit(f"{base}/notice", title=consultation.title, issuer="市民政局", notice_date="2023-04-12",
                      addressee="", deadline_date="2023-05-20", deadline_time="18:00", contact_office="",
                      contact_person="", contact_phones="", contact_emails="", contact_address="")
    assert response.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "没有从公告中读到截止时间" not in page and "没有找到征求意见的截止日期" not in page
    assert "个责任单位不在单位目录中" in page  # the other warnings stay


def tracked_docx() -> bytes:
    """A Word draft still in 修订模式: a year deleted and another inserted, a sentence inserted inside a content
    control, a moved phrase, and a text box whose words are not the draft's."""
    import io

    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def xml(fragment: str):
        return parse_xml(fragment.replace(">", f" {nsdecls('w')}>", 1))  # the namespace on the outer element

    document = Document()
    for line in ("关于养老服务的实施意见（征求意见稿）", "一、总体要求"):
        document.add_paragraph(line)
    body = document.add_paragraph("到")._p
    body.append(xml('<w:del w:id="1" w:author="起草人"><w:r><w:delText>2025</w:delText></w:r></w:del>'))
    body.append(xml('<w:ins w:id="2" w:author="起草人"><w:r><w:t>2026</w:t></w:r></w:ins>'))
    body.append(xml('<w:r><w:t>年底建成养老服务中心。</w:t></w:r>'))
    body.append(xml('<w:sdt><w:sdtContent><w:ins w:id="3" w:author="起草人"><w:r><w:t>价格公开。</w:t></w:r></w:ins>'
                    '</w:sdtContent></w:sdt>'))
    document.add_paragraph("二、主要措施")
    moved = document.add_paragraph("完善服务网络")._p
    moved.append(xml('<w:moveFrom w:id="4" w:author="起草人"><w:r><w:t>（旧位置）</w:t></w:r></w:moveFrom>'))
    moved.append(xml('<w:r><w:t>。</w:t><w:pict><w:p><w:r><w:t>文本框里的批示</w:t></w:r></w:p></w:pict></w:r>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_draft_with_tracked_changes_is_read_as_accepted_and_the_office_is_warned(app, client, office, submit):
    response = submit("/office/upload", file=(tracked_docx(), "修订稿.docx"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    draft = db.session.scalars(select(Draft)).one()
    texts = "\n".join(f"{s.label}{s.heading}\n{s.text}" for s in draft.sections)
    assert "到2026年底建成养老服务中心。价格公开。" in texts  # inserted words kept, in a content control too
    assert "2025" not in texts and "（旧位置）" not in texts and "文本框里的批示" not in texts
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "这份 Word 文件里还有 4 处没有处理的修订" in page  # a deletion, two insertions, a move


def test_before_publishing_the_office_corrects_a_sections_text_and_merges_a_false_heading(app, client, office, submit):
    from tests.office.conftest import SMALL_DRAFT

    text = SMALL_DRAFT.replace("坚持以人为本。", "坚持以人为本，主要有：\n1.保基本\n2.广覆盖")
    response = submit("/office/upload", file=(text.encode("utf-8"), "draft.txt"))
    assert response.status_code == 302
    base = response.headers["Location"]
    draft = db.session.scalars(select(Draft)).one()
    assert [s.label for s in draft.sections] == ["一、", "1.", "2.", "二、", "（一）"]  # two list items read as headings
    listed = draft.sections[1]

    merged = client.post(f"{base}/sections/{listed.id}/merge",
                         data={"csrf_token": csrf_token(client, f"{base}/sections/{listed.id}")})
    assert merged.status_code == 302
    page = client.get(merged.headers["Location"]).get_data(as_text=True)
    assert "已并入上一部分“一、总体要求”。" in page
    db.session.expire_all()
    draft = db.session.get(Draft, draft.id)
    assert [s.label for s in draft.sections] == ["一、", "2.", "二、", "（一）"]
    assert draft.sections[0].text == "坚持以人为本，主要有：\n1.保基本"
    assert [s.position for s in draft.sections] == [0, 1, 2, 3]
    assert [s.anchor for s in draft.sections][:2] == ["s-1", "s-1-1"]  # renumbered: not published yet

    second = draft.sections[1]
    url = f"{base}/sections/{second.id}"
    assert "正文" in client.get(url).get_data(as_text=True)
    fixed = submit(url, level=str(second.level), heading=second.heading, text=" 2.广覆盖\r\n\r\n多层次 ", key_points="")
    assert fixed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Section, second.id).text == "2.广覆盖\n多层次"
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-2:] == ["merge_section", "edit"]

    first = draft.sections[0]
    refused = client.post(f"{base}/sections/{first.id}/merge",
                          data={"csrf_token": csrf_token(client, f"{base}/sections/{first.id}")})
    assert "第一部分前面没有可以并入的部分" in client.get(refused.headers["Location"]).get_data(as_text=True)


def test_after_publishing_the_text_and_the_structure_stay_as_published(app, client, clock, office, submit,
                                                                      upload_seed):
    from portal.consultations.services import publish_consultation

    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = db.session.get(Consultation, upload_seed("003"))
    publish_consultation(consultation, shanghai(2023, 4, 12, 10, 0), shanghai(2023, 5, 20, 18, 0))
    db.session.commit()
    section = consultation.current_draft.sections[1]
    base = f"/office/consultations/{consultation.id}"
    page = client.get(f"{base}/sections/{section.id}").get_data(as_text=True)
    assert 'name="text"' not in page and "并入上一部分" not in page
    before = section.text
    refused = submit(f"{base}/sections/{section.id}", level=str(section.level), heading=section.heading,
                     text="改过的正文")
    assert refused.status_code == 422 and "草案已经发布，正文不能在这里修改" in refused.get_data(as_text=True)
    merged = client.post(f"{base}/sections/{section.id}/merge",
                         data={"csrf_token": csrf_token(client, f"{base}/sections/{section.id}")})
    assert merged.status_code == 302
    db.session.expire_all()
    assert db.session.get(Section, section.id).text == before  # nothing merged, nothing changed


def test_before_publishing_a_numbered_line_of_the_text_starts_a_section_of_its_own(app, client, office, submit):
    from tests.office.conftest import SMALL_DRAFT

    text = SMALL_DRAFT.replace("各区建设养老服务中心。（责任单位：市民政局）",
                               "各区建设养老服务中心。\n（二）加强队伍建设，培训护理员。（责任单位：市人社局）")
    response = submit("/office/upload", file=(text.encode("utf-8"), "draft.txt"))
    base = response.headers["Location"]
    draft = db.session.scalars(select(Draft)).one()
    listed = draft.sections[-1]
    assert listed.label == "（二）" and listed.run_in  # read as a heading: made text again (merged), then split
    merged = client.post(f"{base}/sections/{listed.id}/merge",
                         data={"csrf_token": csrf_token(client, f"{base}/sections/{listed.id}")})
    assert merged.status_code == 302
    db.session.expire_all()
    draft = db.session.get(Draft, draft.id)
    network = draft.sections[-1]
    assert network.label == "（一）" and network.lines[-1] == "（二）加强队伍建设，培训护理员。（责任单位：市人社局）"
    assert "市人社局" in network.unit_names  # the units went with the words
    page = client.get(f"{base}/sections/{network.id}").get_data(as_text=True)
    assert "另起一部分" in page and 'name="split-line"' in page

    url = f"{base}/sections/{network.id}/split"
    token = csrf_token(client, f"{base}/sections/{network.id}")
    plain = client.post(url, data={"csrf_token": token, "split-line": "0", "split-level": "2"})
    assert "这一行开头没有编号" in client.get(plain.headers["Location"]).get_data(as_text=True)
    jump = client.post(url, data={"csrf_token": token, "split-line": str(len(network.lines) - 1), "split-level": "4"})
    assert "层级不能跳级" in client.get(jump.headers["Location"]).get_data(as_text=True)

    split = client.post(url, data={"csrf_token": token, "split-line": str(len(network.lines) - 1), "split-level": "2"})
    assert split.status_code == 302
    assert "已另起一部分“（二）加强队伍建设" in client.get(split.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    draft = db.session.get(Draft, draft.id)
    first, second = draft.sections[-2], draft.sections[-1]
    assert (second.label, second.level, second.parent_id) == ("（二）", 2, first.parent_id)
    assert second.heading + second.text == "加强队伍建设，培训护理员。（责任单位：市人社局）"
    assert "市人社局" in second.unit_names and "市人社局" not in first.unit_names
    assert "（二）" not in first.text and [s.position for s in draft.sections] == list(range(len(draft.sections)))
    assert [s.anchor for s in draft.sections][-2:] == ["s-2-1", "s-2-2"]
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "split_section")).one()


def test_a_section_split_off_keeps_its_lead_units_and_the_units_named_for_every_later_item(app, client, office,
                                                                                           submit):
    """"（以下均需各区人民政府落实，不再列出）" names 各区人民政府 for every later item that names units of its own. An
    item the import ran into the one before it, split off by the office, names its own units (its lead unit marked
    *) and gets 各区人民政府 after them, as the import would have given it; the item it was split from keeps its own,
    its lead mark and 各区人民政府."""
    draft_text = ("关于养老服务的实施意见（征求意见稿）\n一、总体要求\n坚持以人为本。（以下均需各区人民政府落实，不再列出）\n"
                  "二、主要措施\n（一）完善服务网络\n各区建设养老服务中心。（*市民政局、市财政局）（带*为牵头单位，下同）\n"
                  "（二）加强队伍建设，培训护理员。（*市人社局、市财政局）\n")
    base = submit("/office/upload", file=(draft_text.encode("utf-8"), "draft.txt")).headers["Location"]
    draft = db.session.scalars(select(Draft)).one()
    first, second = draft.sections[-2:]
    assert second.unit_names == ["市人社局", "市财政局", "各区人民政府"] and second.lead_unit_names == ["市人社局"]
    client.post(f"{base}/sections/{second.id}/merge",
                data={"csrf_token": csrf_token(client, f"{base}/sections/{second.id}")})
    db.session.expire_all()
    network = db.session.get(Draft, draft.id).sections[-1]
    assert network.label == "（一）" and network.lines[-1].startswith("（二）")

    url = f"{base}/sections/{network.id}/split"
    token = csrf_token(client, f"{base}/sections/{network.id}")
    split = client.post(url, data={"csrf_token": token, "split-line": str(len(network.lines) - 1), "split-level": "2"})
    assert split.status_code == 302
    db.session.expire_all()
    first, second = db.session.get(Draft, draft.id).sections[-2:]
    assert second.label == "（二）"
    assert second.unit_names == ["市人社局", "市财政局", "各区人民政府"] and second.lead_units == ["市人社局"]
    assert first.unit_names == ["市民政局", "市财政局", "各区人民政府"] and first.lead_units == ["市民政局"]
    page = client.get(base).get_data(as_text=True)
    row = page[page.index("（二）加强队伍建设，培训护理员。</strong>"):]
    row = row[:row.index("</li>")]
    lead, others = row.split("配合单位：")
    assert "牵头单位：" in lead and "市人社局" in lead and "各区人民政府" in others and "市财政局" in others


def test_the_notice_refuses_a_contact_email_that_is_not_an_address(app, client, clock, office, upload_seed, submit):
    """The notice's e-mail addresses are shown to the public and mailed at the close: "abc@" (a typo) is refused with
    the field's own message and nothing is changed; "＠" typed in a Chinese input method is read as "@"."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    base = f"/office/consultations/{consultation_id}"
    fields = dict(title="关于养老服务的行动方案（征求意见稿）", issuer="市民政局", notice_date="2023-04-12",
                  addressee="社会各界", deadline_date="2023-05-20", deadline_time="18:00", contact_office="",
                  contact_person="李麒麟", contact_phones="3255022", contact_address="")
    response = submit(f"{base}/notice", contact_emails="2019787574@qq.com, abc@", **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "电子邮箱「abc@」的格式不对。" in page
    db.session.expire_all()
    consultation = db.session.get(Consultation, consultation_id)
    assert consultation.contact_emails == ["2019787574@qq.com"] and consultation.issuer != "市民政局"
    assert count(AuditEntry) == 1  # the upload only

    response = submit(f"{base}/notice", contact_emails="mzj＠example.gov.cn、2019787574@qq.com", **fields)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation_id).contact_emails == ["mzj@example.gov.cn", "2019787574@qq.com"]


def test_a_telephone_number_written_with_spaces_stays_one_number(app, client, clock, office, upload_seed, submit):
    """"0557 3255022" and "138 0013 8000" are one number each, as people write them (they had become two and three
    numbers, each a telephone link on the public page); two numbers still part at 、 or at a space between whole
    numbers."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation_id = upload_seed("003")
    response = submit(f"/office/consultations/{consultation_id}/notice", title="关于养老服务的行动方案（征求意见稿）",
                      issuer="", notice_date="2023-04-12", addressee="", deadline_date="2023-05-20",
                      deadline_time="18:00", contact_office="", contact_person="",
                      contact_phones="0557 3255022、138 0013 8000， 3255022 18005572983", contact_emails="",
                      contact_address="")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation_id).contact_phones == [
        "0557 3255022", "138 0013 8000", "3255022", "18005572983"]


def test_a_number_written_in_groups_dials_as_one(app, client, clock, office, consultation):
    """The public page shows the number as written and links it without the spaces (tel: allows none)."""
    consultation.contact_phones = ["0557 3255022", "18005572983"]
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '<a href="tel:05573255022">0557 3255022</a>' in page
    assert '<a href="tel:18005572983">18005572983</a>' in page


def test_a_refused_merge_is_said_in_the_language_of_the_page_that_shows_it(app, client, office, submit):
    """The service's refusal is flashed by its msgid too: refused on a Chinese page, read in English."""
    from tests.office.conftest import SMALL_DRAFT

    response = submit("/office/upload", file=(SMALL_DRAFT.encode("utf-8"), "draft.txt"))
    base = response.headers["Location"]
    first = db.session.scalars(select(Draft)).one().sections[0]
    client.get("/settings/language/zh_CN")
    refused = client.post(f"{base}/sections/{first.id}/merge",
                          data={"csrf_token": csrf_token(client, f"{base}/sections/{first.id}")})
    assert refused.status_code == 302
    client.get("/settings/language/en")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "The first part has no part before it to merge into." in page and "没有可以并入" not in page


def test_the_review_shows_the_lead_units_apart(app, client, office, upload_seed):
    """Seed 002 marks its lead units with *: the outline lists them as 牵头单位, the others as 配合单位, each with
    whether the directory knows it; the note "(带*为牵头单位,下同)" is no unit."""
    consultation_id = upload_seed("002")
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    row = page[page.index("做实基本养老服务</strong>"):]
    row = row[:row.index("</li>")]
    lead, others = row.split("配合单位：")
    assert "牵头单位：" in lead
    assert ('<span class="unit-tag unit-matched"><span lang="zh-CN">市民政局</span> ✓</span>'
            '<span class="unit-tag unit-unmatched"><span lang="zh-CN">市卫健委</span> （目录中没有）</span>') in lead
    assert "市财政局" in others and "温州海经区管委会" in others and "市民政局" not in others
    outline = page[page.index('<ol class="outline">'):]
    assert "为牵头单位" not in outline[:outline.index("</ol>")]
    english = client.get(f"/office/consultations/{consultation_id}?lang=en").get_data(as_text=True)
    assert "Lead units: " in english and "Co-operating units: " in english


def test_the_review_says_which_units_were_given_to_every_later_item(app, client, office, upload_seed):
    """Seed 001's item 1: "以下均需各市(区)人民政府,泰州医药高新区管委会落实,不再列出". The review says so where it
    stands, in Chinese and English, and each later item lists the two among its units."""
    consultation_id = upload_seed("001")
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    assert ("说以下各项均由各市(区)人民政府、泰州医药高新区管委会负责、不再列出：已把各市(区)人民政府、泰州医药高新区管委会"
            "列为其后26个部分的责任单位，请核对。") in page
    row = page[page.index("7﹒优化养老服务设施布局。</strong>"):]
    row = row[:row.index("</li>")]
    assert "各市(区)人民政府" in row and "泰州医药高新区管委会" in row and "市民政局" in row
    english = client.get(f"/office/consultations/{consultation_id}?lang=en").get_data(as_text=True)
    assert "they have been added to the responsible units of each later part that lists units" in english


def test_a_text_that_reads_on_from_its_heading_is_shown_so(app, client, clock, office, upload_seed):
    """Seed 000's item 8 has no heading sentence: its heading is its first clause, its text begins with the comma
    after it. The office's edit box says so (the text is kept as stored, the comma with it); once published, the
    text is shown after its heading, reading as the item is written."""
    from portal.consultations.services import publish_consultation

    clock.set(shanghai(2023, 12, 7, 9, 0))
    consultation_id = upload_seed("000")
    section = db.session.scalars(select(Section).where(Section.heading == "加大养老服务补贴力度")).one()
    assert section.text.startswith(",特别是") and section.continues_heading
    url = f"/office/consultations/{consultation_id}/sections/{section.id}"
    page = client.get(url).get_data(as_text=True)
    assert "正文从标题后面接着读，开头的“,”是标题后的标点。标题和正文连起来是原文的一句。" in page
    assert re.search(r'<textarea [^>]*name="text"[^>]*>\s*,特别是对失能失智老年人', page)
    other = db.session.scalars(select(Section).where(Section.heading.startswith("创新普惠型长期照护模式"))).one()
    assert not other.continues_heading
    assert "正文从标题后面接着读" not in client.get(
        f"/office/consultations/{consultation_id}/sections/{other.id}").get_data(as_text=True)

    publish_consultation(db.session.get(Consultation, consultation_id), None, shanghai(2024, 1, 7, 23, 59))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert ('<div class="source-text" lang="zh-CN"><strong>8.加大养老服务补贴力度</strong>,特别是对失能失智老年人的'
            in page)
