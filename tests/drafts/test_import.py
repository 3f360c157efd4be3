"""Importing a parsed draft (``portal.drafts.services``): what the stored sections answer for."""
from portal.drafts.services import import_draft, parse_file
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
