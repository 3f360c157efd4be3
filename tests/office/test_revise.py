"""A revised text while open: sections matched, comments stay attached, the public sees what changed."""
import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.comments.services import approve_comment
from portal.drafts.models import Draft, Section
from portal.extensions import db
from tests.helpers import post_comment, receipt_from, shanghai


def revised_text(original: str) -> str:
    lines = original.splitlines()
    out = []
    for line in lines:
        if line.startswith("二是加强养老产业分析研判"):
            continue  # taken out
        if line.startswith("三是落实监督考核"):
            line = "二是" + line[2:]  # renumbered
        if line == "三、组织保障":
            line = "三、保障措施"
        out.append(line.replace("到2025年底,基础养老服务设施", "到2026年底,基础养老服务设施"))
    return "\n".join(out)


@pytest.fixture
def owned_003(clock, office, import_seed):
    """Seed 003 of the office's unit, published and open on 2023-04-12."""
    clock.set(shanghai(2023, 4, 12, 10, 0))
    consultation = import_seed("003")
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    return consultation


def section_by_text(draft: Draft, start: str) -> Section:
    return next(s for s in draft.sections if (s.heading + s.text).startswith(start))


def comment_on(client, consultation, section: Section, body: str) -> Comment:
    receipt = receipt_from(post_comment(client, consultation, f"/consultations/{consultation.id}/sections/{section.anchor}",
                                        body=body, section_id=section.id))
    comment = db.session.scalar(select(Comment).where(Comment.receipt_number == receipt))
    approve_comment(comment)
    db.session.commit()
    return comment


def test_revision_keeps_comments_with_their_sections_and_shows_the_changes(app, client, clock, owned_003, submit,
                                                                           seed_path):
    consultation = owned_003
    first = consultation.current_draft
    on_goals = comment_on(client, consultation, section_by_text(first, "目标要求"), "目标再具体些")
    on_removed = comment_on(client, consultation, section_by_text(first, "加强养老产业分析研判"), "研判要公开")
    on_renumbered = comment_on(client, consultation, section_by_text(first, "落实监督考核"), "考核结果要公布")
    old_ids = {c.id: c.section_id for c in (on_goals, on_removed, on_renumbered)}

    url = f"/office/consultations/{consultation.id}/revise"
    response = submit(url, file=(b"", "empty.txt"), change_note="空文件")
    assert response.status_code == 422 and "文件是空的" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Draft)).all()) == 1

    text = revised_text(seed_path("003").read_text(encoding="utf-8"))
    response = submit(url, file=(text.encode("utf-8"), "修订稿.txt"), change_note="删去产业研判一条，目标年份改为2026年")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.session.expire_all()
    second = db.session.scalars(select(Draft).where(Draft.version == 2)).one()
    new_goals = section_by_text(second, "目标要求")
    new_guarantee = next(s for s in second.sections if s.heading == "保障措施")
    new_renumbered = section_by_text(second, "落实监督考核")
    assert new_renumbered.label == "二是" and new_renumbered.previous.label == "三是"  # matched by text, not label
    assert new_guarantee.previous.heading == "组织保障"  # matched by label path, heading changed
    comments = {c.id: c for c in db.session.scalars(select(Comment))}
    assert comments[on_goals.id].section_id == new_goals.id
    assert comments[on_renumbered.id].section_id == new_renumbered.id
    assert comments[on_removed.id].section_id == new_guarantee.id  # its section was taken out: to the parent
    assert {i: c.original_section_id for i, c in comments.items()} == old_ids
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "revise")).one()
    assert entry.after["version"] == 2 and entry.reason == "删去产业研判一条，目标年份改为2026年"

    base = f"/consultations/{consultation.id}"
    assert "草案已修订，现在是第2版" in client.get(base).get_data(as_text=True)
    section_page = client.get(f"{base}/sections/{new_renumbered.anchor}").get_data(as_text=True)
    assert "考核结果要公布" in section_page
    changes = client.get(f"{base}/versions/2/changes").get_data(as_text=True)
    assert "删去产业研判一条" in changes
    assert "到202<del>5</del><ins>6</ins>年底" in changes
    assert "加强养老产业分析研判" in changes and "删去</span>" in changes
    assert "<del>三</del><ins>二</ins>是" in changes
    from tests.security.conftest import IsolatedClient  # a request in English, in an app context of its own

    english = IsolatedClient(app, app.response_class).get(f"{base}/versions/2/changes?lang=en").get_data(as_text=True)
    assert '<span class="tag">Changed</span>' in english and '<span class="tag">Edit</span>' not in english
    old = client.get(f"{base}/versions/1").get_data(as_text=True)
    assert "这是以前的版本" in old and "二是加强养老产业分析研判" in old and "到2025年底" in old
    assert client.get(f"{base}/versions/3").status_code == 404


