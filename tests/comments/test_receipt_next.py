"""The receipt page says, in a few plain sentences, what happens to the comment now: who receives it (the drafting
office; the units responsible for its section that routing mails it to), whether a moderator reads it before it is
public, it is public at once, or the consultation's comments are not published, and where the office's answer will
be shown. Seed 003 open on 2023-04-20, 市民政局 (responsible for some of its sections) with an address."""
import re

from portal.extensions import db
from tests.comments.test_quotes import section_url
from tests.helpers import post_comment, receipt_from

WAITS = "审核员看过以后，符合规则的意见会在网上公开。"
PUBLIC = "您的意见已经在网上公开，大家都能看到。"
ANSWER = "征求意见截止后，起草单位公布答复时，本页会显示对您意见的答复。"


def next_steps(client, number: str) -> str:
    """The text of the receipt's "what happens next" part, its tags taken out."""
    page = client.get(f"/receipts/{number}")
    assert page.status_code == 200
    part = re.search(r'<section class="receipt-next"[^>]*>(.*?)</section>', page.get_data(as_text=True), re.S)
    assert part, "no next steps on the receipt page"
    return " ".join(re.sub(r"<[^>]+>", " ", part.group(1)).split())


def with_units(consultation):
    return next(s for s in consultation.current_draft.sections if "市民政局" in s.responsible_units)


def test_a_pre_moderated_comment_on_the_whole_draft_waits_for_a_moderator(app, client, routed_003):
    number = receipt_from(post_comment(client, routed_003, f"/consultations/{routed_003.id}", body="整体赞成。"))
    told = next_steps(client, number)
    assert told == f"接下来会怎样 起草单位会收到并阅读您的意见。 {WAITS} {ANSWER}"


def test_a_comment_public_at_once_names_the_responsible_unit_that_receives_it(app, client, routed_003):
    routed_003.moderation_mode = "post"
    db.session.commit()
    section = with_units(routed_003)
    number = receipt_from(post_comment(client, routed_003, section_url(routed_003, section), section_id=section.id,
                                       body="建议增加助餐点。"))
    told = next_steps(client, number)
    assert told == f"接下来会怎样 起草单位和负责这一部分的单位（市民政局）会收到并阅读您的意见。 {PUBLIC} {ANSWER}"
    assert WAITS not in told
    client.get("/settings/language/en")  # the unit's name marked Chinese in the English sentence
    page = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert ('<p>The drafting office and the unit responsible for this part (<span lang="zh-CN">市民政局</span>) '
            'will receive and read your comment.</p>') in page
    assert "Your comment is already published online for everyone to read." in page


def test_a_comment_flagged_in_post_moderation_waits_for_a_moderator_after_all(app, client, routed_003):
    routed_003.moderation_mode = "post"
    db.session.commit()
    number = receipt_from(post_comment(client, routed_003, f"/consultations/{routed_003.id}",
                                       body="请打电话 13800138000 给我。"))  # personal information: held for a moderator
    told = next_steps(client, number)
    assert WAITS in told and PUBLIC not in told


def test_comments_not_published_go_to_the_office_only(app, client, routed_003):
    routed_003.comment_visibility = "private"
    db.session.commit()
    number = receipt_from(post_comment(client, routed_003, f"/consultations/{routed_003.id}", body="只给起草单位看。"))
    told = next_steps(client, number)
    assert told == f"接下来会怎样 这次征求意见收到的意见不在网上公开，只交给起草单位阅读。 {ANSWER}"
    section = with_units(routed_003)
    number = receipt_from(post_comment(client, routed_003, section_url(routed_003, section), section_id=section.id,
                                       body="建议增加助餐点。"))
    assert next_steps(client, number).startswith(
        "接下来会怎样 这次征求意见收到的意见不在网上公开，只交给起草单位和负责这一部分的单位（市民政局）阅读。")


def test_a_withdrawn_comment_says_nothing_will_happen(app, client, routed_003):
    url = f"/consultations/{routed_003.id}"
    number = receipt_from(post_comment(client, routed_003, url, body="写错了。"))
    page = client.get(f"/receipts/{number}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/receipts/{number}/withdraw", data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 303
    page = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "这条意见已撤回" in page and "receipt-next" not in page and ANSWER not in page


def test_the_receipt_names_a_unit_as_routing_mails_it_whatever_its_row_holds(app, client, routed_003):
    """A unit's row written by hand may hold a number or null among its addresses: routing mails the unit's real
    addresses and leaves those out, and the receipt says the same (a unit with no real address is not named)."""
    from sqlalchemy import select

    from portal.units.models import Unit

    unit = db.session.scalar(select(Unit).where(Unit.name == "市民政局"))
    unit.emails = [12345, "mzj@example.gov.cn", None]
    db.session.commit()
    section = with_units(routed_003)
    number = receipt_from(post_comment(client, routed_003, section_url(routed_003, section), section_id=section.id,
                                       body="建议增加助餐点。"))
    assert next_steps(client, number).startswith("接下来会怎样 起草单位和负责这一部分的单位（市民政局）会收到并阅读您的意见。")
    unit.emails = [12345, None]
    db.session.commit()
    assert next_steps(client, number).startswith("接下来会怎样 起草单位会收到并阅读您的意见。")
    unit.emails = "mzj@example.gov.cn"  # the whole list written as one text: that address
    db.session.commit()
    assert next_steps(client, number).startswith("接下来会怎样 起草单位和负责这一部分的单位（市民政局）会收到并阅读您的意见。")
    unit.emails = 12345  # neither a list nor text: no address, and the receipt still opens
    db.session.commit()
    assert next_steps(client, number).startswith("接下来会怎样 起草单位会收到并阅读您的意见。")
