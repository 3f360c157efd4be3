"""Matching a revision's sections to the old ones, and the per-section diff (pure functions)."""
from portal.drafts.matching import SectionKey, match_sections, text_changes


def key(path: str, content: str) -> SectionKey:
    return SectionKey(tuple(path.split("/")), content)


def test_same_label_path_matches_even_when_the_text_changed_somewhat():
    old = [key("一、", "总体要求\n坚持以人为本，到2025年建成。"), key("二、", "主要任务\n完善养老服务网络。")]
    new = [key("一、", "总体要求\n坚持以人为本，到2026年基本建成。"), key("二、", "主要任务\n完善养老服务网络。")]
    assert match_sections(old, new) == {0: 0, 1: 1}


def test_an_inserted_section_does_not_steal_the_label_of_the_old_one():
    old = [key("一、", "总体要求\n坚持以人为本。"), key("二、", "主要任务\n完善养老服务网络，发展普惠养老。")]
    new = [key("一、", "总体要求\n坚持以人为本。"), key("二、", "新增加的条款\n关于老年助餐的全新规定和措施。"),
           key("三、", "主要任务\n完善养老服务网络，发展普惠养老。")]
    assert match_sections(old, new) == {0: 0, 2: 1}


def test_each_old_section_is_used_once():
    old = [key("一、", "同样的文字")]
    new = [key("一、", "同样的文字"), key("二、", "同样的文字")]
    assert match_sections(old, new) == {0: 0}


def test_text_changes_by_character():
    assert text_changes("到2025年底", "到2026年底") == [("equal", "到202"), ("delete", "5"), ("insert", "6"),
                                                      ("equal", "年底")]
    assert text_changes("", "新") == [("insert", "新")]
