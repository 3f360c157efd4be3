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


MOVED_V1 = """关于养老服务的实施意见（征求意见稿）
一、总体要求
（一）坚持以人为本
以人为本，保障老年人的基本生活需要。
二、主要措施
（一）完善服务网络
各区建设养老服务中心，街道建设综合服务站，社区设置服务点。
"""
# （一）完善服务网络 moves under 一、 as （二）; 二、 gets a new （一） of other words
MOVED_V2 = MOVED_V1.replace("""二、主要措施
（一）完善服务网络
各区建设养老服务中心，街道建设综合服务站，社区设置服务点。
""", "").replace("以人为本，保障老年人的基本生活需要。\n", """以人为本，保障老年人的基本生活需要。
（二）完善服务网络
各区建设养老服务中心，街道建设综合服务站，社区设置服务点。
二、主要措施
（一）加强护理队伍
培养养老护理员，提高护理员的待遇水平和职业技能。
""")
# and is taken out again
MOVED_V3 = MOVED_V2.replace("""（二）完善服务网络
各区建设养老服务中心，街道建设综合服务站，社区设置服务点。
""", "")


def test_a_comment_from_a_page_opened_two_revisions_ago_follows_the_parent_its_section_had_last(
        app, client, clock, office, submit):
    """A section moved under another part (二、（一） became 一、（二）) and was then taken out: the revision moved its
    comments to the part it stood under last (一、), but one sent from a page opened before both revisions went to the
    part it had stood under first (二、), whose （一） is now another section."""
    from portal.consultations.services import publish_consultation
    from portal.drafts.services import import_draft, parse_file
    from tests.helpers import csrf_token

    clock.set(shanghai(2023, 4, 12, 10, 0))
    text, parsed = parse_file(MOVED_V1.encode("utf-8"), "v1.txt")
    consultation = import_draft(parsed.to_dict(), text, "v1.txt")
    consultation.owner_unit_id = office.unit_id
    publish_consultation(consultation, deadline=shanghai(2023, 5, 31, 23, 59))
    db.session.commit()
    network = section_by_text(consultation.current_draft, "完善服务网络")
    assert network.parent.label == "二、"
    page = f"/consultations/{consultation.id}/sections/{network.anchor}"
    before = comment_on(client, consultation, network, "修订前提交的意见")
    token = csrf_token(client, page)  # a page opened before the revisions
    for number, revised in ((2, MOVED_V2), (3, MOVED_V3)):
        assert submit(f"/office/consultations/{consultation.id}/revise",
                      file=(revised.encode("utf-8"), f"修订稿{number}.txt"), change_note="修订").status_code == 302
    receipt = receipt_from(client.post(f"/consultations/{consultation.id}/comments", data={
        "csrf_token": token, "body": "旧页面上写的意见", "stance": "suggest", "section_id": str(network.id),
        "parent_id": ""}))
    db.session.expire_all()
    third = db.session.scalars(select(Draft).where(Draft.consultation_id == consultation.id, Draft.version == 3)).one()
    general = next(s for s in third.sections if s.label == "一、")
    assert db.session.get(Comment, before.id).section_id == general.id  # where the revisions moved it
    late = db.session.scalar(select(Comment).where(Comment.receipt_number == receipt))
    assert (late.section_id, late.original_section_id) == (general.id, network.id)
