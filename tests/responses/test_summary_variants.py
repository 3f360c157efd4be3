"""The closing summary as it grows with the data: people, sections, published responses — exact texts."""
from datetime import date

import pytest

from portal.consultations.summary import CommentTally, commenter_key, count_people, write_closing_summary

ADDRESSEE = "社会各界、广大居民群众"


def summary(tally: CommentTally) -> str:
    return write_closing_summary(date(2023, 5, 12), ADDRESSEE, tally, date(2023, 4, 12))


def test_no_comment_stays_the_seed_sentence_even_with_other_counts_zero():
    assert summary(CommentTally(people=0)) == "截止到5月12日，未收到社会各界、广大居民群众反馈意见。"


@pytest.mark.parametrize(
    "tally, expected",
    [
        (CommentTally(12, 8, 0, people=9), "截止到5月12日，共收到社会各界、广大居民群众反馈意见12条（9人提出），涉及8个部分。"),
        (CommentTally(3, 0, 3, people=1), "截止到5月12日，共收到社会各界、广大居民群众反馈意见3条（1人提出），均针对全文。"),
        (
            CommentTally(5, 2, 1, people=4),
            "截止到5月12日，共收到社会各界、广大居民群众反馈意见5条（4人提出），涉及2个部分，另有1条针对全文。",
        ),
        (
            CommentTally(12, 8, 0, people=9, adopted=3, partly_adopted=2, not_adopted=1),
            "截止到5月12日，共收到社会各界、广大居民群众反馈意见12条（9人提出），涉及8个部分。"
            "经认真研究，采纳3条，部分采纳2条，不采纳1条。",
        ),
        (
            CommentTally(12, 8, 0, people=9, adopted=3, not_adopted=1, explained=2),
            "截止到5月12日，共收到社会各界、广大居民群众反馈意见12条（9人提出），涉及8个部分。"
            "经认真研究，采纳3条，不采纳1条，另有2条作情况说明。",
        ),
        (
            CommentTally(2, 1, 1, people=2, explained=2),
            "截止到5月12日，共收到社会各界、广大居民群众反馈意见2条（2人提出），涉及1个部分，另有1条针对全文。"
            "经认真研究，对2条作情况说明。",
        ),
        (
            CommentTally(1, 1, 0, people=1, partly_adopted=1),
            "截止到5月12日，共收到社会各界、广大居民群众反馈意见1条（1人提出），涉及1个部分。经认真研究，部分采纳1条。",
        ),
    ],
)
def test_each_variant(tally, expected):
    assert summary(tally) == expected


def test_commenters_are_known_by_contact_then_name():
    assert commenter_key("王大爷", "138 0013 8000") == commenter_key("李四", "+86 13800138000") == "contact:13800138000"
    assert commenter_key(None, "Ｗang@Example.com ") == "contact:wang@example.com"  # full-width, case, spaces
    assert commenter_key(" 王 大爷", None) == commenter_key("王大爷", "") == "name:王大爷"
    assert commenter_key("匿名", None) is None and commenter_key(None, "  ") is None


def test_each_anonymous_comment_counts_as_one_person():
    pairs = [("王大爷", "13800138000"), ("李四", "138-0013-8000"), (None, None), (None, None), ("王大爷", None)]
    assert count_people(pairs) == 4
    assert count_people([]) == 0
