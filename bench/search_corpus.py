"""Generated Chinese comments for the search benchmarks: sentences of the seed drafts, recombined."""
from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPENINGS = ["建议", "我认为", "希望", "请考虑", "关于这一条，", "作为社区居民，", "家里有老人，", "反对：", "赞成，"]

# queries an office or a citizen would type: common, rare, one and two characters, digits
QUERIES = [
    "养老床位", "普惠", "15分钟", "助餐", "时间银行", "护理型床位", "托育", "长期照护", "适老化改造", "老年大学",
    "医养结合", "敬老院", "智慧养老", "无障碍", "家庭医生", "2025年", "孝", "婴", "数字鸿沟", "银发经济",
    "困境儿童", "康复辅具", "安宁疗护", "失能老年人", "社区食堂", "12345", "海岛", "养老服务 补贴", "志愿服务", "认知障碍",
]


def sentences() -> list[str]:
    out = []
    for path in sorted((ROOT / "samples").glob("*.txt")):
        for part in re.split(r"[。；\n]", path.read_text(encoding="utf-8")):
            part = part.strip()
            if 8 <= len(part) <= 120 and re.search(r"[\u4e00-\u9fff]{4}", part):
                out.append(part)
    return out


def comments(count: int, seed: int = 7):
    """``count`` comments of one to four sentences (about 40–250 characters each)."""
    rng = random.Random(seed)
    pool = sentences()
    for _ in range(count):
        parts = rng.sample(pool, rng.randint(1, 3))
        yield rng.choice(OPENINGS) + "。".join(parts) + "。"
