"""Unit tests of portal.drafts.parser on the five seed drafts and on synthetic texts."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from portal.drafts.parser import DraftParseError, ParsedDraft, debris_lines, parse_draft
from tests.helpers import SEEDS

# --------------------------------------------------------------------------- helpers


def seeds_dir() -> Path:
    return SEEDS


def seed_text(seed_id: str) -> str:
    matches = sorted(seeds_dir().glob(f"{seed_id}_*.txt"))
    if len(matches) != 1:
        pytest.skip(f"seed {seed_id} not found in {seeds_dir()} (set PORTAL_SEEDS_DIR)")
    return matches[0].read_text(encoding="utf-8")


_cache: dict[str, ParsedDraft] = {}


def seed(seed_id: str) -> ParsedDraft:
    if seed_id not in _cache:
        _cache[seed_id] = parse_draft(seed_text(seed_id))
    return _cache[seed_id]


def flat(sections):
    for s in sections:
        yield s
        yield from flat(s["children"])


def find(sections, label, heading_start=""):
    for s in flat(sections):
        if s["label"] == label and s["heading"].startswith(heading_start):
            return s
    raise AssertionError(f"no section {label} {heading_start}")


def codes(result) -> list[str]:
    return [w["code"] for w in result.to_dict()["warnings"]]


SEED_IDS = ["000", "001", "002", "003", "004"]


# --------------------------------------------------------------------------- seed 003


def test_003_notice_fields_exact():
    d = seed("003").to_dict()
    assert d["title"] == "健全基本养老服务体系促进养老服务高质量发展三年行动方案（征求意见稿）"
    assert d["is_draft_for_comment"] is True
    assert d["addressee"] == "社会各界、广大居民群众"
    assert d["issuer"] == "市养老服务体系建设工作领导小组办公室"
    assert d["notice_date"] == "2023-04-12"
    assert d["deadline"] == "2023-05-12T23:59:59+08:00"
    assert d["contact"] == {
        "office": "市养老服务体系建设工作领导小组办公室",
        "person": "李麒麟",
        "phones": ["3255022", "18005572983"],
        "emails": ["2019787574@qq.com"],
        "address": None,
    }
    assert d["notice"].startswith("现将《健全基本养老服务体系")
    assert d["notice"].endswith("邮箱:2019787574@qq.com。")
    assert d["preamble"].startswith("为实施积极应对人口老龄化国家战略")
    assert d["closing_remark"] == "截止到5月12日,未收到社会各界、广大居民群众反馈意见。"
    assert "deadline_missing" not in codes(seed("003"))


def test_003_structure_ten_items_under_main_tasks():
    d = seed("003").to_dict()
    top = d["sections"]
    assert [s["label"] for s in top] == ["一、", "二、", "三、", "附件"]
    assert [s["kind"] for s in top] == ["section", "section", "section", "appendix"]
    tasks = top[1]
    assert tasks["heading"] == "主要任务" and tasks["run_in"] is False
    assert [c["label"] for c in tasks["children"]] == [
        f"({n})" for n in "一二三四五六七八九十"
    ]
    assert [c["number"] for c in tasks["children"]] == list(range(1, 11))
    assert all(c["level"] == 2 for c in tasks["children"])
    first = tasks["children"][0]
    assert first["heading"] == "老年友好社会创建提升行动"
    assert [c["label"] for c in first["children"]] == ["一是", "二是", "三是", "四是"]
    yishi = first["children"][0]
    assert yishi["heading"] == "弘扬爱老助老社会风尚。"
    assert yishi["run_in"] is True and yishi["level"] == 3
    assert yishi["text"].startswith("开展人口老龄化国情、区情、市情教育")
    # the unit parenthetical stays in the text, units are extracted
    assert yishi["text"].endswith("(市老龄委、市文明办、市民政局)")
    assert yishi["units"] == ["市老龄委", "市文明办", "市民政局"]
    # 三、组织保障 has 一是… directly at level 2
    assert [(c["label"], c["level"]) for c in top[2]["children"]] == [
        ("一是", 2), ("二是", 2), ("三是", 2)
    ]
    assert top[0]["text"].startswith("坚持以习近平新时代中国特色社会主义思想为指导")


def test_003_units_from_several_parentheticals():
    d = seed("003").to_dict()
    s = find(d["sections"], "二是", "推进老年人能力综合评估")
    assert s["units"] == ["市民政局", "市卫健委", "市市场监管局", "市人社局", "市财政局"]
    # an item without any unit parenthetical
    s = find(d["sections"], "二是", "支持民办养老机构发展")
    assert s["units"] == []
    # units of the 县区 form
    s = find(d["sections"], "二是", "提升养老设施使用效能")
    assert "各县市区人民政府" in s["units"] and "园区管委会" in s["units"]
    # "(街道)" / "(敬老院)" are not units
    for sec in flat(d["sections"]):
        assert "街道" not in sec["units"] and "敬老院" not in sec["units"]


def test_003_appendix_table():
    r = seed("003")
    d = r.to_dict()
    assert len(d["tables"]) == 1
    t = d["tables"][0]
    assert t["title"] == "宿州市养老服务提升行动主要目标"
    assert t["header"] == ["类别", "指标名称", "2025年目标值", "指标属性"]
    assert len(t["rows"]) == 16
    assert t["rows"][0] == ["老年人福利", "不能自理特困人员集中供养率", "60%", "预期性"]
    assert t["rows"][1] == ["老年人福利", "有集中供养意愿的特困人员集中供养率", "100%", "约束性"]
    assert t["rows"][2] == ["老年人福利", "特殊困难、失能老年人探访帮扶率", "100%", "预期性"]
    assert t["rows"][3] == ["居家社区养老", "新建居住(小)区养老服务设施配建率", "100%", "约束性"]
    assert t["rows"][13] == ["养老服务人才", "社会工作者与老年人比例", "1‰以上", "约束性"]
    assert t["rows"][-1] == ["老年教育", "社区建有老年大学学习点比例", "40%", "预期性"]
    assert all(len(row) == 4 for row in t["rows"])
    appendix = d["sections"][3]
    assert t["section_path"] == [3]
    assert appendix["heading"] == "宿州市养老服务提升行动主要目标"
    # the table is not prose
    assert "指标名称" not in appendix["text"] and "|" not in appendix["text"]
    # the list of the appendices before them is not the last section's text: it names the appendix that follows
    last = d["sections"][2]["children"][-1]
    assert "附件" not in last["text"] and last["text"].endswith("(市政府办公室、市民政局、市发改委、市财政局)")


# --------------------------------------------------------------------------- seed 000


def test_000_fields_debris_and_units_line():
    r = seed("000")
    d = r.to_dict()
    assert d["title"] == "临海市公共服务优质共享行动老有康养专项实施方案(2023—2025年)"
    # the office its headline names ("X关于印发《…》的通知"), not the page's "来源:市民政局" (who posted it)
    assert d["issuer"] == "台州市临海市公共服务优质共享行动专班办公室"
    assert d["notice_date"] == "2023-12-06"
    assert d["deadline"] is None and "deadline_missing" in codes(r)
    assert d["is_draft_for_comment"] is False
    dropped = debris_lines(seed_text("000"))
    assert "进入老年模式 退出老年模式" in dropped
    assert "当前位置:首页" in dropped
    assert "索引号: 公开方式:" in dropped and "• 浏览次数:" in dropped
    assert "打印 关闭" in dropped
    everything = json.dumps(d, ensure_ascii=False)
    for debris in ("老年模式", "当前位置", "索引号", "浏览次数", "打印 关闭", "专题专栏"):
        assert debris not in everything
    item = find(d["sections"], "1.", "建立老年人公共服务清单")
    assert item["units"] == ["市民政局", "市发展改革局"]
    assert "责任单位" not in item["text"]
    assert item["level"] == 3 and item["heading"] == "建立老年人公共服务清单。"
    # 牵头单位 line after a (一) item
    s = find(d["sections"], "(一)", "社会保障体系")
    assert s["units"] == ["市人力社保局"]
    numbered = [s for s in flat(d["sections"]) if re.fullmatch(r"\d+\.", s["label"])]
    assert [s["number"] for s in numbered] == list(range(1, 95))
    assert all(s["units"] for s in numbered)
    assert not any("责任单位" in s["text"] for s in flat(d["sections"]))


def test_000_appendix():
    d = seed("000").to_dict()
    app = d["sections"][-1]
    assert app["kind"] == "appendix" and app["label"] == "附件"
    assert app["heading"] == "临海市公共服务优质共享行动老有康养专项工作组成员名单"
    assert "宋江涌" in app["text"] and app["children"] == []
    assert [s["label"] for s in d["sections"]] == ["一、", "二、", "三、", "四、", "五、", "附件"]
    last = d["sections"][4]["children"][-1]
    assert "附件" not in last["text"] and last["text"].endswith("实现“一地创新、全市共享”。")


# --------------------------------------------------------------------------- seed 001


def test_001_fields_and_inline_units():
    r = seed("001")
    d = r.to_dict()
    assert d["title"] == "2023年泰州市“一老一幼”重点任务清单"
    assert d["issuer"] == "泰州市发展和改革委员会"
    assert d["notice_date"] == "2023-03-17"
    assert d["addressee"] == "市各有关部门(单位),各市(区)发展改革委,泰州医药高新区(高港区)发展改革委"
    assert d["notice"].endswith("现印发你们,请认真遵照执行。")
    assert d["preamble"] == ""
    assert [s["label"] for s in d["sections"]] == ["一、", "二、", "三、", "四、"]
    items = [s for s in flat(d["sections"]) if s["label"].endswith("﹒")]
    assert len(items) == 27 and all(s["level"] == 2 for s in items)
    first = items[0]
    assert first["label"] == "1﹒" and first["heading"] == "建立统筹推进工作机制。"
    assert first["units"] == [
        "市发展改革委", "市民政局", "市卫生健康委", "各市(区)人民政府", "泰州医药高新区管委会"
    ]
    # the parenthetical stays in the text (lossless)
    assert "(责任单位:市发展改革委" in first["text"]
    assert items[1]["units"][-3] == "市消防救援支队"
    assert items[17]["units"] == ["市教育局", "各市(区)人民政府", "泰州医药高新区管委会"]
    assert "numbering_gap" not in codes(r) and "level_jump" not in codes(r)


def test_001_units_named_once_for_every_later_item():
    """Item 1 ends "（责任单位：……；各市(区)人民政府,泰州医药高新区管委会落实。以下均需各市(区)人民政府,泰州医药高新区
    管委会落实,不再列出）": those two answer for items 2 to 27 as well, after the units each item lists; item 1 keeps
    its own list, and the parts (一、 …), which name no units, still name none."""
    r = seed("001")
    d = r.to_dict()
    both = ["各市(区)人民政府", "泰州医药高新区管委会"]
    # the office is told, to check it on the review page
    (told,) = [w for w in r.warnings if w.code == "units_for_later_items"]
    assert told.line == 11 and told.message == (
        "第11行“1﹒”说以下各项均由各市(区)人民政府、泰州医药高新区管委会负责、不再列出："
        "已把各市(区)人民政府、泰州医药高新区管委会列为其后26个部分的责任单位，请核对。")
    items = [s for s in flat(d["sections"]) if s["label"].endswith("﹒")]
    assert items[0]["units"] == ["市发展改革委", "市民政局", "市卫生健康委", *both]
    assert items[1]["units"] == ["市自然资源规划局", "市民政局", "市卫生健康委", "市教育局", "市住房城乡建设局",
                                 "市生态环境局", "市消防救援支队", *both]
    assert items[6]["units"] == ["市民政局", *both]
    assert all(item["units"][-2:] == both and item["units"].count(both[0]) == 1 for item in items)
    assert [s["units"] for s in d["sections"]] == [[], [], [], []]


# --------------------------------------------------------------------------- seed 002


def test_002_duplicate_removed_and_levels():
    r = seed("002")
    d = r.to_dict()
    assert d["title"] == "温州市“一老一小”整体解决方案"
    assert d["notice_date"] == "2023-01-09"
    assert "duplicate_text_removed" in codes(r)
    assert codes(r).count("image_dropped") == 2
    assert [s["label"] for s in d["sections"]] == ["一、", "二、", "三、", "四、"]
    bg = d["sections"][0]
    assert bg["children"][0]["label"] == "(一)"  # from "( 一 )"
    assert bg["children"][0]["heading"] == "发展基础"
    assert [c["label"] for c in bg["children"][0]["children"]] == ["01、", "02、", "03、", "04、"]
    assert bg["children"][0]["children"][3]["heading"] == "产业发展全面提速"
    assert [c["number"] for c in bg["children"][1]["children"]] == [1, 2, 3]
    assert all(c["level"] == 3 for c in bg["children"][1]["children"])
    # one copy only: 01 做实基本养老服务 occurs once
    assert sum(1 for s in flat(d["sections"]) if s["heading"] == "做实基本养老服务") == 1
    everything = json.dumps({k: v for k, v in d.items() if k != "warnings"}, ensure_ascii=False)
    for debris in ("版权声明", "京学集团", "友情链接", "扫一扫", "ICP", "座机", "1.png"):
        assert debris not in everything
    s = find(d["sections"], "01", "做实基本养老服务")
    assert s["units"][:2] == ["市民政局", "市卫健委"]
    assert "各县<市、区>政府" in s["units"]
    # a line broken mid-sentence is joined
    s = find(d["sections"], "03", "支持鼓励有条件的幼儿园延伸办托育")
    assert "鼓励有条件的幼儿园办托延伸到2岁以下,提供托班学位" in s["text"]


# --------------------------------------------------------------------------- seed 004


def test_004_fields_and_pdf_joining():
    r = seed("004")
    d = r.to_dict()
    assert d["title"] == "台州市推进高质量发展建设“浙里康养”实施方案（2022—2025年）"
    assert d["issuer"] == "“浙里康养”台州专班办公室"
    assert d["notice_date"] == "2022-07-27"
    assert d["addressee"] == "“浙里康养”台州专班各成员单位、其他有关单位"
    goals = d["sections"][1]
    assert goals["label"] == "二、" and goals["heading"] == "目标任务"
    assert "推动老龄产业发展、建设老年友好环境" in goals["text"]
    assert "\n" not in goals["text"]
    item = find(d["sections"], "17.", "加大对老年教育发展的政策支持")
    assert item["text"].endswith("2024年达到12%，2025年达到13%。")
    item = find(d["sections"], "33.", "加快为老示范型社会组织创建")
    assert item["text"].endswith("2022年起每年创建为老示范型社会组织5家。")
    item = find(d["sections"], "28.", "开展老年友好城市（县城）创建")
    assert "对照省评价标准，逐项对标达标" in item["text"]
    numbered = [s for s in flat(d["sections"]) if re.fullmatch(r"\d+\.", s["label"])]
    assert [s["number"] for s in numbered] == list(range(1, 95))
    # the appendix list "2. 其他有关单位名单" is not a section
    assert not any(s["heading"].startswith("其他有关单位名单") and s["kind"] == "section"
                   for s in flat(d["sections"]))
    apps = [s for s in d["sections"] if s["kind"] == "appendix"]
    assert [(a["label"], a["number"], a["heading"]) for a in apps] == [
        ("附件1", 1, "“浙里康养”台州专班成员单位名单"),
        ("附件2", 2, "其他有关单位名单"),
    ]
    assert apps[1]["text"].startswith("市委组织部、市委宣传部")
    last = d["sections"][4]["children"][-1]  # its list of the appendices, which name them nearly, is not its text
    assert "附件" not in last["text"] and "其他有关单位名单" not in last["text"]
    assert last["text"].endswith("实现“一地创新、全市共享”。")
    assert find(d["sections"], "1.", "建立老年人公共服务清单")["units"] == [
        "市民政局", "市发展改革委"
    ]
    # no heading swallowed another: every numbered heading is short
    assert all(len(s["heading"]) <= 60 for s in flat(d["sections"]))
    assert "(以此件为准)" in debris_lines(seed_text("004"))


# --------------------------------------------------------------------------- lossless


def letters(s: str) -> Counter:
    """Multiset of letters and digits after NFKC (punctuation and spaces are not compared)."""
    return Counter(ch for ch in unicodedata.normalize("NFKC", s or "")
                   if unicodedata.category(ch)[0] in "LN")


# Every dropped line must match one of these rules (listed here, independently of the parser).
DEBRIS_RULES = {
    "elder_mode": r"^(?:(?:进入|退出)老年模式\s*)+$",
    "breadcrumb": r"^(?:当前位置[:：].*|>.*|首页>.*)$",
    "empty_meta": r"^(?:[•·]?\s*(?:索引号|公开方式|文号|成文日期|发布单位|浏览次数)[:：]\s*)+$",
    "print_close": r"^打印\s*关闭$",
    "image": r"^\d+\.png$",
    "share_qr": r"^扫(?:一扫|码)",
    "site_footer": r"版权|Copyright|ICP备|联系我们|友情链接|^座机[:：]|^主办单位[:：]|^地址[:：]"
                   r"|^京学|^爱尔福|^中国人口学会|^国家卫健委$",
    "page_meta": r"^来源[:：]",
    "pdf_stamp": r"^[（(]以此件为准[）)]$",
}
META_RULE = r"^[•·]?\s*(?:日期|发布时间|来源|发文部门|政策级别|政策主题)[:：]"


def _check_dropped(result: ParsedDraft, text: str) -> set[int]:
    kept_texts = Counter()
    dropped_nos = {r.line for r in result.dropped_lines}
    for no, line in enumerate(text.splitlines(), 1):
        if no not in dropped_nos and line.strip():
            kept_texts[line.strip()] += 1
    for rec in result.dropped_lines:
        if rec.rule == "duplicate":
            # a repeated line must exist in the kept text, or be debris itself
            assert rec.text in kept_texts or any(
                re.search(rx, rec.text) for rx in DEBRIS_RULES.values()
            ), f"line {rec.line} dropped as duplicate but not found elsewhere: {rec.text!r}"
            continue
        assert rec.rule in DEBRIS_RULES, f"unexpected debris rule {rec.rule}: {rec.text!r}"
        assert re.search(DEBRIS_RULES[rec.rule], rec.text.strip()), (
            f"line {rec.line} dropped as {rec.rule} but does not look like it: {rec.text!r}"
        )
    return dropped_nos


def _check_consumed(result: ParsedDraft) -> set[int]:
    d = result.to_dict()
    all_units = {u for s in flat(d["sections"]) for u in s["units"]}
    for rec in result.consumed_lines:
        t = rec.text.strip()
        if rec.rule == "issuer":
            assert letters(t) == letters(d["issuer"]), t
        elif rec.rule == "addressee":
            assert letters(t) == letters(d["addressee"]), t
        elif rec.rule == "date":
            ymd = [int(x) for x in re.findall(r"\d+", t)[:3]]
            assert d["notice_date"] is not None
            assert ymd == [int(x) for x in d["notice_date"].split("-")] or rec.rule == "date"
            assert re.match(r"^\d{4}(?:年|-)", t), t
        elif rec.rule in ("title_line", "title_block"):
            assert not (letters(t) - letters(d["title"])), (t, d["title"])
        elif rec.rule == "notice_headline":  # "X关于印发《title》的通知": it names the title, and is no notice paragraph
            assert re.search(r"关于.+(?:通知|公告|通告|函)$", t) and letters(d["title"]) <= letters(t), t
            assert t not in d["notice"], t
        elif rec.rule == "page_headline":
            m = re.match(r"^《(.+)》出台$", t)
            assert m and m.group(1) == d["title"], t
        elif rec.rule == "units_line":
            m = re.match(r"^(?:责任单位|牵头单位)[:：](.+)$", t)
            assert m, t
            first = re.split(r"[、，,]", m.group(1))[0].strip()
            assert first in all_units, (t, first)
        elif rec.rule == "meta":
            assert re.match(META_RULE, t), t
        elif rec.rule == "doc_number":
            assert re.fullmatch(r"\S{2,12}〔\d{4}〕\d+号", t), t
        elif rec.rule == "letterhead":
            assert t.endswith("文件"), t
        elif rec.rule == "seal":
            assert "代章" in t, t
        elif rec.rule == "appendix_list":  # "附件：1. 甲名单 …": every name it gives is an appendix's title
            assert re.match(r"^[-•·*\s]*附\s*件\s*[:：]|^\d{1,2}\s*[.．、﹒]|^[^：:]{2,40}$", t), t
            titles = "".join(s["heading"] for s in d["sections"] if s["kind"] == "appendix")
            assert len(letters(t) - letters(titles + "附件1234567890.．、:：-“”")) <= 2, (t, titles)
        else:
            raise AssertionError(f"unexpected consumed rule {rec.rule}: {t!r}")
    return {r.line for r in result.consumed_lines}


def output_letters(d: dict) -> Counter:
    c = Counter()
    c += letters(d["notice"]) + letters(d["preamble"]) + letters(d["closing_remark"])
    for s in flat(d["sections"]):
        c += letters(s["label"]) + letters(s["heading"]) + letters(s["text"])
    for t in d["tables"]:
        rows = t["rows"]
        header = t["header"]
        if header and header[0] == "类别":  # synthetic header; category carried forward
            header = header[1:]
            prev_cat = None
            for row in rows:
                if row[0] != prev_cat:
                    c += letters(row[0])
                prev_cat = row[0]
                for cell in row[1:]:
                    c += letters(cell)
        else:
            for row in rows:
                for cell in row:
                    c += letters(cell)
        for cell in header:
            c += letters(cell)
    return c


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_lossless(seed_id):
    text = seed_text(seed_id)
    result = seed(seed_id)
    dropped = _check_dropped(result, text)
    consumed = _check_consumed(result)
    assert not (dropped & consumed)
    kept = "\n".join(
        line for no, line in enumerate(text.splitlines(), 1)
        if no not in dropped and no not in consumed
    )
    expected = letters(kept)
    actual = output_letters(result.to_dict())
    missing = expected - actual
    extra = actual - expected
    assert not missing and not extra, (
        f"missing: {''.join(sorted(missing.elements()))[:200]!r}; "
        f"extra: {''.join(sorted(extra.elements()))[:200]!r}"
    )


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_seed_is_json_serialisable_and_levels_match_depth(seed_id):
    d = seed(seed_id).to_dict()
    json.dumps(d, ensure_ascii=False)
    assert set(d) == {
        "title", "is_draft_for_comment", "issuer", "notice_date", "addressee", "deadline",
        "contact", "notice", "preamble", "sections", "tables", "closing_remark", "warnings",
    }

    def walk(items, depth):
        for s in items:
            assert s["level"] == depth, (s["label"], s["heading"])
            assert set(s) == {"label", "level", "number", "heading", "text", "run_in", "kind",
                              "units", "lead_units", "children"}
            assert not re.search(r"\s", s["label"])
            walk(s["children"], depth + 1)

    walk(d["sections"], 1)


# --------------------------------------------------------------------------- synthetic


def test_empty_raises():
    for text in ("", "   \n\t\u3000\n"):
        with pytest.raises(DraftParseError) as exc:
            parse_draft(text)
        assert exc.value.code == "empty"
        assert exc.value.message


def test_no_headings_raises():
    text = "关于做好养老服务工作的通知\n各单位：\n请认真做好养老服务工作。2020年，全市养老床位1.5万张。\n"
    with pytest.raises(DraftParseError) as exc:
        parse_draft(text)
    assert exc.value.code == "no_headings"
    assert "编号标题" in exc.value.message
    assert isinstance(exc.value, ValueError)


def test_gap_and_level_jump_warnings():
    text = "\n".join([
        "某某方案",
        "一、总体要求",
        "坚持稳中求进。",
        "1.基本原则",
        "坚持以人为本。",
        "（一）主要目标",
        "到2025年基本建成。",
        "二、主要任务",
        "推进各项工作。",
        "四、保障措施",
        "加强领导。",
    ])
    r = parse_draft(text)
    d = r.to_dict()
    cs = codes(r)
    assert "numbering_gap" in cs and "level_jump" in cs
    gap = next(w for w in d["warnings"] if w["code"] == "numbering_gap")
    assert gap["line"] == 10
    jump = next(w for w in d["warnings"] if w["code"] == "level_jump")
    assert jump["line"] == 6
    assert [s["label"] for s in d["sections"]] == ["一、", "二、", "四、"]
    assert d["sections"][2]["number"] == 4
    # (一) nested under 1. (as written), level 3
    assert d["sections"][0]["children"][0]["children"][0]["label"] == "（一）"
    assert d["title"] == "某某方案"


def test_no_warnings_on_clean_numbering():
    text = "一、甲\n内容。\n（一）乙\n内容。\n（二）丙\n内容。\n二、丁\n内容。\n"
    r = parse_draft(text)
    assert "numbering_gap" not in codes(r) and "level_jump" not in codes(r)


def test_regulation_style():
    text = "\n".join([
        "某某市养老服务条例（征求意见稿）",
        "第一章 总则",
        "第一条 为了规范养老服务，保障老年人合法权益，根据有关法律，结合本市实际，制定本条例。",
        "第二条 本条例适用于本市行政区域内的养老服务。",
        "第三条 市民政部门负责本条例的组织实施。其他部门按照职责做好相关工作。",
        "（一）制定规划；",
        "（二）监督检查。",
        "第二章 服务供给",
        "第一节 居家养老",
        "第四条 鼓励发展居家养老服务。",
        "第二节 机构养老",
        "第五条 支持社会力量举办养老机构。",
        "第三章 附则",
        "第六条 本条例自2024年1月1日起施行。",
    ])
    r = parse_draft(text)
    d = r.to_dict()
    assert d["title"] == "某某市养老服务条例（征求意见稿）"
    assert d["is_draft_for_comment"] is True
    ch = d["sections"]
    assert [(s["label"], s["heading"], s["level"]) for s in ch] == [
        ("第一章", "总则", 1), ("第二章", "服务供给", 1), ("第三章", "附则", 1)
    ]
    art1 = ch[0]["children"][0]
    assert art1["label"] == "第一条" and art1["number"] == 1 and art1["run_in"] is True
    assert art1["heading"] == "为了规范养老服务，保障老年人合法权益，根据有关法律，结合本市实际，制定本条例。"
    assert art1["text"] == "" and art1["level"] == 2
    art3 = ch[0]["children"][2]
    assert art3["heading"] == "市民政部门负责本条例的组织实施。"
    assert art3["text"] == "其他部门按照职责做好相关工作。"
    assert [c["label"] for c in art3["children"]] == ["（一）", "（二）"]
    assert art3["children"][0]["level"] == 3
    jie = ch[1]["children"]
    assert [(s["label"], s["level"]) for s in jie] == [("第一节", 2), ("第二节", 2)]
    assert jie[0]["children"][0]["label"] == "第四条" and jie[0]["children"][0]["level"] == 3
    assert ch[2]["children"][0]["number"] == 6
    assert "numbering_gap" not in codes(r)


def test_toc_is_dropped():
    text = "\n".join([
        "某某规划",
        "目录",
        "一、发展基础",
        "二、主要任务",
        "三、保障措施",
        "一、发展基础",
        "全市养老服务体系初步建立。",
        "二、主要任务",
        "推进养老服务设施建设。",
        "三、保障措施",
        "加强组织领导。",
    ])
    r = parse_draft(text)
    d = r.to_dict()
    assert [s["label"] for s in d["sections"]] == ["一、", "二、", "三、"]
    assert d["sections"][0]["text"] == "全市养老服务体系初步建立。"
    assert [x.line for x in r.dropped_lines if x.rule == "toc"] == [2, 3, 4, 5]
    assert "numbering_gap" not in codes(r)


def test_numbers_that_are_not_headings():
    text = "\n".join([
        "一、发展基础",
        "2020年，全市养老机构247家。",
        "1.5万名老年人接受服务。",
        "12345热线受理诉求。",
        "2023年4月12日",
        "二、主要任务",
        "推进工作。",
    ])
    d = parse_draft(text).to_dict()
    assert [s["label"] for s in d["sections"]] == ["一、", "二、"]
    assert d["sections"][0]["children"] == []
    assert "1.5万名老年人接受服务。" in d["sections"][0]["text"]


def test_notice_deadline_phrasings():
    def deadline(notice_line, date_line="2023年4月12日"):
        text = "\n".join([
            "某某办法（征求意见稿）",
            "社会各界：",
            notice_line,
            "某某市民政局",
            date_line,
            "一、总则",
            "内容。",
        ])
        return parse_draft(text).to_dict()["deadline"]

    assert deadline("请于5月12日前反馈意见。") == "2023-05-12T23:59:59+08:00"
    assert deadline("请于2023年5月12日前反馈。") == "2023-05-12T23:59:59+08:00"
    assert deadline("征求意见截止时间为2023年5月12日。") == "2023-05-12T23:59:59+08:00"
    assert deadline("征求意见时间为2023年4月12日至5月12日。") == "2023-05-12T23:59:59+08:00"
    assert deadline("反馈截止日期：2023年5月12日。") == "2023-05-12T23:59:59+08:00"
    assert deadline("意见反馈截止时间：2023年5月12日17:00。") == "2023-05-12T17:00:00+08:00"
    assert deadline("意见反馈截止时间:2023年5月12日17：30。") == "2023-05-12T17:30:00+08:00"
    # the month/day before the notice date: next year
    assert deadline("请于1月10日前反馈。", "2023年12月20日") == "2024-01-10T23:59:59+08:00"
    # the hour of the afternoon, and the end of the day written as 24时 (was a crash: hour must be in 0..23)
    assert deadline("请于5月12日下午5点前反馈。") == "2023-05-12T17:00:00+08:00"
    assert deadline("请于5月12日下午5:30前反馈。") == "2023-05-12T17:30:00+08:00"
    assert deadline("意见反馈截止时间：2023年5月12日下午5时。") == "2023-05-12T17:00:00+08:00"
    assert deadline("请于5月12日上午9点前反馈。") == "2023-05-12T09:00:00+08:00"
    assert deadline("请于5月12日晚上12点前反馈。") == "2023-05-12T23:59:59+08:00"
    assert deadline("请于5月12日24时前反馈。") == "2023-05-12T23:59:59+08:00"
    assert deadline("意见反馈截止时间：2023年5月12日24:00。") == "2023-05-12T23:59:59+08:00"
    assert deadline("请于5月12日25时前反馈。") == "2023-05-12T23:59:59+08:00"
    # "最晚" before the date is no evening
    assert deadline("最晚请于5月12日9时前反馈。") == "2023-05-12T09:00:00+08:00"
    # the day of the week in brackets
    assert deadline("请于2023年5月12日（星期五）前反馈。") == "2023-05-12T23:59:59+08:00"
    assert deadline("请于5月12日(周五)17:00前反馈。") == "2023-05-12T17:00:00+08:00"
    # a period across New Year: the end is in the year after the start
    assert deadline("征求意见时间为2023年12月7日至1月6日。", "2023年12月6日") == "2024-01-06T23:59:59+08:00"
    assert deadline("征求意见时间为2023年12月7日-1月6日。", "2023年12月6日") == "2024-01-06T23:59:59+08:00"
    # a period named with its length first
    assert deadline("征求意见期限为30天，自2023年12月7日至2024年1月6日。", "2023年12月6日") \
        == "2024-01-06T23:59:59+08:00"
    # an impossible date is no deadline
    assert deadline("请于2月30日前反馈。") is None


def test_deadline_without_notice_date_is_the_nearest_to_today(monkeypatch):
    from datetime import datetime as real_datetime

    from portal.drafts import parser

    class Today(real_datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime(2026, 12, 3, 10, 0, tzinfo=tz)

    monkeypatch.setattr(parser, "datetime", Today)

    def deadline(notice_line):
        text = "\n".join(["某某办法（征求意见稿）", notice_line, "一、总则", "内容。"])
        return parse_draft(text).to_dict()["deadline"]

    # imported in December: "1月4日" is next January, not eleven months ago
    assert deadline("现将《某某办法（征求意见稿）》公布，请于1月4日前反馈。") == "2027-01-04T23:59:59+08:00"
    # a date a few days past stays in this year (an old notice: the office sees it is past)
    assert deadline("现将《某某办法（征求意见稿）》公布，请于11月20日前反馈。") == "2026-11-20T23:59:59+08:00"


def test_notice_contact_variants():
    text = "\n".join([
        "某某办法（征求意见稿）",
        "现将《某某办法（征求意见稿）》公布如下，公开征求意见。请于2023年6月1日前将意见发送至"
        "abc@example.cn，或寄送至市民政局养老服务处。联系人：王芳，联系电话：（0557）3255022、"
        "0557-3255023，传真：0557-3255099，通信地址：宿州市埇桥区某某路1号，邮编：234000。",
        "一、总则",
        "内容。",
    ])
    d = parse_draft(text).to_dict()
    c = d["contact"]
    assert c["person"] == "王芳"
    assert c["phones"] == ["（0557）3255022", "0557-3255023"]
    assert c["emails"] == ["abc@example.cn"]
    assert c["office"] == "市民政局养老服务处"
    assert c["address"] == "宿州市埇桥区某某路1号"
    assert d["deadline"] == "2023-06-01T23:59:59+08:00"
    assert d["title"] == "某某办法（征求意见稿）"


def test_row_per_line_table_and_docx_rows():
    text = "\n".join([
        "一、主要指标",
        "表1 主要指标",
        "指标 | 2025年目标 | 属性",
        "养老机构护理型床位占比 | 60% | 约束性",
        "老年人健康管理率 | 80% | 预期性",
        "二、保障措施",
        "加强领导。",
    ])
    d = parse_draft(text).to_dict()
    assert len(d["tables"]) == 1
    t = d["tables"][0]
    assert t["header"] == ["指标", "2025年目标", "属性"]
    assert t["rows"] == [["养老机构护理型床位占比", "60%", "约束性"], ["老年人健康管理率", "80%", "预期性"]]
    assert t["section_path"] == [0]
    assert t["title"] == "表1主要指标"  # spaces between digits and CJK are removed
    assert "|" not in d["sections"][0]["text"]


def test_run_in_heading_long_first_sentence():
    text = "\n".join([
        "一、主要任务",
        "1.加强镇(街道)和村(社区)党组织对涉老各类组织各项事务的领导,结合改革健全资源聚合、人员整合、"
        "事项统合、阵地融合的统筹机制,打造养老服务基层承接单元。",
        "2.建立统筹推进工作机制。健全工作协调机制。",
    ])
    d = parse_draft(text).to_dict()
    a, b = d["sections"][0]["children"]
    # no heading sentence: the first clause is the heading, its comma begins the text (nothing lost, none twice)
    assert a["heading"] == "加强镇(街道)和村(社区)党组织对涉老各类组织各项事务的领导"
    assert a["text"].startswith(",结合改革健全资源聚合") and a["run_in"] is True
    assert a["heading"] + a["text"] == text.split("\n")[1][2:]
    assert b["heading"] == "建立统筹推进工作机制。" and b["text"] == "健全工作协调机制。"


def test_a_heading_ends_with_no_clause_mark():
    """An item of one sentence has no heading of its own: its heading is its first clause without the clause's mark
    (，、；：), which begins the text; heading and text together are the item as written."""
    items = {
        "1.": "加大养老服务补贴力度，特别是对失能失智老年人的政策支持，减轻中低收入群体的养老压力。",
        "2.": "落实老年人公共服务清单项目的资金保障和人员队伍建设；推动各县（市、区）建立老年人公共服务清单动态调整机制。",
        "3.": "重点工作目标：到2025年全市每千名老年人拥有养老机构床位数达到40张以上，护理型床位占比达到60%以上。",
        # no mark within 60 characters: cut after 30, here just after a 、
        "4.": "建设完善覆盖全市城乡各镇街和村社的居家养老服务中心站点网络、推动养老服务设施与社区卫生服务设施统筹规划"
              "同步建设并逐步实现老年助餐服务和上门照护服务在城乡社区的全面覆盖与均衡布局",
    }
    text = "\n".join(["一、主要任务"] + [label + rest for label, rest in items.items()] + ["二、保障措施", "内容。"])
    got = {s["label"]: s for s in parse_draft(text).to_dict()["sections"][0]["children"]}
    assert [(label, got[label]["heading"]) for label in items] == [
        ("1.", "加大养老服务补贴力度"),
        ("2.", "落实老年人公共服务清单项目的资金保障和人员队伍建设"),
        ("3.", "重点工作目标"),
        ("4.", "建设完善覆盖全市城乡各镇街和村社的居家养老服务中心站点网络"),
    ]
    assert got["1."]["text"] == "，特别是对失能失智老年人的政策支持，减轻中低收入群体的养老压力。"
    assert got["3."]["text"].startswith("：到2025年")
    assert got["4."]["text"].startswith("、推动养老服务设施")
    for label, rest in items.items():
        assert got[label]["heading"] + got[label]["text"] == rest and got[label]["run_in"] is True, label
    # a heading line that is only a heading, its mark at its end, keeps it: no text for the mark to begin
    d = parse_draft("\n".join(["一、主要任务", "（一）主要指标：", "内容。"])).to_dict()
    assert d["sections"][0]["children"][0]["heading"] == "主要指标："
    assert d["sections"][0]["children"][0]["text"] == "内容。"


def test_a_clause_mark_inside_brackets_or_a_title_cuts_no_heading():
    """A heading line naming its units in brackets ("（牵头单位：…；配合单位：…）") or quoting a document's title with a
    comma in it is whole: only the item's own clause marks cut a heading from it."""
    text = "\n".join([
        "一、完善服务网络（牵头单位：市民政局；配合单位：市财政局）", "各区建设社区食堂。",
        "二、落实《关于养老服务，托育服务的意见》要求", "按时完成。",
    ])
    sections = parse_draft(text).to_dict()["sections"]
    assert [(s["heading"], s["text"]) for s in sections] == [
        ("完善服务网络（牵头单位：市民政局；配合单位：市财政局）", "各区建设社区食堂。"),
        ("落实《关于养老服务，托育服务的意见》要求", "按时完成。"),
    ]
    assert (sections[0]["units"], sections[0]["lead_units"]) == (["市民政局", "市财政局"], ["市民政局"])


