"""The queue page's statements do not grow with the comments on it: each comment's section (the page names it) is
loaded with the comments, not one query a section."""
import re

from tests.helpers import staff_browser, statements


def _distinct(n: int) -> str:
    """A comment of its own words (not one of a form letter's copies)."""
    return "建议" + "".join(chr(0x4E00 + 97 * n + 13 * k) for k in range(12)) + "。"


def test_the_queue_costs_as_many_statements_for_two_comments_as_for_many_in_every_section(app, open_003, make_user,
                                                                                            add_comment):
    sections = open_003.current_draft.sections
    assert len(sections) >= 40
    make_user("moderator", email="mod@example.gov.cn")
    browser = staff_browser(app, "mod@example.gov.cn")
    for n, section in enumerate(sections[:2]):
        add_comment(_distinct(n), section=section)
    browser.get("/moderation")  # the first page after new comments groups them (form letters): measured the next
    with statements() as few:
        page = browser.get("/moderation").get_data(as_text=True)
    assert sections[1].title in page

    for n, section in enumerate(sections[2:40], start=2):
        add_comment(_distinct(n), section=section)
    browser.get("/moderation")
    with statements() as many:
        page = browser.get("/moderation").get_data(as_text=True)
    assert page.count('name="items"') == 40 and sections[39].title in page

    assert len(many) == len(few), (len(few), len(many))


LETTER = "尊敬的领导：社区的老年食堂数量太少，建议增加投入。因为独居老人越来越多，希望延长服务时间，把助餐点办好。"


def _groupings(seen: list[str]) -> int:
    """The statements that group the view's comments into rows (form letters as one): the first comment of each."""
    return sum(1 for s in seen if "GROUP BY coalesce(comments.form_letter_id, comments.id)" in s
               and "min(comments.id)" in s)


def test_the_queue_groups_the_form_letters_once_a_request_and_shows_the_same_rows_and_counts(
        app, open_003, make_user, add_comment):
    app.config["MODERATION_PAGE_SIZE"] = 2
    make_user("moderator", email="mod@example.gov.cn")
    browser = staff_browser(app, "mod@example.gov.cn")
    letter = [add_comment(LETTER), add_comment("您好！" + LETTER.replace("建议", "希望") + "谢谢！"),
              add_comment(LETTER.replace("尊敬的领导：", "") + "王先生")]
    singles = [add_comment(_distinct(n)) for n in range(3)]  # newest last: the first page shows it
    browser.get("/moderation")  # groups the new comments

    with statements() as seen:
        first = browser.get("/moderation").get_data(as_text=True)
    assert _groupings(seen) == 1, seen
    assert "共 6 条意见，4 行（同文意见合为一行）。" in first and "第 1 页，共 2 页" in first
    assert re.findall(r'name="items" value="([^"]+)"', first) == [f"c-{c.id}-{c.moderation_version}"
                                                                  for c in (singles[2], singles[1])]

    with statements() as seen:
        second = browser.get("/moderation?page=2").get_data(as_text=True)
    assert _groupings(seen) == 1
    assert "共 6 条意见，4 行（同文意见合为一行）。" in second and "第 2 页，共 2 页" in second
    group = f"g-{letter[0].id}-{letter[2].id}-3"
    assert re.findall(r'name="items" value="([^"]+)"', second) == [
        f"c-{singles[0].id}-{singles[0].moderation_version}", group]
    assert "同文意见 3 条" in second

    beyond = browser.get("/moderation?page=9").get_data(as_text=True)  # the last page, as before
    assert "第 2 页，共 2 页" in beyond and group in beyond
    empty = browser.get("/moderation?flag=sensitive&page=3").get_data(as_text=True)
    assert "共 0 条意见，0 行（同文意见合为一行）。" in empty and 'name="items"' not in empty
