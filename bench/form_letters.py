"""Benchmark: group 5,000 generated comments (20 form letters copied 50–200 times with small edits,
plus genuinely different comments on the same topic) and print pairwise precision, recall and time.

    .venv/bin/python bench/form_letters.py [--total 5000] [--letters 20] [--seed 7]

Prints figures; asserts nothing about time. The generator is also used by
tests/moderation/test_form_letters.py on a smaller set.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.moderation.form_letters import group_texts, pairwise_scores  # noqa: E402

# One topic for everything: a draft on community elderly care (社区居家养老服务), so that form letters
# and individual comments share vocabulary, as they do on a real contested draft.
PLACES = ["社区", "街道", "小区", "村里", "老城区", "新区", "我们楼", "周边", "镇上", "片区", "老旧小区", "安置小区"]
THINGS = ["养老服务中心", "老年食堂", "日间照料中心", "助餐点", "卫生服务站", "活动室", "康复站", "护理床位",
          "上门服务", "养老补贴", "适老化改造", "电梯加装", "家庭医生", "志愿服务", "助浴服务", "紧急呼叫设备"]
PROBLEMS = ["数量太少", "离家太远", "收费偏高", "开放时间太短", "服务人员不够", "排队时间长", "申请手续复杂",
            "信息不公开", "质量参差不齐", "覆盖面不够", "资金没有保障", "标准不明确", "监管不到位", "宣传不够"]
ACTIONS = ["增加投入", "简化申请流程", "延长服务时间", "公开收费标准", "加强人员培训", "引入社会力量",
           "建立评价机制", "明确责任单位", "提高补贴标准", "优先保障高龄老人", "加强日常监督", "设立投诉电话",
           "定期公布进展", "听取居民意见", "统筹区域布局", "落实专项资金"]
REASONS = ["老人行动不便", "子女上班顾不上", "独居老人越来越多", "现在的条件跟不上需要", "很多老人不会用手机",
           "大家反映很强烈", "邻居们都有同感", "这关系到千家万户", "基层压力很大", "费用负担太重"]
OPENERS = ["我认为", "我觉得", "建议", "希望", "个人认为", "恳请", "强烈建议", "作为居民，我认为"]
GREETINGS = ["", "", "尊敬的领导：", "您好！", "各位领导好，", "尊敬的民政局：", "你们好：", "领导同志："]
SIGNATURES = ["", "", "此致敬礼！", "谢谢！", "望采纳。", "以上意见，请予考虑。", "感谢倾听。"]
NAMES = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"]
INSERTS = ["确实", "非常", "真的", "一定要", "尽快", "切实", "进一步", "认真"]
SUBSTITUTES = [("建议", "希望"), ("应当", "应该"), ("增加", "增设"), ("老人", "老年人"), ("居民", "群众"),
               ("非常", "十分"), ("我们", "咱们"), ("服务", "服务工作"), ("问题", "情况"), ("尽快", "早日")]


def sentence(rng: random.Random) -> str:
    """One plausible sentence on the topic."""
    place, thing = rng.choice(PLACES), rng.choice(THINGS)
    pattern = rng.randrange(5)
    if pattern == 0:
        return f"{place}的{thing}{rng.choice(PROBLEMS)}，{rng.choice(OPENERS)}{rng.choice(ACTIONS)}。"
    if pattern == 1:
        return f"因为{rng.choice(REASONS)}，{rng.choice(OPENERS)}{place}{rng.choice(ACTIONS)}，把{thing}办好。"
    if pattern == 2:
        return f"关于{thing}，{rng.choice(PROBLEMS)}的问题由来已久，{rng.choice(REASONS)}。"
    if pattern == 3:
        return f"第{rng.randint(2, 40)}条提到的{thing}，{rng.choice(OPENERS)}写明如何{rng.choice(ACTIONS)}。"
    return f"{rng.choice(OPENERS)}在{place}{rng.choice(ACTIONS)}，同时{rng.choice(ACTIONS)}，{rng.choice(REASONS)}。"


def letter(rng: random.Random) -> list[str]:
    """A form letter: four to seven sentences."""
    return [sentence(rng) for _ in range(rng.randint(4, 7))]


def edited_copy(rng: random.Random, sentences: list[str]) -> str:
    """A copy as people send them: their own greeting and signature, a few small edits."""
    parts = list(sentences)
    if rng.random() < 0.3:  # two sentences swapped
        i, j = rng.sample(range(len(parts)), 2)
        parts[i], parts[j] = parts[j], parts[i]
    if rng.random() < 0.25:  # one sentence left out (only in long letters)
        if len(parts) > 4:
            parts.pop(rng.randrange(len(parts)))
    if rng.random() < 0.3:  # a personal sentence added
        parts.insert(rng.randrange(len(parts) + 1), f"我家住在{rng.choice(PLACES)}，{rng.choice(REASONS)}。")
    text = "".join(parts)
    for _ in range(rng.randint(0, 4)):
        edit = rng.randrange(4)
        if edit == 0:  # a word inserted
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(INSERTS) + text[at:]
        elif edit == 1:  # a few characters deleted
            at = rng.randrange(len(text))
            text = text[:at] + text[at + rng.randint(1, 3):]
        elif edit == 2:  # a word replaced by another
            old, new = rng.choice(SUBSTITUTES)
            text = text.replace(old, new, 1)
        else:  # a typo: one character changed
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice("的地得了在再做作") + text[at + 1:]
    signature = rng.choice(SIGNATURES)
    if rng.random() < 0.4:
        signature += f"{rng.choice(NAMES)}{rng.choice(['先生', '女士', '阿姨', '大爷', ''])}"
    return rng.choice(GREETINGS) + text + signature


def individual(rng: random.Random) -> str:
    """A genuinely different comment on the same topic: one to five sentences of its own."""
    return rng.choice(GREETINGS) + "".join(sentence(rng) for _ in range(rng.randint(1, 5))) + rng.choice(SIGNATURES)


def generate(total: int = 5000, letters: int = 20, copies: tuple[int, int] = (50, 200), seed: int = 7):
    """``(texts, labels)``: a label is the form letter's number, or None for an individual comment."""
    rng = random.Random(seed)
    items: list[tuple[str, int | None]] = []
    for number in range(letters):
        original = letter(rng)
        items += [(edited_copy(rng, original), number) for _ in range(rng.randint(*copies))]
    while len(items) < total:
        items.append((individual(rng), None))
    rng.shuffle(items)
    items = items[:total]
    return [text for text, _ in items], [label for _, label in items]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=5000)
    parser.add_argument("--letters", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    texts, labels = generate(args.total, args.letters, seed=args.seed)
    copies = sum(label is not None for label in labels)
    started = time.perf_counter()
    groups = group_texts(texts)
    elapsed = time.perf_counter() - started
    precision, recall = pairwise_scores(labels, groups)
    multi = sum(1 for g in set(groups) if groups.count(g) > 1) if len(texts) <= 20000 else "?"
    print(f"comments: {len(texts)} ({copies} copies of {args.letters} form letters, {len(texts) - copies} individual)")
    print(f"groups with more than one comment: {multi}")
    print(f"pairwise precision: {precision:.4f}")
    print(f"pairwise recall:    {recall:.4f}")
    print(f"time: {elapsed:.2f} s ({elapsed / len(texts) * 1000:.2f} ms per comment)")


if __name__ == "__main__":
    main()
