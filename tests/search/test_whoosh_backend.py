"""The Whoosh backend's own matching (portal.search.whoosh_match) against the analyser, without the app."""
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from bench.search_corpus import QUERIES, comments
from portal.search.analysis import matches, parse_query
from portal.search.documents import Document
from portal.search import whoosh_backend
from portal.search.whoosh_backend import BigramTokenizer, WhooshBackend

TEXTS = list(comments(400, seed=3)) + ["２０２５年养老床位，年度计划", "养老 床位", "老年大学。大学"]


def found(backend, query, consultation=1):
    page = backend.search(parse_query(query), [consultation], ("comment",), 1000, 0)
    assert page.unavailable == set()
    return page


def expected(texts, query):
    return {i + 1 for i, text in enumerate(texts) if matches(text, parse_query(query))}


@pytest.mark.parametrize("parallel", [False, True])
def test_every_query_finds_exactly_what_the_analyser_matches(tmp_path, monkeypatch, parallel):
    if parallel:  # a large rebuild: two writer processes, two segments
        monkeypatch.setattr(whoosh_backend, "PARALLEL_BUILD_FROM", 100)
    backend = WhooshBackend(tmp_path)
    backend.replace_comments(1, [Document("comment", i + 1, 1, t) for i, t in enumerate(TEXTS)])
    for query in QUERIES + ["2025年", "年", "养老床位", "大学"]:
        page = found(backend, query)
        ids = {hit.target_id for hit in page.hits}
        assert ids == expected(TEXTS, query), query
        assert page.total == len(ids)
        assert all(hit.consultation_id == 1 and hit.kind == "comment" for hit in page.hits)
    assert len(whoosh_index.open_dir(str(tmp_path / "comments-1"))._segments()) == (2 if parallel else 1)
    assert {h.target_id for h in found(backend, "2025年").hits} >= {401}
    assert 402 not in {h.target_id for h in found(backend, "养老床位").hits}  # a space is not a phrase gap


def test_deleted_and_updated_comments_in_later_segments(tmp_path):
    backend = WhooshBackend(tmp_path)
    backend.replace_comments(1, [Document("comment", i + 1, 1, t) for i, t in enumerate(TEXTS)])
    first = sorted(expected(TEXTS, "养老"))[:3]
    backend.update_comments(1, [Document("comment", first[1], 1, "改成了别的话")], [first[0]])
    ids = {hit.target_id for hit in found(backend, "养老").hits}
    assert first[0] not in ids and first[1] not in ids and first[2] in ids
    assert [h.target_id for h in found(backend, "别的话").hits] == [first[1]]


def test_the_first_page_is_the_best_scored_and_pages_do_not_overlap(tmp_path):
    backend = WhooshBackend(tmp_path)
    backend.replace_comments(1, [Document("comment", i + 1, 1, t) for i, t in enumerate(TEXTS)])
    clauses = parse_query("养老")
    one = backend.search(clauses, [1], ("comment",), 20, 0)
    two = backend.search(clauses, [1], ("comment",), 20, 20)
    assert len(one.hits) == len(two.hits) == 20
    assert one.total == two.total == len(expected(TEXTS, "养老"))
    assert not {h.target_id for h in one.hits} & {h.target_id for h in two.hits}
    assert min(h.score for h in one.hits) >= max(h.score for h in two.hits)


def test_an_index_written_before_the_lean_schema_still_answers(tmp_path):
    old_schema = Schema(
        id=ID(stored=True, unique=True),
        consultation=ID(stored=True),
        content=TEXT(analyzer=BigramTokenizer(), phrase=True),
    )
    (tmp_path / "comments-1").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "comments-1"), old_schema)
    writer = ix.writer()
    for i, text in enumerate(TEXTS):
        writer.add_document(id=str(i + 1), consultation="1", content=text)
    writer.commit()
    backend = WhooshBackend(tmp_path)
    for query in ["养老床位", "2025年", "婴"]:
        assert {h.target_id for h in found(backend, query).hits} == expected(TEXTS, query)
