"""The closing summary writer: each variant's exact text."""
import unicodedata
from datetime import date

import pytest

from portal.consultations.summary import CommentTally, deadline_words, write_closing_summary

ADDRESSEE = "社会各界、广大居民群众"


def test_no_comments_is_the_seed_003_sentence(seed_path):
    last_line = seed_path("003").read_text(encoding="utf-8").strip().splitlines()[-1]
    written = write_closing_summary(date(2023, 5, 12), ADDRESSEE, CommentTally(), date(2023, 4, 12))
    assert written == "截止到5月12日，未收到社会各界、广大居民群众反馈意见。"
    assert unicodedata.normalize("NFKC", written) == unicodedata.normalize("NFKC", last_line)


@pytest.mark.parametrize(
    "tally, expected",
    [
        (CommentTally(12, 8, 0), "截止到5月12日，共收到社会各界、广大居民群众反馈意见12条，涉及8个部分。"),
        (CommentTally(1, 1, 0), "截止到5月12日，共收到社会各界、广大居民群众反馈意见1条，涉及1个部分。"),
        (CommentTally(3, 0, 3), "截止到5月12日，共收到社会各界、广大居民群众反馈意见3条，均针对全文。"),
        (CommentTally(5, 2, 1), "截止到5月12日，共收到社会各界、广大居民群众反馈意见5条，涉及2个部分，另有1条针对全文。"),
    ],
)
def test_with_comments(tally, expected):
    assert write_closing_summary(date(2023, 5, 12), ADDRESSEE, tally, date(2023, 4, 12)) == expected


def test_punctuation_is_full_width():
    text = write_closing_summary(date(2023, 5, 12), ADDRESSEE, CommentTally(2, 1, 1))
    assert "," not in text and "，" in text and text.endswith("。")


def test_addressee_missing_falls_back_and_colon_is_dropped():
    assert write_closing_summary(date(2023, 5, 12), None, CommentTally()) == "截止到5月12日，未收到社会各界反馈意见。"
    assert write_closing_summary(date(2023, 5, 12), "各有关单位：", CommentTally()) == "截止到5月12日，未收到各有关单位反馈意见。"


def test_year_is_named_only_when_it_differs_from_the_notice():
    assert deadline_words(date(2024, 1, 10), date(2023, 12, 20)) == "2024年1月10日"
    assert deadline_words(date(2023, 5, 12), date(2023, 4, 12)) == "5月12日"
    assert deadline_words(date(2023, 5, 12)) == "5月12日"
