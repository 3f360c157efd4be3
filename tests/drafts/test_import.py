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
