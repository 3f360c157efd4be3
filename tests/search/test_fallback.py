"""While the Whoosh index is being rebuilt (here: not built yet), the search page still answers, from the database: at
most FALLBACK_MAX results of each kind, said to be "more than" that beyond, the newest consultations and comments
first, the current drafts' sections only. On both engines: PostgreSQL runs with the Whoosh backend too (several hosts
sharing one index folder)."""
import re

import pytest

from portal.search import services
from tests.helpers import shanghai
from tests.search.test_search_pages import comment_on


@pytest.fixture
def whoosh(app):
    app.config["SEARCH_BACKEND"] = "whoosh"


def results(html: str) -> list[str]:
    """The links of the results listed, in order."""
    return re.findall(r'<a class="result-title" href="([^"]+)"', html)


def test_search_answers_while_the_index_is_rebuilt_with_a_bounded_number_of_results(app, client, clock, import_seed,
                                                                                    monkeypatch, whoosh):
    clock.set(shanghai(2024, 3, 1, 9))
    older = import_seed("003", deadline=shanghai(2024, 4, 1, 23, 59))
    newer = import_seed("003", deadline=shanghai(2024, 5, 1, 23, 59))
    other = import_seed("001", deadline=shanghai(2024, 4, 1, 23, 59))
    letters = [comment_on(client, app, newer, f"建议多建社区食堂，第{n}封。") for n in range(3)]

    found = client.get("/search?q=数字鸿沟").get_data(as_text=True)  # a section of seed 001, two of seed 003
    assert "搜索索引正在重建" in found and "找到 5 条结果" in found
    everywhere = [f"/consultations/{other.id}/sections/s-1-5", f"/consultations/{newer.id}/sections/s-2-1-2",
                  f"/consultations/{newer.id}/sections/s-2-7-2", f"/consultations/{older.id}/sections/s-2-1-2",
                  f"/consultations/{older.id}/sections/s-2-7-2"]
    assert results(found) == everywhere  # the newest consultations first, each in the draft's order

    monkeypatch.setattr(services, "FALLBACK_MAX", 4)
    bounded = client.get("/search?q=数字鸿沟").get_data(as_text=True)
    assert "搜索索引正在重建" in bounded and "找到超过 4 条结果" in bounded
    assert results(bounded) == everywhere[:4]

    said = client.get("/search?q=社区食堂&kind=comment").get_data(as_text=True)
    assert "找到 3 条结果" in said
    assert [int(link.rsplit("-", 1)[1]) for link in results(said)] == [c.id for c in reversed(letters)]
    monkeypatch.setattr(services, "FALLBACK_MAX", 2)
    said = client.get("/search?q=社区食堂&kind=comment").get_data(as_text=True)
    assert "找到超过 2 条结果" in said
    assert [int(link.rsplit("-", 1)[1]) for link in results(said)] == [letters[2].id, letters[1].id]


def test_the_fallback_finds_the_words_of_each_consultation_s_current_draft_only(app, client, clock, import_seed,
                                                                                whoosh):
    from portal.drafts.services import add_draft, parse_file
    from portal.extensions import db

    clock.set(shanghai(2024, 3, 1, 9))
    kept = import_seed("003", deadline=shanghai(2024, 4, 1, 23, 59))
    revised = import_seed("003", deadline=shanghai(2024, 5, 1, 23, 59))
    first = revised.current_draft.source_text
    text, parsed = parse_file(first.replace("数字鸿沟", "数字差距").encode(), "003-2.txt")
    assert add_draft(revised, parsed.to_dict(), text, "003-2.txt").version == 2
    db.session.commit()

    found = client.get("/search?q=数字鸿沟").get_data(as_text=True)
    assert "搜索索引正在重建" in found and "找到 2 条结果" in found
    assert results(found) == [f"/consultations/{kept.id}/sections/s-2-1-2",
                              f"/consultations/{kept.id}/sections/s-2-7-2"]  # not the revised one's first draft
    found = client.get("/search?q=数字差距").get_data(as_text=True)
    assert results(found) == [f"/consultations/{revised.id}/sections/s-2-1-2",
                              f"/consultations/{revised.id}/sections/s-2-7-2"]