def test_a_long_heading_is_cut_at_a_boundary_near_30_characters():
    """An item with no clause mark in its first 60 characters gets a heading of about 30: cut at a 、 or a bracket or
    quotation near there, else before a word that begins a phrase, never inside a title in 《》 or inside a number;
    heading and text are still the item as written."""
    tail = "，确保各项任务落到实处。"
    items = {
        # 《…》 across character 30: the title kept whole
        "1.": "贯彻落实浙江省关于《浙江省养老服务补贴制度实施办法和温州市居家养老服务促进条例》要求建立健全覆盖城乡的养老服务"
              "补贴制度体系逐步提高补贴标准扩大覆盖范围",
        # a number across character 30
        "2.": "全市每千名老年人拥有养老机构护理型床位数到2025年达到12000张以上社区居家养老服务照料中心实现城乡全覆盖并"
              "逐步扩大服务范围",
        # no mark at all near it: before 推动, which begins the next phrase
        "3.": "建设完善全市城乡各镇街和村社的居家养老服务中心站点网络体系推动养老服务设施与社区卫生服务设施统筹规划同步建设"
              "同步交付使用",
        # a quotation beginning near it: the cut before it
        "4.": "依托全市各级养老服务指导中心和区域性养老服务中心的专业力量为“一老一小”家庭提供照护培训咨询评估转介等综合服务"
              "支撑保障体系",
    }
    text = "\n".join(["一、主要任务"] + [label + rest + tail for label, rest in items.items()] + ["二、保障措施", "内容。"])
    got = {s["label"]: s for s in parse_draft(text).to_dict()["sections"][0]["children"]}
    assert [got[label]["heading"] for label in items] == [
        "贯彻落实浙江省关于《浙江省养老服务补贴制度实施办法和温州市居家养老服务促进条例》",
        "全市每千名老年人拥有养老机构护理型床位数到2025年达到",
        "建设完善全市城乡各镇街和村社的居家养老服务中心站点网络体系",
        "依托全市各级养老服务指导中心和区域性养老服务中心的专业力量为",
    ]
    for label, rest in items.items():
        assert got[label]["heading"] + got[label]["text"] == rest + tail and got[label]["run_in"] is True, label


