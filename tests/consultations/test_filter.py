"""The consultation filter of the moderation queue and of the search page: a bounded list (those with comments waiting,
those still taking comments, the latest), the one chosen always listed and selected however old, and a text box that
finds any other by its number or words of its title (one found is chosen; several are listed to click)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from portal.comments.services import submit_comment
from portal.consultations.filter import LISTED
from portal.consultations.models import Consultation
from portal.extensions import db
from tests.helpers import shanghai

OLD = 30  # closed consultations, more than the list holds


@pytest.fixture
def world(app, clock, import_seed, make_user, login):
    """Seed 003 open with a comment waiting; OLD closed consultations of earlier years (旧规定0 the oldest); one
    unpublished; a moderator logged in."""
    clock.set(shanghai(2023, 4, 20, 9, 0))
    start = shanghai(2015, 1, 1)
    db.session.execute(insert(Consultation), [
        {"title": f"某某市旧规定{n}", "published_at": start + timedelta(days=30 * n),
         "opens_at": start + timedelta(days=30 * n), "deadline": start + timedelta(days=30 * n + 20)}
        for n in range(OLD)])
    db.session.execute(insert(Consultation), [{"title": "某某市未发布的办法"}])
    db.session.commit()
    ids = {title: id_ for id_, title in db.session.execute(select(Consultation.id, Consultation.title))}
    open_one = import_seed("003")
    comment = submit_comment(open_one, "希望增加养老床位。")
    db.session.commit()
    make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    return {"open": open_one, "oldest": ids["某某市旧规定0"], "unpublished": ids["某某市未发布的办法"],
            "comment": comment}


def options(page: str, select_id: str) -> list[tuple[str, bool]]:
    """The <select>'s options but 全部: (value, selected)."""
    block = page[page.index(f'id="{select_id}"'):]
    block = block[:block.index("</select>")]
    return [(value, bool(selected)) for value, selected in re.findall(r'<option value="(\d+)"( selected)?', block)]


def test_the_queue_lists_a_bounded_number_those_waiting_first(client, world):
    page = client.get("/moderation").get_data(as_text=True)

    listed = options(page, "f-consultation")
    assert len(listed) == LISTED
    assert listed[0] == (str(world["open"].id), False)  # a comment waits there
    assert str(world["unpublished"]) in dict(listed)  # still to take comments: before the closed ones
    assert str(world["oldest"]) not in dict(listed)
    assert f"{world['comment'].id}" in page and "希望增加养老床位。" in page
    assert 'name="find"' in page


def test_an_old_consultation_chosen_is_listed_selected_and_filters_the_queue(client, world):
    page = client.get(f"/moderation?consultation={world['oldest']}").get_data(as_text=True)

    listed = options(page, "f-consultation")
    assert (str(world["oldest"]), True) in listed
    assert [value for value, selected in listed if selected] == [str(world["oldest"])]
    assert len(listed) == LISTED + 1
    assert "希望增加养老床位。" not in page  # the comment is of another consultation

    page = client.get(f"/moderation?consultation={world['open'].id}").get_data(as_text=True)
    assert "希望增加养老床位。" in page
    assert [value for value, selected in options(page, "f-consultation") if selected] == [str(world["open"].id)]


@pytest.mark.parametrize("typed", ["{id}", "#{id}", " ＃{id} ", "某某市旧规定0"])
def test_the_text_box_chooses_one_by_its_number_or_title(client, world, typed):
    oldest = world["oldest"]
    response = client.get("/moderation", query_string={"find": typed.format(id=oldest), "stance": "support",
                                                       "consultation": world["open"].id, "page": "3"})

    assert response.status_code == 302
    location = response.headers["Location"]
    assert f"consultation={oldest}" in location and "stance=support" in location and "page=" not in location
    page = client.get(location).get_data(as_text=True)
    assert [value for value, selected in options(page, "f-consultation") if selected] == [str(oldest)]


def test_several_titles_are_listed_to_click_and_nothing_found_is_said(client, world):
    page = client.get("/moderation", query_string={"find": "旧规定 1"}).get_data(as_text=True)  # 旧规定1, 10–19

    assert "标题含这些词的征求意见有好几个，请点选一个：" in page
    links = re.findall(r'<a href="/moderation\?consultation=(\d+)">', page)
    assert len(links) == 10 and links == sorted(links, key=int, reverse=True)
    assert "只列出了最新的 10 个" in page
    assert 'value="旧规定 1"' in page

    page = client.get("/moderation", query_string={"find": "没有这个词"}).get_data(as_text=True)
    assert "没有标题含“没有这个词”的征求意见。" in page and "field-error" in page
    page = client.get("/moderation", query_string={"find": "999999"}).get_data(as_text=True)
    assert "没有编号为 999999 的征求意见。" in page


def test_the_search_page_lists_published_ones_only_and_keeps_the_chosen_one(client, world):
    page = client.get("/search").get_data(as_text=True)
    listed = options(page, "search-consultation")
    assert len(listed) == LISTED and listed[0][0] == str(world["open"].id)
    assert str(world["unpublished"]) not in dict(listed)

    page = client.get(f"/search?q=养老&consultation={world['oldest']}").get_data(as_text=True)
    assert [value for value, selected in options(page, "search-consultation") if selected] == [str(world["oldest"])]
    assert "找到 0 条结果" in page  # the old one holds no draft: its results only

    # an unpublished one is not found by its number, nor listed when asked for
    page = client.get("/search", query_string={"find": str(world["unpublished"])}).get_data(as_text=True)
    assert f"没有编号为 {world['unpublished']} 的征求意见。" in page
    page = client.get(f"/search?consultation={world['unpublished']}").get_data(as_text=True)
    assert str(world["unpublished"]) not in dict(options(page, "search-consultation"))

    response = client.get("/search", query_string={"q": "养老", "find": "旧规定0", "kind": "section"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert f"consultation={world['oldest']}" in location and "kind=section" in location and "q=" in location


def test_english_pages_mark_the_words_typed(client, world):
    page = client.get("/search", query_string={"lang": "en", "find": "没有这个词"}).get_data(as_text=True)
    assert 'No consultation has “<span lang="zh-CN">没有这个词</span>” in its title.' in page


def test_the_search_links_keep_consultation_1():
    from portal.search.forms import SearchArgs

    args = SearchArgs(q="养老", consultation_id=1, page=3)
    assert args.link_args(page=1) == {"q": "养老", "consultation": 1}
    assert args.link_args(page=2) == {"q": "养老", "consultation": 1, "page": 2}
