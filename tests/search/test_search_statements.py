"""The results page reads each result's section (and a section's tables) with the results, and keeps them through
its commit: its statements do not grow with the results on the page."""

from portal.comments.services import submit_comment
from portal.extensions import db
from tests.helpers import Browser, shanghai, statements


def _distinct(n: int) -> str:
    return "社区食堂" + "".join(chr(0x4E00 + 97 * n + 13 * k) for k in range(8)) + "。"


def _approved_comments(app, consultation, sections, start: int) -> None:
    receipts = [submit_comment(consultation, _distinct(start + n), section=section).receipt_number
                for n, section in enumerate(sections)]
    db.session.commit()
    for receipt in receipts:
        result = app.test_cli_runner().invoke(args=["comments", "approve", receipt])
        assert result.exit_code == 0, result.output


def test_a_page_of_comment_results_costs_as_many_statements_as_two(app, clock, import_seed, work_index):
    clock.set(shanghai(2024, 3, 1, 9))
    consultation = import_seed("003", deadline=shanghai(2024, 4, 1, 23, 59))
    sections = consultation.current_draft.sections
    browser = Browser(app)
    _approved_comments(app, consultation, sections[:2], 0)
    work_index()
    browser.get("/search?q=食堂&kind=comment")
    with statements() as few:
        page = browser.get("/search?q=食堂&kind=comment").get_data(as_text=True)
    assert page.count('class="search-result"') == 2

    _approved_comments(app, consultation, sections[2:12], 2)
    work_index()
    with statements() as many:
        page = browser.get("/search?q=食堂&kind=comment").get_data(as_text=True)
    assert page.count('class="search-result"') == 12 and sections[11].title in page

    assert len(many) == len(few), (len(few), len(many))


def test_a_page_of_section_results_costs_as_many_statements_as_two(app, clock, import_seed, work_index):
    clock.set(shanghai(2024, 3, 1, 9))
    import_seed("003", deadline=shanghai(2024, 4, 1, 23, 59))
    work_index()
    browser = Browser(app)
    browser.get("/search?q=养老&kind=section")
    counted = {}
    for word in ("数字鸿沟", "养老"):
        with statements() as seen:
            page = browser.get(f"/search?q={word}&kind=section").get_data(as_text=True)
        counted[word] = (page.count('class="search-result"'), len(seen))
    assert counted["数字鸿沟"][0] <= 2 and counted["养老"][0] == 20  # a full page
    assert counted["数字鸿沟"][1] == counted["养老"][1], counted
