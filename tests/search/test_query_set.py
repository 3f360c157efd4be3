"""The labelled query set (tests/search/queries.json) against the backend the database selects:
Whoosh on SQLite, PostgreSQL on PostgreSQL (that run skips with the reason when no server answers)."""
import json
import unicodedata
from pathlib import Path

from portal.search.backend import get_backend
from portal.search.services import search
from tests.helpers import shanghai

QUERIES = json.loads((Path(__file__).parent / "queries.json").read_text(encoding="utf-8"))["queries"]
# The bar (also stated in README.md): over all queries, precision and recall at least 0.95.
MIN_PRECISION = 0.95
MIN_RECALL = 0.95


def label_path(section) -> str:
    labels = [s.label for s in section.ancestors()] + [section.label]
    return unicodedata.normalize("NFKC", "/".join("".join(label.split()) for label in labels))


def test_the_query_set_has_the_kinds_of_queries_asked_for():
    texts = [q["q"] for q in QUERIES]
    assert len(texts) >= 40
    assert "普惠" in texts and "15分钟" in texts
    assert any(len(t) == 1 for t in texts) and any(len(t) == 2 for t in texts)


def test_labelled_queries_reach_the_bar(app, clock, import_seed, work_index, capsys):
    clock.set(shanghai(2024, 3, 1, 9))
    consultations = {
        seed: import_seed(seed, deadline=shanghai(2024, 4, 1, 23, 59))
        for seed in sorted({q["seed"] for q in QUERIES})
    }
    work_index()
    backend = get_backend().name
    true_positives = returned = expected = 0
    misses = []
    for item in QUERIES:
        found = search(item["q"], consultation_id=consultations[item["seed"]].id, kind="section", per_page=500)
        got = {label_path(r.section) for r in found.results}
        want = {unicodedata.normalize("NFKC", p) for p in item["expect"]}
        true_positives += len(got & want)
        returned += len(got)
        expected += len(want)
        if got != want:
            misses.append(f"{item['seed']} {item['q']!r}: extra {sorted(got - want)} missing {sorted(want - got)}")
    precision = true_positives / returned if returned else 1.0
    recall = true_positives / expected if expected else 1.0
    with capsys.disabled():
        print(f"\n[search:{backend}] {len(QUERIES)} queries: precision {precision:.3f}, recall {recall:.3f}")
        for miss in misses:
            print("  ", miss)
    assert precision >= MIN_PRECISION, misses
    assert recall >= MIN_RECALL, misses