def test_units_three_forms_synthetic():
    text = "\n".join([
        "一、任务",
        "1.做好甲工作。具体内容。",
        "责任单位：市民政局、市财政局",
        "2.做好乙工作。具体内容。（责任单位：市卫生健康委、市医保局等相关部门按照职责分工负责）",
        "3.做好丙工作。具体内容。(市住建局、市自然资源和规划局)",
        "4.做好丁工作。在乡镇(街道)建设服务中心(社区卫生服务中心)。",
    ])
    d = parse_draft(text).to_dict()
    items = d["sections"][0]["children"]
    assert items[0]["units"] == ["市民政局", "市财政局"]
    assert "责任单位" not in items[0]["text"]
    assert items[1]["units"] == ["市卫生健康委", "市医保局"]
    assert "（责任单位：" in items[1]["text"]
    assert items[2]["units"] == ["市住建局", "市自然资源和规划局"]
    assert items[3]["units"] == []


def test_units_named_for_every_later_item_synthetic():
    """"以下均需X落实，不再列出" and its variants give X to every later section that names units of its own (after
    them); a section naming none keeps inheriting its parent's, earlier sections and appendices are left as they
    are, and X is not named again for the section that says so unless its own list names it."""
    text = "\n".join([
        "一、任务",
        "1.做好甲工作。具体内容。",
        "责任单位：市民政局。以下各项均由各县（市、区）政府负责落实，不再一一列出",
        "2.做好乙工作。具体内容。（责任单位：市卫生健康委；以下均需各乡镇（街道）落实）",
        "3.做好丙工作。具体内容。",
        "二、保障",
        "（一）加强领导。具体内容。（市财政局、市医保局；市本级各部门配合，下同）",
        "（二）强化督查。具体内容。（市政府督查室）",
        "附件",
        "名单（市人力社保局）",
    ])
    d = parse_draft(text).to_dict()
    one, two, three = d["sections"][0]["children"]
    lead, check = d["sections"][1]["children"]
    assert one["units"] == ["市民政局"]
    assert two["units"] == ["市卫生健康委", "各县（市、区）政府"]
    assert three["units"] == []  # inherits 一、's (none): given nothing of its own
    assert [s["units"] for s in d["sections"][:2]] == [[], []]
    assert lead["units"] == ["市财政局", "市医保局", "市本级各部门", "各县（市、区）政府", "各乡镇（街道）"]
    assert check["units"] == ["市政府督查室", "各县（市、区）政府", "各乡镇（街道）", "市本级各部门"]
    assert d["sections"][2]["kind"] == "appendix" and d["sections"][2]["units"] == []


