"""A section's key points (要点): the office writes a few plain words on what a section says; the public reads them
before its text, set apart as the office's words, not the draft's."""
import re

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.drafts.models import Draft, Section
from portal.extensions import db
from tests.helpers import post_comment, shanghai
from tests.office.test_revise import revised_text, section_by_text

KEY_POINTS = "这一部分讲的是：到2025年，每个街道都要有养老服务中心。\n老人在家门口就能吃上饭、看上病。"


def edit_url(consultation, section) -> str:
    return f"/office/consultations/{consultation.id}/sections/{section.id}"


def write(submit, consultation, section, key_points: str):
    return submit(edit_url(consultation, section), level=str(section.level), heading=section.heading,
                  key_points=key_points)


def test_the_office_writes_key_points_and_the_public_reads_them_before_the_text(app, client, consultation, submit):
    section = consultation.current_draft.sections[0]
    response = write(submit, consultation, section, f"  {KEY_POINTS}  \n\n\n")
    assert response.status_code == 302
    db.session.refresh(section)
    assert section.key_points == KEY_POINTS
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "edit")).one()
    assert entry.before["key_points"] is None and entry.after["key_points"] == KEY_POINTS
    review = client.get(f"/office/consultations/{consultation.id}").get_data(as_text=True)
    assert "有要点" in review

    client.post("/logout")
    for url in (f"/consultations/{consultation.id}/sections/{section.anchor}", f"/consultations/{consultation.id}"):
        page = client.get(url).get_data(as_text=True)
        aside = re.search(r'<div class="key-points" role="note"[^>]*>.*?</div>', page, re.S).group(0)
        assert "起草单位的通俗说明，不是草案正文" in aside
        assert "<p>这一部分讲的是：到2025年，每个街道都要有养老服务中心。</p>" in aside
        assert page.index(aside) < page.index(section.lines[0])  # before the draft's text
    api = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    (shown,) = [s for s in api["draft"]["sections"] if s["anchor"] == section.anchor]
    assert shown["key_points"] == KEY_POINTS


def test_key_points_are_not_the_draft_a_comment_cannot_quote_them(app, client, consultation, submit):
    section = consultation.current_draft.sections[0]
    write(submit, consultation, section, KEY_POINTS)
    client.post("/logout")
    url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    response = post_comment(client, consultation, url, section_id=section.id, body="意见。", quote="老人在家门口就能吃上饭")
    assert response.status_code == 422 and "在原文中找不到您引用的文字" in response.get_data(as_text=True)


def test_hostile_key_points_are_inert_too_long_ones_refused_and_none_after_the_deadline(app, client, clock,
                                                                                        consultation, submit):
    section = consultation.current_draft.sections[1]
    assert write(submit, consultation, section, '<script>alert("要点")</script>').status_code == 302
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '<script>alert("要点")' not in page and "&lt;script&gt;alert(&#34;要点&#34;)&lt;/script&gt;" in page

    refused = write(submit, consultation, section, "长" * 1001)
    assert refused.status_code == 422 and "要点不能超过 1000 个字" in refused.get_data(as_text=True)
    clock.set(shanghai(2023, 5, 13, 9, 0))
    closed = write(submit, consultation, section, "截止后改写")
    assert closed.status_code == 422 and "征求意见已经截止，要点不能再修改" in closed.get_data(as_text=True)
    db.session.refresh(section)
    assert section.key_points == '<script>alert("要点")</script>'
    assert write(submit, consultation, section, section.key_points).status_code == 302  # unchanged: the heading may


def test_a_revision_keeps_the_key_points_of_unchanged_sections_only(app, client, clock, consultation, submit,
                                                                    seed_path):
    first = consultation.current_draft
    goals = section_by_text(first, "目标要求")  # its text changes in the revision (2025 → 2026)
    supervision = section_by_text(first, "落实监督考核")  # renumbered only (三是 → 二是): the same words
    tasks = section_by_text(first, "主要任务")  # its own heading and text unchanged
    for section in (goals, supervision, tasks):
        assert write(submit, consultation, section, f"{section.label}的要点").status_code == 302
    text = revised_text(seed_path("003").read_text(encoding="utf-8"))
    response = submit(f"/office/consultations/{consultation.id}/revise", file=(text.encode("utf-8"), "修订稿.txt"),
                      change_note="目标年份改为2026年")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.session.expire_all()
    second = db.session.scalars(select(Draft).where(Draft.version == 2)).one()
    by_previous = {s.previous_id: s for s in second.sections if s.previous_id}
    assert by_previous[goals.id].key_points is None  # the text changed: the office writes them again
    assert by_previous[tasks.id].key_points == f"{tasks.label}的要点"
    assert by_previous[supervision.id].key_points == f"{supervision.label}的要点"
    assert db.session.scalar(select(Section.key_points).where(Section.id == goals.id)) == f"{goals.label}的要点"
