"""Consultations of the same title told apart (a second round of one draft, 再次征求意见, often keeps the title): where
one is chosen or listed among others — the search's filter and results, the moderation queue's filter and items, the
moderation modes, the administrator's units (见于), the office's dashboard, its choice of the round a new one follows
and the moderators' page moving a comment — the title is followed by the period (or 未发布) and 第2次征求意见."""
import re
from datetime import date

import pytest

from portal.comments.services import submit_comment
from portal.consultations.labels import consultation_label, localperiod
from portal.extensions import db
from tests.helpers import shanghai
from tests.search.conftest import work_index  # noqa: F401 (fixture)

FIRST = "（2023年4月12日—5月12日）"
SECOND = "（2023年6月1日—7月1日，第2次征求意见）"
UNPUBLISHED = "（未发布）"


@pytest.fixture
def three_rounds(app, clock, import_seed, make_user, login, work_index):  # noqa: F811
    """Seed 003 three times, one title: consulted from 12 April to 12 May 2023, again (its next round) from 1 June to
    1 July, and a third not published; a pending comment on each of the first two; an administrator signed in."""
    clock.set(shanghai(2023, 4, 12, 9, 0))
    first = import_seed("003", opens=shanghai(2023, 4, 12, 9, 0), deadline=shanghai(2023, 5, 12, 23, 59, 59))
    submit_comment(first, "第一轮的意见。", "suggest", None)
    clock.set(shanghai(2023, 6, 1, 9, 0))
    second = import_seed("003", publish=False)
    second.previous_round_id = first.id
    db.session.commit()
    from portal.consultations.services import publish_consultation

    publish_consultation(second, shanghai(2023, 6, 1, 9, 0), shanghai(2023, 7, 1, 23, 59, 59))
    submit_comment(second, "第二轮的意见。", "suggest", None)
    third = import_seed("003", publish=False)
    db.session.commit()
    assert first.title == second.title == third.title
    work_index()
    make_user("admin", email="admin@example.gov.cn")
    assert login("admin@example.gov.cn").status_code == 302
    return first, second, third


def options(page: str, name: str) -> dict[str, str]:
    """The options of the <select name=…> of a page: value → text."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)[1]
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_search_tells_rounds_of_one_title_apart(client, three_rounds):
    first, second, third = three_rounds
    page = client.get("/search?q=养老").get_data(as_text=True)
    chosen = options(page, "consultation")
    assert chosen[str(first.id)] == first.title + FIRST and chosen[str(second.id)] == second.title + SECOND
    assert str(third.id) not in chosen  # not published: never searched
    metas = [plain(meta) for meta in re.findall(r'<p class="meta">(.*?)</p>', page, re.S)]
    assert any(meta.endswith(first.title + FIRST) for meta in metas), metas
    assert any(meta.endswith(second.title + SECOND) for meta in metas), metas
    one = client.get(f"/search?q=养老&consultation={second.id}").get_data(as_text=True)
    assert f'<option value="{second.id}" selected' in one and first.title + FIRST not in plain(
        one[one.index('class="search-results"'):])


def test_the_moderation_queue_and_modes_tell_them_apart(client, three_rounds):
    first, second, third = three_rounds
    queue = client.get("/moderation").get_data(as_text=True)
    chosen = options(queue, "consultation")
    title = first.title  # 34 characters: not cut (a_long_title_is_cut… below)
    assert chosen[str(first.id)] == f"{title}{FIRST} #{first.id}（1 条待审核）"
    assert chosen[str(second.id)] == f"{title}{SECOND} #{second.id}（1 条待审核）"
    assert chosen[str(third.id)] == f"{title}{UNPUBLISHED} #{third.id}"
    items = plain(queue[queue.index('<ol class="queue">'):])
    assert f"{SECOND} #{second.id}" in items and f"{FIRST} #{first.id}" in items  # beside each pending comment

    modes = client.get("/admin/moderation-modes").get_data(as_text=True)
    legends = [plain(legend) for legend in re.findall(r"<legend>(.*?)</legend>", modes, re.S)]
    assert f"{first.title}{FIRST} #{first.id}" in legends and f"{second.title}{SECOND} #{second.id}" in legends
    assert f"{third.title}{UNPUBLISHED} #{third.id}" in legends

    comment = second_round_comment(second)
    move = plain(client.get(f"/moderation/comments/{comment.id}/section").get_data(as_text=True))
    assert second.title + SECOND in move


def second_round_comment(consultation):
    from sqlalchemy import select

    from portal.comments.models import Comment

    return db.session.scalar(select(Comment).where(Comment.consultation_id == consultation.id))


def test_the_units_and_the_office_tell_them_apart(client, clock, three_rounds):
    first, second, third = three_rounds
    units = client.get("/admin/units").get_data(as_text=True)
    seen = re.findall(r'见于：(.*?)</span>\s*<form', units, re.S)
    assert seen and all(plain(found).split("、") == [third.title + UNPUBLISHED, second.title + SECOND,
                                                     first.title + FIRST] for found in seen), seen[:1]  # newest first

    dashboard = plain(client.get("/office/").get_data(as_text=True))
    for consultation, detail in ((first, FIRST), (second, SECOND), (third, UNPUBLISHED)):
        assert consultation.title + detail in dashboard

    clock.set(shanghai(2023, 7, 2, 9, 0))  # both rounds closed: a new one may follow either
    follows = options(client.get("/office/upload").get_data(as_text=True), "previous_round")
    assert follows[str(first.id)] == f"是，接续：{first.title}{FIRST}"
    assert follows[str(second.id)] == f"是，接续：{second.title}{SECOND}"


def test_english_pages_say_the_period_and_the_round_in_english(client, three_rounds):
    first, second, _third = three_rounds
    client.get("/settings/language/en")
    page = client.get("/search?q=养老").get_data(as_text=True)
    chosen = options(page, "consultation")
    assert chosen[str(first.id)] == f"{first.title} (12 April – 12 May 2023)"
    assert chosen[str(second.id)] == f"{second.title} (1 June – 1 July 2023, round 2)"
    assert f'<span lang="zh-CN">{second.title}</span><span class="consultation-detail"> (1 June – 1 July 2023, ' \
           f'round 2)</span>' in page


@pytest.mark.parametrize("language, start, end, said", [
    ("zh_CN", date(2023, 4, 12), date(2023, 5, 12), "2023年4月12日—5月12日"),
    ("zh_CN", date(2023, 12, 20), date(2024, 1, 20), "2023年12月20日—2024年1月20日"),
    ("en", date(2023, 4, 12), date(2023, 5, 12), "12 April – 12 May 2023"),
    ("en", date(2023, 12, 20), date(2024, 1, 20), "20 December 2023 – 20 January 2024"),
])
def test_a_period_says_its_year_once_when_it_is_one_year(app, language, start, end, said):
    with app.test_request_context(f"/?lang={language}"):
        from flask_babel import force_locale

        with force_locale(language):
            assert localperiod(start, end) == said


def test_a_long_title_is_cut_and_what_tells_it_apart_kept(app, clock, import_seed):
    clock.set(shanghai(2023, 4, 12, 9, 0))
    consultation = import_seed("003", publish=False)
    with app.test_request_context("/"):
        label = consultation_label(consultation, 10)
        assert label == consultation.title[:9] + "…" + UNPUBLISHED