def test_what_is_no_unit_for_the_later_items():
    """"下同" after words that are no list of units (an abbreviation, a scope, the note on the lead mark) and
    "以下均需" naming no unit give no unit to anyone."""
    text = "\n".join([
        "一、任务",
        "1.做好甲工作。各县（市、区）（以下简称各地，下同）要落实。（责任单位：市民政局；以下均需认真落实，不再列出）",
        "2.做好乙工作。具体内容（含县（市、区），下同）。（*市卫生健康委、市医保局）（带*为牵头单位，下同）",
        "3.做好丙工作。具体内容。（责任单位：市住建局）",
    ])
    items = parse_draft(text).to_dict()["sections"][0]["children"]
    assert [s["units"] for s in items] == [["市民政局"], ["市卫生健康委", "市医保局"], ["市住建局"]]


def test_002_lead_units_marked_with_a_star():
    """Seed 002 marks its lead units with * ("(带*为牵头单位,下同)"): the units keep their names without the mark and
    the lead ones are listed apart; the note is no unit, names none for the later items, and stays in the text as
    the draft writes it (it explains the marks the text keeps)."""
    d = seed("002").to_dict()
    tasks = d["sections"][2]
    first = tasks["children"][0]["children"][0]
    assert first["units"] == ["市民政局", "市卫健委", "市财政局", "市残联", "各县<市、区>政府", "温州海经区管委会"]
    assert first["lead_units"] == ["市民政局", "市卫健委"]
    assert first["text"].endswith("温州海经区管委会)(带*为牵头单位,下同)")
    second = tasks["children"][0]["children"][1]
    assert second["lead_units"] == ["市民政局"] and second["units"][-1] == "温州海经区管委会"
    health = tasks["children"][3]["children"][0]  # ( *市卫健委、市财政局、市医疗保障局,温州医科大学,……)
    assert health["lead_units"] == ["市卫健委"] and "温州医科大学" in health["units"]
    assert all(not any("*" in u or "牵头" in u for u in s["units"]) for s in flat(d["sections"]))
    assert all(set(s["lead_units"]) <= set(s["units"]) for s in flat(d["sections"]))


