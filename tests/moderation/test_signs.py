"""Spam signs and sensitive words: pure functions."""
from portal.moderation.signs import (
    address_hash, clean_words, decode_word_file, find_words, has_link, has_repetition, highlight,
)


def test_links():
    assert has_link("详见 https://example.com/x")
    assert has_link("加我 www.abc.cn")
    assert has_link("访问 shop-deal.top 领奖")
    assert not has_link("第3.2条应当修改。联系电话0557-3255022")
    assert has_link("evil-site.com") and has_link("请访问EVIL-SITE.COM")
    assert has_link("加微信abc.top")  # right after Chinese words: no word boundary there
    assert not has_link("abc.community") and not has_link("e.g. 例如")


def test_a_long_run_of_letters_and_hyphens_is_no_link():
    """Such a run (a-a-a-…) had made the search try each hyphen as a start: quadratic, 0.8 s for 5,000 characters."""
    assert not has_link("a-" * 20_000)
    assert has_link("a-" * 20_000 + "b.com")


def test_repetition():
    assert has_repetition("顶顶顶顶顶顶顶")
    assert has_repetition("加微信加微信加微信加微信")
    assert not has_repetition("建议增加社区食堂，提高补贴标准。")


def test_highlight_marks_words_and_escapes_the_rest():
    html = str(highlight("<b>坏蛋</b>说了坏话，BAD words", ["坏蛋", "bad"]))
    assert html == "&lt;b&gt;<mark>坏蛋</mark>&lt;/b&gt;说了坏话，<mark>BAD</mark> words"
    assert str(highlight("<i>", ["<i>"])) == "<mark>&lt;i&gt;</mark>"


def test_overlapping_words_are_merged():
    assert find_words("垃圾广告", ["垃圾", "圾广", "广告"]) == [(0, 4)]


def test_word_lists_from_text_and_files():
    assert clean_words(["# 注释", " 坏话 ", "甲，乙、丙", "", "坏话", "BAD", "bad"]) == ["坏话", "甲", "乙", "丙", "BAD"]
    assert decode_word_file("坏话\n".encode("gb18030")) == "坏话\n"
    assert decode_word_file("\ufeff坏话".encode("utf-8")) == "坏话"
    assert decode_word_file("坏话".encode("utf-16")) == "坏话"


def test_address_hash_is_stable_and_keyed():
    assert address_hash("1.2.3.4", "k") == address_hash("1.2.3.4", "k")
    assert address_hash("1.2.3.4", "k") != address_hash("1.2.3.4", "other")
    assert "1.2.3.4" not in address_hash("1.2.3.4", "k")
    assert address_hash(None, "k") is None
