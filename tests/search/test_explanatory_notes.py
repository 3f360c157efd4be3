"""Explanatory notes (起草说明) are found by the search box as the draft's sections are: marked, linked to the note,
filtered by kind, gone when the office takes the note away; on both backends, and after a broken index."""
import shutil
from pathlib import Path

import pytest

from portal.extensions import db
from portal.search.backend import get_backend
from tests.helpers import shanghai

NOTE = "一、起草背景\n为回应入户走访座谈会纪要中居民的诉求，起草本方案。\n二、主要内容\n本方案共五个部分。"


@pytest.fixture
def with_note(app, clock, import_seed, work_index):
    clock.set(shanghai(2024, 3, 1, 9))
    consultation = import_seed("001", deadline=shanghai(2024, 4, 1, 23, 59))
    other = import_seed("003", opens=shanghai(2024, 1, 1), deadline=shanghai(2024, 2, 1, 23, 59))
    work_index()
    consultation.explanatory_note = NOTE  # as the office's page stores it
    db.session.commit()
    work_index()
    return consultation, other


def page(client, **args) -> str:
    response = client.get("/search", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_note_is_found_marked_and_linked(client, with_note):
    consultation, other = with_note
    html = page(client, q="入户走访")
    assert "找到 1 条结果" in html
    assert f'href="/consultations/{consultation.id}/explanatory-note"' in html
    assert f"关于《{consultation.title}》的起草说明" in html and '<span class="tag">起草说明</span>' in html
    assert "<mark>入户走访</mark>座谈会纪要" in html
    assert "找到 1 条结果" in page(client, q="入户走访", kind="note")
    assert "找到 0 条结果" in page(client, q="入户走访", kind="section")
    assert "找到 0 条结果" in page(client, q="入户走访", consultation=other.id)
    assert "找到 0 条结果" in page(client, q="入户走访", state="closed")


def test_a_note_taken_away_is_no_longer_found(client, with_note, work_index):
    consultation, _other = with_note
    consultation.explanatory_note = None
    db.session.commit()
    assert "找到 0 条结果" not in page(client, q="入户走访")  # still in the index: counted …
    assert "explanatory-note" not in page(client, q="入户走访")  # … but never shown
    work_index()
    assert "找到 0 条结果" in page(client, q="入户走访")


def test_a_changed_note_is_found_by_its_new_words(client, with_note, work_index):
    consultation, _other = with_note
    consultation.explanatory_note = NOTE.replace("入户走访", "星火问卷")
    db.session.commit()
    work_index()
    assert "找到 0 条结果" in page(client, q="入户走访")
    assert "<mark>星火问卷</mark>" in page(client, q="星火问卷")


def test_a_broken_notes_index_is_searched_in_the_database_and_rebuilt(app, client, with_note, work_index):
    if get_backend().name != "whoosh":
        pytest.skip("the PostgreSQL backend keeps no index files")
    notes = Path(app.instance_path) / "search" / "notes"
    for toc in notes.glob("*.toc"):
        toc.write_bytes(b"garbage")
    html = page(client, q="入户走访")
    assert "搜索索引正在重建" in html and "explanatory-note" in html
    work_index()
    html = page(client, q="入户走访")
    assert "搜索索引正在重建" not in html and "<mark>入户走访</mark>" in html

    shutil.rmtree(Path(app.instance_path) / "search")
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    assert "<mark>入户走访</mark>" in page(client, q="入户走访")
