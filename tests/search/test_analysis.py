"""The analyser, as plain functions: tokens, queries, highlighting."""
from portal.search.analysis import Clause, match_spans, matches, parse_query, snippet, term_positions, token_string, tokens


def texts(text):
    return [(t.text, t.pos) for t in tokens(text)]


def test_han_runs_become_overlapping_bigrams_and_their_last_character():
    assert texts("养老床位") == [("养老", 0), ("老床", 1), ("床位", 2), ("位", 3)]


def test_punctuation_leaves_a_gap_but_a_space_does_not():
    assert texts("养老，服务") == [("养老", 0), ("老", 1), ("服务", 3), ("务", 4)]
    assert texts("2025 年") == [("2025", 0), ("年", 1)]


def test_full_width_letters_and_digits_fold_to_half_width_lower_case():
    assert texts("ＡＰＰ１５分钟") == [("app15", 0), ("分钟", 1), ("钟", 2)]
    assert tokens("ＡＰＰ")[0].end == 3  # offsets stay those of the original text


def test_queries_become_phrases_and_one_character_prefixes():
    assert parse_query("养老床位") == [Clause(("养老", "老床", "床位"))]
    assert parse_query("15分钟") == [Clause(("15", "分钟"))]
    assert parse_query("老") == [Clause(("老",), prefix=True)]
    assert parse_query("养老 床位") == [Clause(("养老",)), Clause(("床位",))]
    assert parse_query("，。!") == []


def test_phrases_find_words_inside_longer_words_and_never_across_punctuation():
    assert matches("大力发展普惠性托育服务", parse_query("普惠"))
    assert matches("打造15 分钟养老服务圈", parse_query("15分钟"))
    assert not matches("养老，床位", parse_query("养老床位"))
    assert not matches("床位养老", parse_query("养老床位"))  # bigrams alone would match: the phrase does not


def test_one_character_queries_find_the_character_anywhere_in_a_run():
    assert match_spans("养老院和老人", parse_query("老")) == [(1, 2), (4, 5)]
    assert matches("建设敬老院", parse_query("院"))


def test_snippets_escape_the_text_and_mark_the_matches():
    html = str(snippet("<b>普惠</b>性托育 & 养老", parse_query("普惠")))
    assert html == "&lt;b&gt;<mark>普惠</mark>&lt;/b&gt;性托育 &amp; 养老"


def test_long_texts_are_cut_around_the_first_match():
    text = "甲" * 300 + "养老床位" + "乙" * 300
    html = str(snippet(text, parse_query("养老床位"), width=60))
    assert html.startswith("…") and html.endswith("…") and "<mark>养老床位</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) == 62


def test_the_token_string_for_postgresql_has_one_based_positions():
    assert token_string("养老 15") == "养老:1 老:2 15:3"


def test_term_positions_are_the_positions_of_the_tokens():
    texts = [
        "养老床位，普惠型 15分钟 养老服务圈。",
        "ＡＢＣ１２３ 适老化改造；老",
        "ﬁ ligature and e\u0301 combining: 养老",
        "",
        "。。养老  老年人",
    ]
    for text in texts:
        expected: dict[str, list[int]] = {}
        for token in tokens(text):
            expected.setdefault(token.text, []).append(token.pos)
        assert term_positions(text) == expected
    assert term_positions("养老，养老")["养老"] == [0, 3]


def test_traditional_characters_fold_to_simplified_and_keep_their_offsets():
    assert texts("養老服務") == texts("养老服务")
    assert term_positions("關於進一步完善養老服務") == term_positions("关于进一步完善养老服务")
    assert match_spans("「關於」養老服務", parse_query("养老")) == [(4, 6)]
    assert parse_query("乾淨") == parse_query("干净") and parse_query("乾隆") != parse_query("干隆")  # by phrase
    assert texts("养老服务体系") == [("养老", 0), ("老服", 1), ("服务", 2), ("务体", 3), ("体系", 4), ("系", 5)]