def test_lead_units_forms_synthetic():
    """A lead unit is one marked * (before or after its name), one written "（牵头）" or "牵头负责" after it, and every
    unit of a list labelled 牵头单位 (a line, a parenthetical, or a part of a list: "牵头单位：甲；配合单位：乙")."""
    text = "\n".join([
        "一、任务",
        "（一）社会保障。具体内容。",
        "牵头单位：市人力社保局",
        "1.做好甲工作。具体内容。",
        "责任单位：市民政局（牵头）、市财政局",
        "2.做好乙工作。具体内容。（责任单位：市卫生健康委牵头负责，市医保局配合）",
        "3.做好丙工作。具体内容。（牵头单位：市住建局；配合单位：市自然资源和规划局）",
        "4.做好丁工作。具体内容。（市教育局*、市体育局）",
        "5.做好戊工作。具体内容。（责任单位：市商务局、市文广旅局）",
    ])
    part = parse_draft(text).to_dict()["sections"][0]["children"][0]
    assert (part["units"], part["lead_units"]) == (["市人力社保局"], ["市人力社保局"])
    got = [(s["units"], s["lead_units"]) for s in part["children"]]
    assert got == [
        (["市民政局", "市财政局"], ["市民政局"]),
        (["市卫生健康委", "市医保局"], ["市卫生健康委"]),
        (["市住建局", "市自然资源和规划局"], ["市住建局"]),
        (["市教育局", "市体育局"], ["市教育局"]),
        (["市商务局", "市文广旅局"], []),
    ]


