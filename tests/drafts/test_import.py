"""Importing a parsed draft (``portal.drafts.services``): what the stored sections answer for."""
from portal.drafts.models import Section
from portal.drafts.services import import_draft, parse_file
from portal.extensions import db
from tests.drafts.test_parser import EVENTS_DRAFT


def test_comments_on_an_appendix_of_events_go_to_no_organiser(app):
    text, parsed = parse_file(EVENTS_DRAFT.encode(), "敬老月活动实施方案.txt")
    with app.app_context():
        draft = import_draft(parsed.to_dict(), text).current_draft
        by_title = {s.title: s for s in draft.sections}
        assert by_title["（一）开展走访慰问活动"].responsible_units == ["市民政局", "市财政局", "市卫生健康委"]
        assert by_title["（二）组织文体活动"].responsible_units == ["市文化广电旅游局"]
        appendix = next(s for s in draft.sections if s.kind == "appendix")
        assert [s.title for s in appendix.children] == ["1.重阳节文艺汇演", "2.老年人健康讲座"]
        assert [s.responsible_units for s in [appendix, *appendix.children]] == [[], [], []]
        assert appendix.children[0].lines == ["主办单位：某某市老年人体育协会", "承办单位：某某市文化馆", "时间：10月11日"]


def nested(levels: int, siblings: int, level: int = 1) -> list[dict]:
    """``siblings`` parsed sections at each of ``levels`` levels; the last of each holds the next level."""
    if levels == 0:
        return []
    items = [{"label": f"{n}.", "level": level, "number": n, "heading": f"第{level}级第{n}项", "text": "内容。",
              "kind": "section", "units": [], "children": []} for n in range(1, siblings + 1)]
    items[-1]["children"] = nested(levels - 1, siblings, level + 1)
    return items


def test_a_very_deep_outline_is_stored_with_short_unique_anchors_that_a_correction_keeps(app, make_user):
    # "s-10-10-…-10" at the 17th level has 52 characters: PostgreSQL refused the whole import
    from portal.office.services import update_section

    parsed = {"title": "某某办法", "sections": nested(17, 10), "tables": []}
    with app.app_context():
        draft = import_draft(parsed, "某某办法").current_draft
        anchors = [s.anchor for s in draft.sections]
        assert len(anchors) == 170 and len(set(anchors)) == 170
        assert max(len(a) for a in anchors) <= Section.anchor.type.length
        assert anchors[:3] == ["s-1", "s-2", "s-3"] and "s-10-10-1" in anchors
        db.session.commit()
        # an office's correction before publication renumbers the anchors: the same ones again
        first = draft.sections[0]
        update_section(first, make_user("admin"), 1, "总则")
        db.session.commit()
        assert [s.anchor for s in draft.sections] == anchors


def test_lead_units_are_stored_and_shown_as_lead_units_on_the_section_page(app, client, clock, import_seed):
    """Seed 002 marks its lead units with * ("(带*为牵头单位,下同)"): the section page lists them as 牵头单位 and the
    others as 配合单位 (English: lead and co-operating units); a section with no unit marked still says 责任单位, and
    comments still go to every unit."""
    from tests.helpers import shanghai

    clock.set(shanghai(2023, 1, 10, 9, 0))
    consultation = import_seed("002", deadline=shanghai(2023, 2, 10, 23, 59))
    sections = consultation.current_draft.sections
    first = next(s for s in sections if s.heading == "做实基本养老服务")
    assert first.unit_names == ["市民政局", "市卫健委", "市财政局", "市残联", "各县<市、区>政府", "温州海经区管委会"]
    assert first.lead_unit_names == ["市民政局", "市卫健委"] and first.responsible_units == first.unit_names
    page = client.get(f"/consultations/{consultation.id}/sections/{first.anchor}").get_data(as_text=True)
    assert ('<span lang="zh-CN">牵头单位：</span>市民政局、市卫健委<br><span lang="zh-CN">配合单位：</span>'
            '市财政局、市残联、各县&lt;市、区&gt;政府、温州海经区管委会</p>') in page
    assert "带为牵头单位" not in page and "责任单位：" not in page
    english = client.get(f"/consultations/{consultation.id}/sections/{first.anchor}?lang=en").get_data(as_text=True)
    assert '<span lang="en">Lead units: </span>市民政局、市卫健委<br><span lang="en">Co-operating units: </span>' in english

    consultation_001 = import_seed("001", deadline=shanghai(2023, 2, 10, 23, 59))
    item = next(s for s in consultation_001.current_draft.sections if s.label == "7﹒")
    page = client.get(f"/consultations/{consultation_001.id}/sections/{item.anchor}").get_data(as_text=True)
    assert '<span lang="zh-CN">责任单位：</span>市民政局、各市(区)人民政府、泰州医药高新区管委会</p>' in page
    assert "牵头单位：" not in page


def test_sections_imported_before_lead_units_were_kept_show_their_units_as_before(app, client, clock, import_seed):
    from tests.helpers import shanghai

    clock.set(shanghai(2023, 1, 10, 9, 0))
    consultation = import_seed("002", deadline=shanghai(2023, 2, 10, 23, 59))
    first = next(s for s in consultation.current_draft.sections if s.heading == "做实基本养老服务")
    first.lead_unit_names = None  # as migration 0065 leaves a section imported before it
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/sections/{first.anchor}").get_data(as_text=True)
    assert '<span lang="zh-CN">责任单位：</span>市民政局、市卫健委、市财政局' in page and "牵头单位：" not in page
