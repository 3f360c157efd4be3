"""The mail worker's routing (``flask mail deliver`` plans the mails of new comments first) reads each batch's
sections in one query, and the comments replies answer with the replies: its statements do not grow with the
comments, nor with the sections they are written on."""
from portal.comments.services import submit_comment
from portal.extensions import db
from tests.helpers import route_new_comments, statements


def _comments(consultation, sections, replies: int):
    for n, section in enumerate(sections):
        submit_comment(consultation, f"关于第{n}部分的意见。", section=section)
    parent = submit_comment(consultation, "整体赞成。", "support")
    parent.status = "approved"  # replies answer public comments
    db.session.flush()
    for n in range(replies):
        reply = submit_comment(consultation, f"第{n}条回复。", parent=parent)
        reply.status = "approved"  # public at once (post-moderation): its parent's author may be mailed
    db.session.commit()
    db.session.expire_all()  # the worker reads them afresh


def test_routing_costs_as_many_statements_for_three_comments_as_for_forty_in_every_section(routed_003):
    sections = routed_003.current_draft.sections
    assert len(sections) >= 40 and {s.unit_names == ["市民政局"] for s in sections} == {True, False}
    few_sections = [next(s for s in sections if s.unit_names), next(s for s in sections if not s.unit_names)]
    _comments(routed_003, few_sections, replies=1)
    with statements() as few:
        assert route_new_comments() == 4

    _comments(routed_003, [s for s in sections if s not in few_sections][:30], replies=8)
    with statements() as many:
        assert route_new_comments() == 39

    assert len(many) == len(few), (len(few), len(many))