def test_debris_synthetic():
    text = "\n".join([
        "进入老年模式 退出老年模式",
        "首页 > 政务公开 > 通知公告",
        "索引号: 公开方式:",
        "【打印】【关闭】",
        "某某方案",
        "一、总则",
        "内容。",
        "图1.jpg",
        "扫一扫在手机打开当前页",
    ])
    r = parse_draft(text)
    dropped = debris_lines(text)
    assert dropped == [
        "进入老年模式 退出老年模式", "首页 > 政务公开 > 通知公告", "索引号: 公开方式:",
        "【打印】【关闭】", "图1.jpg", "扫一扫在手机打开当前页",
    ]
    assert r.to_dict()["sections"][0]["text"] == "内容。"
    assert "image_dropped" in codes(r)


def test_notice_with_numbered_ways_and_signature():
    text = "\n".join([
        "关于公开征求《某某市养老服务办法（征求意见稿）》意见的公告",
        "为广泛听取社会各界意见，现将《某某市养老服务办法（征求意见稿）》全文公布，征求社会各界意见。"
        "公众可以通过以下方式提出意见：",
        "1.通过电子邮件将意见发送至yl@example.gov.cn。",
        "2.通过信函将意见寄至某某市民政局养老服务科，通信地址：某某市人民路1号。",
        "意见反馈截止时间为2024年3月1日。",
        "附件：某某市养老服务办法（征求意见稿）",
        "某某市民政局",
        "2024年1月30日",
        "某某市养老服务办法",
        "（征求意见稿）",
        "第一章 总则",
        "第一条 为了发展养老服务，制定本办法。",
        "第二条 本办法自发布之日起施行。",
    ])
    r = parse_draft(text)
    d = r.to_dict()
    assert d["title"] == "某某市养老服务办法（征求意见稿）"
    assert d["issuer"] == "某某市民政局"
    assert d["notice_date"] == "2024-01-30"
    assert d["deadline"] == "2024-03-01T23:59:59+08:00"
    assert d["contact"]["emails"] == ["yl@example.gov.cn"]
    assert d["contact"]["office"] == "某某市民政局养老服务科"
    assert d["contact"]["address"] == "某某市人民路1号"
    assert "1.通过电子邮件" in d["notice"] and "2.通过信函" in d["notice"]
    assert [s["label"] for s in d["sections"]] == ["第一章"]
    assert [c["label"] for c in d["sections"][0]["children"]] == ["第一条", "第二条"]


def test_inline_appendix_heading_and_warning_order():
    text = "\n".join([
        "一、总则",
        "内容。",
        "三、附则",
        "内容。",
        "附件1：养老服务机构名单",
        "甲养老院",
        "乙养老院",
    ])
    r = parse_draft(text)
    d = r.to_dict()
    app = d["sections"][-1]
    assert (app["label"], app["number"], app["kind"], app["heading"]) == (
        "附件1", 1, "appendix", "养老服务机构名单")
    assert app["text"] == "甲养老院\n乙养老院"
    lines = [w["line"] for w in d["warnings"]]
    assert lines[0] == 3 and lines[-1] is None  # numbering gap first, deadline_missing last


def test_toc_followed_by_preamble_and_cn_false_label():
    text = "\n".join([
        "目 录",
        "第一章 总则……………1",
        "第二章 附则……………3",
        "为了规范管理，制定本办法。",
        "第一章 总则",
        "第一条 一、二级医院应当设置老年医学科。",
        "第二章 附则",
        "第二条 本办法自发布之日起施行。",
    ])
    r = parse_draft(text)
    d = r.to_dict()
    assert [s["label"] for s in d["sections"]] == ["第一章", "第二章"]
    assert [x.line for x in r.dropped_lines if x.rule == "toc"] == [1, 2, 3]
    assert d["preamble"] == "为了规范管理，制定本办法。"
    art = d["sections"][0]["children"][0]
    assert art["heading"] == "一、二级医院应当设置老年医学科。" and art["children"] == []


def test_preamble_mentioning_comments_is_not_notice():
    text = "\n".join([
        "某某市养老服务办法",
        "为了发展养老服务，在广泛征求意见的基础上，制定本办法。",
        "一、总则",
        "内容。",
    ])
    d = parse_draft(text).to_dict()
    assert d["notice"] == ""
    assert d["preamble"] == "为了发展养老服务，在广泛征求意见的基础上，制定本办法。"
    assert d["is_draft_for_comment"] is False


def test_deadline_until_phrase():
    text = "\n".join([
        "某某办法（征求意见稿）",
        "现将《某某办法（征求意见稿）》公布，征求意见时间自即日起至2023年5月12日止。",
        "某某市民政局",
        "2023年4月12日",
        "一、总则",
        "内容。",
    ])
    assert parse_draft(text).to_dict()["deadline"] == "2023-05-12T23:59:59+08:00"