def test_a_quotation_the_revision_changed_is_told_to_its_author_and_the_office(app, client, clock, owned_003, submit,
                                                                               seed_path):
    import io

    import docx

    from tests.helpers import Browser

    consultation = owned_003
    goals = section_by_text(consultation.current_draft, "目标要求")
    citizen = Browser(app)  # the commenter's own browser (the office is logged in on ``client``)
    url = f"/consultations/{consultation.id}/sections/{goals.anchor}"
    changed = receipt_from(post_comment(citizen, consultation, url, section_id=goals.id, body="年份太晚。",
                                        quote="到2025年底,基础养老服务设施"))
    kept = receipt_from(post_comment(citizen, consultation, url, section_id=goals.id, body="赞成以人为本。",
                                     quote="坚持以人为本"))
    taken = receipt_from(post_comment(citizen, consultation, url, section_id=goals.id, body="应为2026年。",
                                      quote="到2025年底,基础养老服务设施", proposal="到2026年底,基础养老服务设施"))
    other = receipt_from(post_comment(citizen, consultation, url, section_id=goals.id, body="应为2024年。",
                                      quote="到2025年底,基础养老服务设施", proposal="到2024年底,基础养老服务设施"))
    assert "在修订稿中已经修改" not in citizen.get(f"/receipts/{changed}").get_data(as_text=True)

    text = revised_text(seed_path("003").read_text(encoding="utf-8"))
    response = submit(f"/office/consultations/{consultation.id}/revise", file=(text.encode("utf-8"), "修订稿.txt"),
                      change_note="目标年份改为2026年")
    assert response.status_code == 302
    told = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "这次修订改动了 3 条意见所引用的原文" in told  # the office hears what its changes touched
    receipt = citizen.get(f"/receipts/{changed}").get_data(as_text=True)
    assert "这段原文在修订稿中已经修改。" in receipt
    assert f'href="/consultations/{consultation.id}/versions/2/changes">看看改了什么</a>' in receipt
    assert "在修订稿中已经修改" not in citizen.get(f"/receipts/{kept}").get_data(as_text=True)
    receipt = citizen.get(f"/receipts/{taken}").get_data(as_text=True)  # the wording proposed was taken in
    assert "修订稿采用了这条意见建议的文字。" in receipt and "这段原文在修订稿中已经修改。" not in receipt
    receipt = citizen.get(f"/receipts/{other}").get_data(as_text=True)  # another wording: the words changed
    assert "修订稿采用了这条意见建议的文字。" not in receipt and "这段原文在修订稿中已经修改。" in receipt

    page = client.get(f"/office/consultations/{consultation.id}/responses").get_data(as_text=True)
    assert page.count("这段原文在修订稿中已经修改。") == 2 and page.count("修订稿采用了这条意见建议的文字。") == 1
    notes = [c.text for c in docx.Document(io.BytesIO(
        client.get(f"/office/consultations/{consultation.id}/annotated.docx").data)).comments]
    assert [n for n in notes if "（这段原文在修订稿中已经修改）" in n] == [
        n for n in notes if "年份太晚。" in n or "应为2026年。" in n or "应为2024年。" in n]


