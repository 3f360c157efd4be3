"""Searching as a citizen does: the box on every page, results with highlights, filters, pages; and
what must never be found (pending, hidden, spam, private comments)."""
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.comments.models import Comment
from portal.extensions import db
from portal.search.backend import get_backend
from portal.search.models import SearchQueueItem
from portal.search.worker import claim
from tests.helpers import post_comment, receipt_from, shanghai


@pytest.fixture
def two_consultations(app, clock, import_seed, work_index):
    clock.set(shanghai(2024, 3, 1, 9))
    open_one = import_seed("001", deadline=shanghai(2024, 4, 1, 23, 59))
    closed_one = import_seed("003", opens=shanghai(2024, 1, 1), deadline=shanghai(2024, 2, 1, 23, 59))
    work_index()
    return open_one, closed_one


def comment_on(client, app, consultation, body: str, approve: bool = True) -> Comment:
    response = post_comment(client, consultation, f"/consultations/{consultation.id}", body=body)
    receipt = receipt_from(response)
    if approve:
        result = app.test_cli_runner().invoke(args=["comments", "approve", receipt])
        assert result.exit_code == 0, result.output
    return db.session.scalar(select(Comment).where(Comment.receipt_number == receipt))


def page(client, **args) -> str:  # noqa: D103
    response = client.get("/search", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_page_has_one_search_box(client, two_consultations):
    open_one, _ = two_consultations
    for url in ["/consultations/", f"/consultations/{open_one.id}", f"/consultations/{open_one.id}/sections/s-1",
                "/receipts/", "/search", "/login"]:
        html = client.get(url).get_data(as_text=True)
        assert html.count('class="site-search"') == 1, url
        assert 'action="/search"' in html and 'method="get"' in html


def test_sections_are_found_with_marked_words_and_links_to_their_anchor(client, two_consultations):
    open_one, closed_one = two_consultations
    html = page(client, q="数字鸿沟", consultation=open_one.id)
    assert "找到 1 条结果" in html
    assert "<mark>数字鸿沟</mark>" in html
    assert f'href="/consultations/{open_one.id}/sections/s-1-5"' in html


def test_filters_by_consultation_state_and_kind(client, app, two_consultations):
    open_one, closed_one = two_consultations
    both = page(client, q="敬老")
    assert f"/consultations/{open_one.id}/" in both and f"/consultations/{closed_one.id}/" in both
    only_closed = page(client, q="敬老", state="closed")
    assert f"/consultations/{open_one.id}/" not in only_closed and f"/consultations/{closed_one.id}/" in only_closed
    only_open = page(client, q="敬老", consultation=open_one.id)
    assert f"/consultations/{closed_one.id}/" not in only_open and f"/consultations/{open_one.id}/" in only_open
    comment_on(client, app, open_one, "希望社区助餐点开到晚上七点")
    app.test_cli_runner().invoke(args=["search", "work"])
    comments_only = page(client, q="助餐", kind="comment")
    assert "找到 1 条结果" in comments_only and "<mark>助餐</mark>点开到晚上七点" in comments_only


def test_results_come_in_pages(client, two_consultations):
    first = page(client, q="老")
    total = int(re.search(r"找到 (\d+) 条结果", first).group(1))
    assert total > 20 and first.count('class="search-result"') == 20
    assert 'rel="next"' in first and "page=2" in first
    last_page = -(-total // 20)
    last = page(client, q="老", page=last_page)
    assert last.count('class="search-result"') == total - 20 * (last_page - 1)
    assert 'rel="next"' not in last
    beyond = client.get("/search", query_string={"q": "老", "page": last_page + 5})  # an old link: the last page
    assert beyond.status_code == 302 and f"page={last_page}" in beyond.headers["Location"]
    assert "q=" in beyond.headers["Location"]


def test_the_query_is_escaped_on_the_page(client, two_consultations):
    html = page(client, q='<script>alert("x")</script>')
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_only_approved_public_comments_are_found_and_a_hidden_one_leaves_the_index(
    client, app, two_consultations, work_index
):
    open_one, _ = two_consultations
    pending = comment_on(client, app, open_one, "建议增设夜间托管服务", approve=False)
    approved = comment_on(client, app, open_one, "建议增加社区食堂的夜间供餐")
    spam = comment_on(client, app, open_one, "夜间代办证件请加微信", approve=False)
    spam.status = "spam"
    db.session.commit()
    work_index()
    html = page(client, q="夜间", kind="comment")
    assert f"comment-{approved.id}" in html and "找到 1 条结果" in html
    assert f"comment-{pending.id}" not in html and f"comment-{spam.id}" not in html

    approved.status = "hidden"  # what moderation will do
    db.session.commit()
    assert db.session.scalar(
        select(func.count()).select_from(SearchQueueItem).where(SearchQueueItem.target_id == approved.id)
    ) == 1
    assert f"comment-{approved.id}" not in page(client, q="夜间", kind="comment")  # checked before the worker runs
    work_index()
    # and the index itself no longer holds it
    from portal.search.analysis import parse_query

    hits = get_backend().search(parse_query("夜间"), [open_one.id], ("comment",), 20, 0).hits
    assert hits == []


def test_comments_of_a_consultation_that_keeps_them_private_are_never_found(client, app, two_consultations, work_index):
    open_one, _ = two_consultations
    comment = comment_on(client, app, open_one, "托管服务的收费标准应当公开")
    work_index()
    assert f"comment-{comment.id}" in page(client, q="收费标准", kind="comment")
    open_one.comment_visibility = "private"
    db.session.commit()
    work_index()
    assert "找到 0 条结果" in page(client, q="收费标准", kind="comment")


def test_a_corrupt_index_is_rebuilt_never_a_server_error(client, app, two_consultations, work_index):
    index_dir = Path(app.config.get("SEARCH_INDEX_DIR") or Path(app.instance_path) / "search") / "sections"
    if get_backend().name != "whoosh":
        pytest.skip("the PostgreSQL backend keeps no index files")
    for toc in index_dir.glob("*.toc"):
        toc.write_bytes(b"garbage")
    html = page(client, q="数字鸿沟")
    assert "搜索索引正在重建" in html
    assert "数字鸿沟" in html and "/sections/s-1-5" in html  # found by the plain text search meanwhile
    assert "找到 0 条结果" not in page(client, q="１５分钟") and "/sections/" in page(client, q="１５分钟")  # folded too
    work_index()
    html = page(client, q="数字鸿沟")
    assert "搜索索引正在重建" not in html and "<mark>数字鸿沟</mark>" in html


def test_a_missing_index_is_rebuilt(client, app, two_consultations, work_index):
    if get_backend().name != "whoosh":
        pytest.skip("the PostgreSQL backend keeps no index files")
    shutil.rmtree(Path(app.instance_path) / "search")
    assert "搜索索引正在重建" in page(client, q="敬老院")
    searched = page(client, q="敬老院 養老")  # the database's own search reads traditional characters too
    assert "搜索索引正在重建" in searched and "找到 0 条结果" not in searched and "<mark>敬老院</mark>" in searched
    work_index()
    html = page(client, q="敬老院")
    assert "搜索索引正在重建" not in html and "<mark>敬老院</mark>" in html


def test_reindex_command_rebuilds_everything_or_one_consultation(app, client, two_consultations):
    open_one, _ = two_consultations
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "已重建索引" in result.output
    assert "<mark>梦想小屋</mark>" in page(client, q="梦想小屋")
    result = runner.invoke(args=["search", "reindex", "--consultation", str(open_one.id)])
    assert result.exit_code == 0, result.output
    assert "<mark>梦想小屋</mark>" in page(client, q="梦想小屋")
    result = runner.invoke(args=["search", "reindex", "--consultation", "999"])
    assert result.exit_code != 0 and "999" in result.output


def test_two_workers_never_claim_the_same_queue_row(app, two_consultations):
    for target in range(1, 11):
        db.session.add(SearchQueueItem(kind="comment", target_id=1000 + target, consultation_id=1))
    db.session.commit()
    first_token, first = claim(6)
    first_ids = {item.id for item in first}
    if db.engine.dialect.name == "postgresql":
        # the first worker's transaction still holds its rows: a second connection skips them
        second_session = db.session.registry.createfunc()
        from sqlalchemy import text

        rows = second_session.execute(
            text("SELECT id FROM search_queue ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED")
        ).scalars().all()
        second_session.rollback()
        second_session.close()
        second_ids = set(rows)
    else:
        second_token, second = claim(6)
        second_ids = {item.id for item in second}
    assert len(first_ids) == 6 and len(second_ids) == 4
    assert not first_ids & second_ids
    db.session.rollback()


def test_a_word_too_long_for_the_index_never_stops_the_worker(client, app, two_consultations, work_index):
    """A pasted hash of 2,100 letters made PostgreSQL refuse the batch (a tsvector word holds at most 2,047 bytes):
    the worker failed on every run and nothing after it was indexed. The word is left out; the rest is found."""
    open_one, _ = two_consultations
    long_word = "ab12" * 525  # 2,100 characters
    first = comment_on(client, app, open_one, f"附上校验码{long_word}，请核实夜间供餐。")
    after = comment_on(client, app, open_one, "建议延长夜间托管服务时间")
    work_index()
    assert db.session.scalar(select(func.count()).select_from(SearchQueueItem)) == 0
    html = page(client, q="夜间", kind="comment")
    assert f"comment-{first.id}" in html and f"comment-{after.id}" in html


def test_traditional_characters_find_simplified_text_and_the_other_way(client, app, two_consultations, work_index):
    """A reader who types in traditional characters (數字鴻溝) finds the draft's simplified 数字鸿沟, marked as written;
    a comment written in traditional characters is found by the simplified words, and marked as the comment has
    them."""
    open_one, _ = two_consultations
    html = page(client, q="數字鴻溝", consultation=open_one.id)
    assert "找到 1 条结果" in html and "<mark>数字鸿沟</mark>" in html
    comment = comment_on(client, app, open_one, "建議增加社區食堂的夜間供餐")
    work_index()
    html = page(client, q="社区食堂", kind="comment")
    assert f"comment-{comment.id}" in html and "<mark>社區食堂</mark>" in html


def test_two_workers_at_once_never_leave_a_hidden_comment_in_the_index(app, client, two_consultations, work_index):
    """Worker 1 reads a comment while it is approved and is slow to write it; meanwhile the comment is hidden and
    worker 2 takes the row that says so. Whatever the order they finish in, the index must not keep the comment
    (workers take turns: the one that reads last writes last)."""
    import threading

    from portal.search import services as search_services
    from portal.search.analysis import parse_query
    from portal.search.worker import work_queue

    open_one, _ = two_consultations
    comment = comment_on(client, app, open_one, "建议在每个街道设立助餐点")
    work_index()
    comment_id = comment.id
    db.session.add(SearchQueueItem(kind="comment", target_id=comment_id, consultation_id=open_one.id))  # an edit
    db.session.commit()

    read, carry_on = threading.Event(), threading.Event()
    original = search_services.comment_document

    def slow_first_read(cid):
        document = original(cid)
        if threading.current_thread().name == "first" and not read.is_set():
            read.set()  # read while approved: now slow to write it
            carry_on.wait(30)
        return document

    def worker():
        with app.app_context():
            work_queue()

    search_services.comment_document = slow_first_read
    try:
        first = threading.Thread(target=worker, name="first")
        first.start()
        assert read.wait(30)
        db.session.get(Comment, comment_id).status = "hidden"  # what moderation does, with its queue row
        db.session.commit()
        second = threading.Thread(target=worker, name="second")
        second.start()
        second.join(2)  # without turns the second worker is done by now: the first then writes what it read
        carry_on.set()
        first.join(30)
        second.join(30)
    finally:
        carry_on.set()
        search_services.comment_document = original
    assert db.session.scalar(select(func.count()).select_from(SearchQueueItem)) == 0
    hits = get_backend().search(parse_query("助餐点"), [open_one.id], ("comment",), 20, 0).hits
    assert hits == []


def test_a_sections_snippet_reads_on_from_its_heading_when_its_text_does(app, client, clock, import_seed, work_index):
    """Seed 000's item 8 has no heading sentence: its heading is its first clause ("加大养老服务补贴力度") and its text
    goes on from it (",特别是……"). Its snippet begins with the heading, never with the bare comma."""
    clock.set(shanghai(2024, 3, 1, 9))
    consultation = import_seed("000", deadline=shanghai(2024, 4, 1, 23, 59))
    work_index()
    html = page(client, q="减轻中低收入群体的养老压力", consultation=consultation.id)
    snippet = re.search(r'<p class="snippet"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert snippet.startswith("加大养老服务补贴力度,特别是对失能失智老年人的政策支持,") and "<mark>" in snippet
    # a section whose text begins a sentence of its own is shown from its text, as before
    html = page(client, q="数字鸿沟", consultation=consultation.id)
    assert not re.search(r'<p class="snippet"[^>]*>[,，、；;：:]', html)
