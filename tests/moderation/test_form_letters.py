"""Form letters: the pure grouper, measured on a generated set with edited copies and individual comments."""
from bench.form_letters import generate
from portal.moderation.form_letters import group_texts, pairwise_scores, signature, similarity

LETTER = "尊敬的领导：社区的老年食堂数量太少，建议增加投入。因为独居老人越来越多，希望延长服务时间，把助餐点办好。此致敬礼！"


def test_generated_set_is_grouped_with_high_precision_and_recall():
    texts, labels = generate(total=400, letters=6, copies=(20, 40), seed=11)
    assert sum(label is not None for label in labels) >= 120  # the set really holds copies
    precision, recall = pairwise_scores(labels, group_texts(texts))
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall


def test_an_edited_copy_joins_and_a_different_comment_does_not():
    copy = "您好！社区的老年食堂数量太少，建议增加投入。因为独居老人越来越多，希望延长服务的时间，把助餐点办好。谢谢！王先生"
    other = "小区的电梯加装申请手续复杂，恳请简化申请流程。很多老人不会用手机，希望公开收费标准。"
    assert group_texts([LETTER, copy, other]) == [0, 0, 2]
    assert similarity(signature(LETTER), signature(copy)) >= 0.5
    assert similarity(signature(LETTER), signature(other)) < 0.2


def test_short_comments_are_never_grouped():
    assert signature("同意。") is None
    assert group_texts(["同意。", "同意。", "同意！"]) == [0, 1, 2]


def test_pairwise_scores():
    assert pairwise_scores(["a", "a", None, None], [1, 1, 2, 3]) == (1.0, 1.0)
    precision, recall = pairwise_scores(["a", "a", "b", "b"], [1, 1, 1, 1])
    assert (precision, recall) == (2 / 6, 1.0)
    assert pairwise_scores(["a", "a", "a"], [1, 1, 2]) == (1.0, 1 / 3)