def test_after_a_revision_the_sentences_still_quoted_stay_marked_and_counted(app, client, clock, owned_003, submit,
                                                                             seed_path):
    from tests.helpers import Browser

    consultation = owned_003
    goals = section_by_text(consultation.current_draft, "目标要求")
    citizen = Browser(app)
    url = f"/consultations/{consultation.id}/sections/{goals.anchor}"
    for quote in ("坚持以人为本", "到2025年底,基础养老服务设施"):
        number = receipt_from(post_comment(citizen, consultation, url, section_id=goals.id, body="意见。", quote=quote))
        approve_comment(db.session.scalar(select(Comment).where(Comment.receipt_number == number)))
        db.session.commit()
    text = revised_text(seed_path("003").read_text(encoding="utf-8"))
    assert submit(f"/office/consultations/{consultation.id}/revise", file=(text.encode("utf-8"), "修订稿.txt"),
                  change_note="目标年份改为2026年").status_code == 302
    db.session.expire_all()
    second = db.session.scalars(select(Draft).where(Draft.version == 2)).one()
    new_goals = section_by_text(second, "目标要求")
    page = citizen.get(f"/consultations/{consultation.id}/sections/{new_goals.anchor}").get_data(as_text=True)
    marked = re.findall(r'<mark class="quoted-passage" data-label="([^"]+)">([^<]*)</mark>', page)
    # one sentence holds both quotations: the comment whose words (2025) the revision changed no longer counts
    assert marked == [("1 条意见引用", marked[0][1])] and "坚持以人为本" in marked[0][1]
    statistics = citizen.get(f"/consultations/{consultation.id}/statistics").get_data(as_text=True)
    table = statistics[statistics.index("意见引用最多的原文"):]
    assert re.findall(r'<td class="number">(\d+)</td>', table)[:1] == ["1"]


def test_a_comment_from_a_page_opened_before_the_revision_goes_where_the_revision_moved_the_others(
        app, client, clock, owned_003, submit, seed_path):
    """Sent after the revision from a page loaded before it, a comment stood on the earlier draft's section: the
    feedback report and the digest listed that section under its old title beside the new. It now goes to the
    section that section became (or its parent's, if it was taken out), the one written on kept."""
    from tests.helpers import csrf_token

    consultation = owned_003
    first = consultation.current_draft
    renumbered, removed = section_by_text(first, "落实监督考核"), section_by_text(first, "加强养老产业分析研判")
    pages = {section.id: f"/consultations/{consultation.id}/sections/{section.anchor}" for section in (renumbered, removed)}
    tokens = {section_id: csrf_token(client, url) for section_id, url in pages.items()}  # the pages opened
    text = revised_text(seed_path("003").read_text(encoding="utf-8"))
    assert submit(f"/office/consultations/{consultation.id}/revise", file=(text.encode("utf-8"), "修订稿.txt"),
                  change_note="修订").status_code == 302
    receipts = {}
    for section_id, token in tokens.items():  # then sent from those pages
        receipts[section_id] = receipt_from(client.post(f"/consultations/{consultation.id}/comments", data={
            "csrf_token": token, "body": f"旧页面上写的意见{section_id}", "stance": "suggest",
            "section_id": str(section_id), "parent_id": ""}))
    db.session.expire_all()
    second = db.session.scalars(select(Draft).where(Draft.version == 2)).one()
    stored = {c.receipt_number: c for c in db.session.scalars(select(Comment))}
    on_renumbered, on_removed = stored[receipts[renumbered.id]], stored[receipts[removed.id]]
    assert (on_renumbered.section_id, on_renumbered.original_section_id) == (
        section_by_text(second, "落实监督考核").id, renumbered.id)
    guarantee = next(s for s in second.sections if s.heading == "保障措施")
    assert (on_removed.section_id, on_removed.original_section_id) == (guarantee.id, removed.id)
