"""Section anchors (a section's name in its URL): short enough for their column, unique within a draft,
stable, and for every ordinary draft the same as they always were."""
import re

import pytest

from portal.drafts.anchors import section_anchor
from portal.drafts.models import Section
from tests.drafts.test_parser import SEED_IDS, seed

COLUMN = Section.anchor.type.length  # 50: PostgreSQL refuses a longer anchor


def plain(kind: str, numbers: tuple[int, ...]) -> str:
    """The anchor as it has always been built: kind and the position at each level."""
    return ("appendix-" if kind == "appendix" else "s-") + "-".join(map(str, numbers))


def walk(sections: list[dict], numbers: tuple[int, ...] = ()):
    """(kind, numbers) of every section of a parsed outline, in document order."""
    for position, item in enumerate(sections, 1):
        yield item["kind"], numbers + (position,)
        yield from walk(item["children"], numbers + (position,))


def nested(levels: int, siblings: int) -> list[dict]:
    """``siblings`` sections at each of ``levels`` levels; the last of each holds the next level."""
    children: list[dict] = []
    for _ in range(levels):
        items = [{"kind": "section", "label": f"{n}.", "children": []} for n in range(1, siblings + 1)]
        items[-1]["children"] = children
        children = items
    return children


def deep_outline(levels: int, siblings: int) -> list[dict]:
    """A deep and wide body, then an appendix with a deep outline of its own."""
    return nested(levels, siblings) + [{"kind": "appendix", "label": "附件", "children": nested(levels, 40)}]


def test_a_very_deep_and_wide_outline_gets_short_unique_anchors():
    outline = deep_outline(levels=12, siblings=1001)
    sections = list(walk(outline))
    anchors = [section_anchor(kind, numbers) for kind, numbers in sections]
    assert len(sections) > 12 * 1001
    assert max(len(plain(kind, numbers)) for kind, numbers in sections) > COLUMN  # the case at stake
    assert max(len(a) for a in anchors) <= COLUMN
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"(?:s|appendix)(?:-[0-9a-z]+)+", a) for a in anchors)  # fit for a URL
    # stable: the same outline, the same anchors
    assert anchors == [section_anchor(kind, numbers) for kind, numbers in walk(deep_outline(12, 1001))]
    # only the long ones change, and they still start with the way to the section
    for (kind, numbers), anchor in zip(sections, anchors):
        if len(plain(kind, numbers)) <= COLUMN:
            assert anchor == plain(kind, numbers)
    deepest = section_anchor("section", (1001,) * 12)
    assert deepest != plain("section", (1001,) * 12) and deepest.startswith("s-1001-1001-1001-")
    assert section_anchor("appendix", (1002,)) == "appendix-1002"


def test_anchors_at_the_length_of_the_column_are_kept_and_one_more_is_shortened():
    fits = (1,) * 24  # "s-" and 24 "1"s joined by "-": 49 characters
    assert section_anchor("section", fits) == plain("section", fits) and len(plain("section", fits)) == 49
    assert section_anchor("section", fits[:-1] + (10,)) == plain("section", fits[:-1] + (10,))  # 50
    longer = fits + (1,)  # 51
    assert len(section_anchor("section", longer)) <= COLUMN
    assert section_anchor("section", longer) != section_anchor("section", fits[:-1] + (11,))


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_every_seed_keeps_the_anchors_it_always_had(seed_id):
    sections = list(walk(seed(seed_id).to_dict()["sections"]))
    anchors = [section_anchor(kind, numbers) for kind, numbers in sections]
    assert anchors == [plain(kind, numbers) for kind, numbers in sections]
    assert all(len(a) <= COLUMN for a in anchors) and len(set(anchors)) == len(anchors)


@pytest.mark.parametrize("seed_id, anchor, label, heading", [
    ("000", "s-3-1-1", "1.", "建立老年人公共服务清单"),
    ("000", "appendix-6", "附件", "临海市公共服务优质共享行动老有康养专项工作组成员名单"),
    ("002", "s-1-1-1", "01、", "顶层设计加快确立"),
    ("003", "s-2-1-1", "一是", "弘扬爱老助老社会风尚"),
    ("003", "appendix-4", "附件", "宿州市养老服务提升行动主要目标"),
])
def test_known_anchors_of_the_seeds(seed_id, anchor, label, heading):
    outline = seed(seed_id).to_dict()["sections"]
    items = {section_anchor(kind, numbers): numbers for kind, numbers in walk(outline)}
    item = {"children": outline}
    for position in items[anchor]:
        item = item["children"][position - 1]
    assert item["label"] == label and item["heading"].startswith(heading)