def test_preamble_ending_with_colon_is_not_addressee():
    text = "\n".join([
        "某某市养老服务实施意见",
        "为推动养老服务发展，根据有关规定，结合我市实际，现提出如下实施意见：",
        "一、总体要求",
        "内容。",
    ])
    d = parse_draft(text).to_dict()
    assert d["addressee"] is None
    assert d["preamble"] == "为推动养老服务发展，根据有关规定，结合我市实际，现提出如下实施意见："
    assert d["title"] == "某某市养老服务实施意见"


def test_table_before_first_heading_and_bare_bars():
    text = "\n".join([
        "某某方案",
        "指标 | 目标",
        "床位数 | 100张",
        "|",
        "|",
        "|",
        "一、总则",
        "内容。",
    ])
    r = parse_draft(text)
    d = r.to_dict()
    assert d["tables"] == [{"title": None, "section_path": [], "header": ["指标", "目标"],
                            "rows": [["床位数", "100张"]]}]
    assert [x.rule for x in r.dropped_lines] == ["empty_table"] * 3
    assert d["title"] == "某某方案"


def test_deadline_year_from_period_start_without_notice_date():
    text = "\n".join([
        "某某办法（征求意见稿）",
        "现将《某某办法（征求意见稿）》公布，征求意见时间为2021年12月1日至12月31日。",
        "一、总则",
        "内容。",
    ])
    d = parse_draft(text).to_dict()
    assert d["notice_date"] is None
    assert d["deadline"] == "2021-12-31T23:59:59+08:00"


def test_signature_at_end_of_body():
    text = "\n".join([
        "发布时间:2023-03-23",
        "发文部门:某某市发展和改革委员会",
        "关于印发《某某清单》的通知",
        "各有关单位:",
        "现将《某某清单》印发给你们,请认真遵照执行。",
        "一、任务",
        "内容。",
        "二、保障",
        "内容。",
        "某某市发展和改革委员会",
        "2023年3月17日",
        "附件",
        "名单",
        "甲单位",
    ])
    r = parse_draft(text)
    d = r.to_dict()
    assert d["issuer"] == "某某市发展和改革委员会"
    assert d["notice_date"] == "2023-03-17"
    assert d["sections"][1]["text"] == "内容。"
    assert d["sections"][2]["kind"] == "appendix" and d["sections"][2]["heading"] == "名单"
    assert d["addressee"] == "各有关单位"
    assert d["title"] == "某某清单"


HEADLINE_NOTICE = [
    "某某市养老服务工作专班办公室关于印发《某某市养老服务实施方案》的通知",
    "日期:2023-12-06 14:41",
    "来源:某某市民政局",
    "为推进养老服务发展，特制定以下实施方案。",
    "一、工作要求",
    "内容。",
    "二、保障措施",
    "内容。",
]


def test_issuer_from_headline_before_page_source():
    d = parse_draft("\n".join(HEADLINE_NOTICE)).to_dict()
    assert d["issuer"] == "某某市养老服务工作专班办公室"
    assert d["title"] == "某某市养老服务实施方案"
    assert d["notice_date"] == "2023-12-06"
    # joint issuers, and a notice forwarding another office's: the office(s) that issue this one
    for headline, issuer in (("某某市民政局、某某市财政局关于印发《某某办法》的通知", "某某市民政局、某某市财政局"),
                             ("某某市民政局转发省民政厅关于做好养老服务工作的通知", "某某市民政局"),
                             ("某某市人民政府关于加快养老服务发展的实施意见", "某某市人民政府"),
                             ("某某市学习型城市建设领导小组办公室关于印发《某某方案》的通知",
                              "某某市学习型城市建设领导小组办公室")):
        text = "\n".join([headline] + HEADLINE_NOTICE[1:])
        assert parse_draft(text).to_dict()["issuer"] == issuer, headline


def test_issuer_signature_wins_over_headline():
    signed_first = HEADLINE_NOTICE[:3] + ["各有关单位：", "现将《某某市养老服务实施方案》印发给你们，请认真贯彻执行。",
                                          "某某市民政局", "2023年12月5日"] + HEADLINE_NOTICE[4:]
    d = parse_draft("\n".join(signed_first)).to_dict()
    assert d["issuer"] == "某某市民政局" and d["notice_date"] == "2023-12-05"
    signed_last = HEADLINE_NOTICE + ["某某市卫生健康委员会", "2023年12月5日"]
    d = parse_draft("\n".join(signed_last)).to_dict()
    assert d["issuer"] == "某某市卫生健康委员会" and d["notice_date"] == "2023-12-05"
    assert d["sections"][-1]["text"] == "内容。"


def test_the_notice_headline_naming_the_title_is_no_notice_paragraph():
    """The page shows the title and the issuer: a notice's headline naming them ("X关于印发《…》的通知") is read
    (issuer, title, whether opinions are asked), recorded as consumed, and not kept as the notice's first paragraph."""
    r = seed("000")  # the notice is its headline only
    assert r.notice == ""
    assert [(c.line, c.rule) for c in r.consumed_lines if c.rule == "notice_headline"] == [(7, "notice_headline")]
    assert seed_text("000").splitlines()[6].startswith("台州市临海市公共服务优质共享行动专班办公室关于印发《")
    r = seed("004")  # the headline, the addressee, the notice's one paragraph
    assert r.notice == ("现将《台州市推进高质量发展建设“浙里康养”实施方案（2022—2025年）》印发给你们，"
                        "请结合单位工作职责与分工抓好贯彻落实。")
    assert r.addressee == "“浙里康养”台州专班各成员单位、其他有关单位"
    assert [(c.line, c.rule) for c in r.consumed_lines if c.rule == "notice_headline"] == [(9, "notice_headline")]
    assert "关于 印发《台州市推进" in seed_text("004").splitlines()[8]

    asking = ["某某市民政局关于《某某市养老服务办法》公开征求意见的通知", "社会各界：",
              "现将《某某市养老服务办法》全文公布。", "请于2024年5月10日前将意见发送至yl@example.gov.cn。",
              "某某市民政局", "2024年4月10日", "一、总则", "内容。", "二、附则", "内容。"]
    d = parse_draft("\n".join(asking)).to_dict()
    assert d["notice"] == "现将《某某市养老服务办法》全文公布。\n请于2024年5月10日前将意见发送至yl@example.gov.cn。"
    assert d["title"] == "某某市养老服务办法" and d["addressee"] == "社会各界"
    # what the headline says is still read: opinions are asked (公开征求意见), and the deadline from the notice
    assert d["is_draft_for_comment"] is True and d["deadline"].startswith("2024-05-10")
    assert d["contact"]["emails"] == ["yl@example.gov.cn"]
    # a headline that does not name the draft's title stays the notice's first paragraph
    other = ["某某市民政局关于做好养老服务工作的通知", "现将《某某市养老服务实施方案》印发给你们，请认真贯彻执行。",
             "一、工作要求", "内容。", "二、保障措施", "内容。"]
    d = parse_draft("\n".join(other)).to_dict()
    assert d["title"] == "某某市养老服务实施方案"
    assert d["notice"].split("\n") == other[:2]


def test_issuer_from_page_source_or_letterhead_without_headline():
    no_office = ["关于印发《某某市养老服务实施方案》的通知"] + HEADLINE_NOTICE[1:]
    assert parse_draft("\n".join(no_office)).to_dict()["issuer"] == "某某市民政局"
    source_only = HEADLINE_NOTICE[1:]
    assert parse_draft("\n".join(source_only)).to_dict()["issuer"] == "某某市民政局"
    # a sentence naming an office before its 关于 is no headline
    sentence = ["为贯彻落实国务院关于养老服务的通知"] + HEADLINE_NOTICE[1:]
    assert parse_draft("\n".join(sentence)).to_dict()["issuer"] == "某某市民政局"
    # the letterhead ("X文件") is the formal issuer, the page's 来源 only who posted it
    letterhead = ["某某市人民政府办公室文件"] + no_office
    assert parse_draft("\n".join(letterhead)).to_dict()["issuer"] == "某某市人民政府办公室"


# ------------------------------------------------------------------------ organisers in an appendix

