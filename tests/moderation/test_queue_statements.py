"""The queue page's statements do not grow with the comments on it: each comment's section (the page names it) is
loaded with the comments, not one query a section."""
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