EVENTS_DRAFT = "\n".join([
    "关于公开征求《某某市2024年敬老月活动实施方案（征求意见稿）》意见的公告",
    "为做好敬老月活动，现将《某某市2024年敬老月活动实施方案（征求意见稿）》全文公布，"
    "请于2024年9月30日前将意见反馈至市民政局。",
    "联系人：王敏，联系电话：0557-3021234。",
    "某某市民政局",
    "2024年9月1日",
    "某某市2024年敬老月活动实施方案（征求意见稿）",
    "一、工作目标",
    "营造敬老爱老助老的社会氛围。",
    "二、重点任务",
    "（一）开展走访慰问活动。",
    "走访慰问困难老年人。",
    "牵头单位：市民政局",  # line 12
    "配合单位：市财政局、市卫生健康委",
    "（二）组织文体活动。",
    "组织老年人参加文体活动。",
    "责任单位：市文化广电旅游局",  # line 16
    "附件",
    "2024年敬老月主要活动安排",
    "1.重阳节文艺汇演",
    "主办单位：某某市老年人体育协会",  # line 20
    "承办单位：某某市文化馆",
    "时间：10月11日",
    "2.老年人健康讲座",
    "主办单位：某某市老年大学",
    "实施单位：某某社区卫生服务中心",
    "协办单位：某某药房",
    "时间：10月15日",
])
EVENT_TEXTS = [
    "主办单位：某某市老年人体育协会\n承办单位：某某市文化馆\n时间：10月11日",
    "主办单位：某某市老年大学\n实施单位：某某社区卫生服务中心\n协办单位：某某药房\n时间：10月15日",
]


def test_organisers_listed_in_an_appendix_are_its_text_not_responsible_units():
    r = parse_draft(EVENTS_DRAFT)
    tasks = r.sections[1]
    assert [s.units for s in tasks.children] == [
        ["市民政局", "市财政局", "市卫生健康委"], ["市文化广电旅游局"]]
    assert [s.text for s in tasks.children] == ["走访慰问困难老年人。", "组织老年人参加文体活动。"]
    appendix = r.sections[-1]
    assert appendix.kind == "appendix" and appendix.heading == "2024年敬老月主要活动安排"
    assert [(s.label, s.heading) for s in appendix.children] == [
        ("1.", "重阳节文艺汇演"), ("2.", "老年人健康讲座")]
    assert [s.units for s in [appendix, *appendix.children]] == [[], [], []]
    assert [s.text for s in appendix.children] == EVENT_TEXTS
    assert [(c.line, c.rule) for c in r.consumed_lines if c.rule == "units_line"] == [
        (12, "units_line"), (13, "units_line"), (16, "units_line")]


def test_organisers_listed_at_the_end_of_an_appendix_are_not_taken_for_the_site_footer():
    footer = ["主办单位：某某市人民政府办公室", "网站标识码：3413000001", "皖ICP备12345678号"]
    r = parse_draft(EVENTS_DRAFT + "\n" + "\n".join(footer))
    assert [(d.line, d.text) for d in r.dropped_lines] == [
        (30, footer[2]), (28, footer[0]), (29, footer[1])]
    appendix = r.sections[-1]
    assert [s.text for s in appendix.children] == EVENT_TEXTS
    assert [s.units for s in appendix.children] == [[], []]


def test_a_site_footer_repeated_after_the_article_is_dropped_whole():
    footer = ["主办单位：某某市人民政府办公室", "网站标识码：3413000001"]
    text = "\n".join(["某某办法", "一、总则", "内容。", *footer, *footer, "皖ICP备12345678号"])
    assert [(d.line, d.rule) for d in parse_draft(text).dropped_lines] == [
        (8, "site_footer"),
        (4, "site_footer"), (5, "site_footer"), (6, "site_footer"), (7, "site_footer")]


def test_responsible_units_of_a_task_list_in_an_appendix_are_still_units():
    text = "\n".join([
        "某某方案",
        "一、总则",
        "内容。",
        "附件",
        "重点任务分工",
        "1.建设社区食堂。",
        "牵头单位：市民政局",
        "配合单位：市财政局",
    ])
    (item,) = parse_draft(text).sections[-1].children
    assert item.units == ["市民政局", "市财政局"] and item.text == ""


def test_a_numbered_notice_without_signature_stays_the_notice():
    """The ways to send opinions, numbered 一、二、三、 like the draft, then the draft's title as the notice named it:
    they were read as the draft's first sections, taking the deadline and the contact with them."""
    text = "\n".join([
        "关于公开征求《某市居家养老服务条例（草案征求意见稿）》意见的公告",
        "现将《某市居家养老服务条例（草案征求意见稿）》全文公布，征求社会各界意见。公众可以通过以下途径和方式提出意见：",
        "一、登录某市人民政府网站，在首页“公开征求意见”栏目提出意见。",
        "二、通过电子邮件将意见发送至：fzb@example.gov.cn。",
        "三、通过信函将意见寄至：某市司法局立法一处（地址：某市人民路1号，邮编：100000）。",
        "意见反馈截止时间为2027年1月6日。",
        "联系人：刘洋，电话：0571-87001234。",
        "某市居家养老服务条例（草案征求意见稿）",
        "第一章 总则",
        "第一条 为了规范居家养老服务，制定本条例。",
        "第二章 附则",
        "第二条 本条例自2027年3月1日起施行。",
    ])
    d = parse_draft(text).to_dict()
    assert [s["label"] for s in d["sections"]] == ["第一章", "第二章"]
    assert d["title"] == "某市居家养老服务条例（草案征求意见稿）"
    assert d["deadline"] == "2027-01-06T23:59:59+08:00"
    assert d["contact"]["person"] == "刘洋" and d["contact"]["phones"] == ["0571-87001234"]
    assert d["contact"]["emails"] == ["fzb@example.gov.cn"]
    assert "二、通过电子邮件" in d["notice"] and d["preamble"] == ""


def test_contact_numbers_after_the_name_and_a_full_width_at_sign():
    text = "\n".join([
        "某某办法（征求意见稿）",
        "现将《某某办法（征求意见稿）》公布，请于2023年6月1日前将意见发送至ｍｚｊ＠ｅｘａｍｐｌｅ．ｇｏｖ．ｃｎ。"
        "联系人及电话：王五 0557-3255022，传真：0557-3255023。",
        "一、总则",
        "内容。",
    ])
    contact = parse_draft(text).to_dict()["contact"]
    assert contact["phones"] == ["0557-3255022"]  # the fax is no telephone to call
    assert contact["emails"] == ["mzj@example.gov.cn"]


def test_a_list_of_appendices_naming_what_does_not_follow_stays_text():
    """Only a list whose every name is an appendix that follows is taken out of the last section: a list naming a
    file that is not there (sent separately, say) is kept where the office wrote it."""
    head = ["关于公开征求《某某市养老服务办法》意见的公告", "社会各界：", "请于2023年5月12日前反馈意见。",
            "某某市民政局", "2023年4月12日", "一、总则", "第一段文字。", "二、保障", "第二段文字。"]
    listed = parse_draft("\n".join(head + ["附件：1. 养老机构名单", "2. 补贴标准表", "附件1", "养老机构名单",
                                           "甲机构、乙机构", "附件2", "补贴标准表", "每人每月100元。"])).to_dict()
    assert listed["sections"][1]["text"] == "第二段文字。"
    assert [s["heading"] for s in listed["sections"] if s["kind"] == "appendix"] == ["养老机构名单", "补贴标准表"]
    other = parse_draft("\n".join(head + ["附件：1. 养老机构名单", "2. 起草说明（另行印发）", "附件1", "养老机构名单",
                                          "甲机构、乙机构"])).to_dict()
    assert "附件：1.养老机构名单" in other["sections"][1]["text"]
    assert "起草说明（另行印发）" in other["sections"][1]["text"]


@pytest.mark.parametrize("typed", ["zhang\u200b@example.com", "zhang@\ufeffexample.com", "zhang\u00a0@example.com",
                                   "zhang\u3000@ example.com", "zhang\u200b\u200b@example\u200b.com"])
def test_an_address_holding_an_invisible_character_or_a_space_beside_the_at_sign_is_read(typed):
    text = "\n".join([
        "某某办法（征求意见稿）",
        f"请于2023年6月1日前将意见发送至电子邮箱{typed}，联系电话：0557-3255022。",
        "一、总则",
        "内容。",
    ])
    assert parse_draft(text).to_dict()["contact"]["emails"] == ["zhang@example.com"]


def test_a_zero_width_space_is_no_space_but_a_real_space_still_parts_two_words():
    text = "\n".join([
        "某某办法（征求意见稿）",
        "请于2023年6月1日前将意见发送至wang\u200bli@example.com或Zhang Wei@example.cn，也可发送至 chen@example.org 。",
        "一、总则",
        "适用于ISO\u00a09001认证的机构和Smart\u200bCity项目。",
    ])
    d = parse_draft(text).to_dict()
    assert d["contact"]["emails"] == ["wangli@example.com", "Wei@example.cn", "chen@example.org"]
    assert "wangli@example.com或Zhang Wei@example.cn" in d["notice"]
    assert d["sections"][0]["text"] == "适用于ISO 9001认证的机构和SmartCity项目。"
