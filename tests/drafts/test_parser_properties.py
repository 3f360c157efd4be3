"""Property-based tests of the draft import (Hypothesis): whatever the text or the bytes, the parser and the
reader either give a result that keeps the body text and a consistent outline, or refuse with their own error.

Inputs are built from realistic pieces (every heading label style the parser knows, tables in the text forms it
reads, notice lines, appendices, web-page debris, CJK and ASCII text) joined with odd whitespace, and from the
seed drafts with lines deleted, duplicated, swapped or truncated. The bug each property found is also pinned by a
plain example test (tests/drafts/test_parser_robustness.py), so that it stays pinned without Hypothesis.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.drafts.docx_numbering import chinese_number
from portal.drafts.parser import DraftParseError, ParsedDraft, parse_draft
from portal.drafts.readers import DraftReadError, read_draft
from tests.helpers import SEEDS

# Bounded and reproducible: the same examples on every run and in CI, the whole file in well under a minute.
PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --------------------------------------------------------------------------- pieces of text

CJK = "养老服务体系建设市民政局推进完善健全发展社区机构人员老年人家庭照护能力评估医疗卫生保障资金政策落实工作"
PUNCT = "，。、；：（）《》“”！？"
cjk_text = st.text(alphabet=CJK + PUNCT, min_size=1, max_size=60)
ascii_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40)
any_text = st.text(min_size=1, max_size=40)  # any code point: control characters, surrogates excluded by Hypothesis
title_text = st.text(alphabet=CJK, min_size=2, max_size=16)
sentence = st.builds(lambda a, b: a + b + "。", st.text(alphabet=CJK, min_size=2, max_size=30),
                     st.text(alphabet=CJK + "，、", max_size=40))

STYLES = ["part", "chapter", "jie", "article", "cn", "paren_cn", "shi", "arabic", "arabic_pad", "paren_arabic",
          "circled"]


def label(style: str, n: int, variant: int) -> str:
    """The label of item ``n`` in numbering ``style``, in one of the spellings offices use."""
    cn = chinese_number(n)
    spaced = variant % 3 == 1  # "第 一 章", "( 一 )": text extraction often spaces labels out
    if style in ("part", "chapter", "jie", "article"):
        word = {"part": ("部分", "编")[variant % 2], "chapter": "章", "jie": "节", "article": "条"}[style]
        return f"第 {cn} {word}" if spaced else f"第{cn}{word}"
    if style == "cn":
        return cn + "、．."[variant % 3]
    if style == "paren_cn":
        return (f"( {cn} )" if spaced else f"（{cn}）") if variant % 2 else f"({cn})"
    if style == "shi":
        return f"{cn}是"
    if style == "arabic":
        return f"{n}" + ".．、﹒"[variant % 4]
    if style == "arabic_pad":
        return f"{n:02d}" + ("、", ".", "")[variant % 3]
    if style == "paren_arabic":
        return f"（{n}）" if variant % 2 else f"({n})"
    return chr(0x2460 + (n - 1) % 20)  # circled


@st.composite
def heading_line(draw, style: str, n: int) -> str:
    lab = label(style, n, draw(st.integers(0, 11)))
    rest = draw(st.one_of(title_text, sentence, st.builds(lambda a, b: a + b, sentence, sentence)))
    return lab + draw(st.sampled_from(["", " ", "\u3000"])) + rest


def _flatten(pieces: list[list[str]]) -> list[str]:
    return [line for piece in pieces for line in piece]


row_table = st.builds(
    lambda width, rows: [" | ".join(row[:width]) for row in rows],
    st.integers(2, 4),
    st.lists(st.lists(st.one_of(title_text, st.just(""), st.from_regex(r"\d{1,3}%", fullmatch=True)),
                      min_size=4, max_size=4), min_size=2, max_size=6),
)
cell_table = st.builds(
    lambda groups: _flatten([[c + " |" for c in group] + ["|"] for group in groups]),
    st.lists(st.lists(title_text, min_size=1, max_size=4), min_size=2, max_size=5),
)
notice_line = st.sampled_from([
    "现将《某某市养老服务办法（征求意见稿）》全文公布，征求社会各界意见。",
    "请于2023年5月12日前将意见发送至yl@example.gov.cn。",
    "联系人：王芳，联系电话：（0557）3255022、0557-3255023，传真：0557-3255099。",
    "征求意见时间为2023年4月12日至5月12日。",
    "意见反馈截止时间：2023年13月45日25:99。",  # impossible date and time
    "请于2月30日前反馈。",
    "联系电话：18005572983，邮箱：a.b@example.cn，通信地址：某某市人民路1号。",
    "2023年4月12日", "2023-04-12", "二〇二三年四月十二日", "2023年2月30日",
    "某某市民政局", "（某某市民政局代章）", "某政发〔2023〕12号", "某某市人民政府文件",
    "社会各界、广大居民群众：", "关于公开征求《某某办法》意见的公告", "《某某办法》出台",
    "发布时间：2023-03-23", "来源：某某市民政局", "日期：", "目录", "目 录",
])
debris_line = st.sampled_from([
    "进入老年模式 退出老年模式", "当前位置：首页 > 通知公告", "首页 > 政务公开", "索引号: 公开方式:",
    "【打印】【关闭】", "1.png", "扫一扫在手机打开当前页", "版权所有：某某市民政局 ICP备12345678号",
    "（以此件为准）", "座机：0557-1234567", "主办单位：某某市人民政府", "来源：某某网", "编辑：张三",
])
appendix = st.one_of(
    st.builds(lambda n, t, body: [f"附件{n}", t] + body, st.sampled_from(["", "1", "2", "一"]), title_text,
              st.lists(st.one_of(title_text, sentence), max_size=4)),
    st.builds(lambda n, t, body: [f"附件{n}：{t}"] + body, st.sampled_from(["1", "2"]), title_text,
              st.lists(title_text, max_size=3)),
    st.builds(lambda items: ["附件："] + [f"{k}.{t}" for k, t in enumerate(items, 1)],
              st.lists(title_text, min_size=1, max_size=3)),
)
units_line = st.builds(lambda u: "责任单位：" + "、".join(u),
                       st.lists(st.sampled_from(["市民政局", "市财政局", "各县（市、区）政府", "市卫生健康委"]),
                                min_size=1, max_size=3))
closing = st.just("截止到5月12日，未收到社会各界反馈意见。")
# body text that shares words with page furniture (footers, share prompts, page metadata)
furniture_like_prose = st.sampled_from([
    ["加强知识产权保护，依法维护版权所有人的合法权益。"],
    ["扫码就医、扫码支付覆盖全市二级以上医疗机构。"],
    ["技术支持：市大数据局负责平台的建设和运行维护。"],
    ["来源：市级财政预算和福彩公益金", "资金按季度拨付到位。"],
    ["审核：由区民政局在5个工作日内完成", "公示：在社区公示7天。"],
    ["报名方式", "座机：0557-1234567", "手机：13800000000"],
])


def body_piece():
    """A few source lines of body: prose, a table, a notice or debris line, an appendix, noise."""
    return st.one_of(
        st.lists(sentence, min_size=1, max_size=3),
        st.builds(lambda s, cut: [s[:cut], s[cut:]], sentence, st.integers(1, 20)),  # a line broken mid-sentence
        row_table, cell_table, appendix, furniture_like_prose,
        st.lists(st.one_of(notice_line, debris_line, units_line, closing), min_size=1, max_size=2),
        st.lists(st.one_of(cjk_text, ascii_text, any_text), min_size=1, max_size=2),
        st.builds(lambda s, k: [s * k], sentence, st.integers(50, 400)),  # a very long line
        st.just([""]), st.just(["   "]),
    )


@st.composite
def outline_lines(draw) -> list[str]:
    styles = draw(st.permutations(STYLES))[:draw(st.integers(1, 6))]  # a hierarchy of 1 to 6 numbering styles
    counters = [0] * len(styles)
    depth = 0
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 25))):
        depth = draw(st.integers(0, min(depth + 1, len(styles) - 1)))
        counters[depth] = max(1, counters[depth] + draw(st.sampled_from([1, 1, 1, 1, 2, 0])))
        for deeper in range(depth + 1, len(styles)):
            counters[deeper] = 0
        lines.append(draw(heading_line(styles[depth], min(counters[depth], 99))))
        lines.extend(_flatten(draw(st.lists(body_piece(), max_size=4))))
    return lines


NOISE = ["", " ", "\u3000", "\t", "\u200b", "\ufeff", "\u00a0", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\x07"]


@st.composite
def documents(draw) -> str:
    """A whole draft as an office might upload it: front matter, a numbered body, odd whitespace throughout."""
    front = _flatten(draw(st.lists(st.one_of(
        st.lists(st.one_of(title_text, notice_line, debris_line), min_size=1, max_size=3),
        st.lists(st.one_of(cjk_text, sentence), min_size=1, max_size=2),
    ), max_size=4)))
    lines = front + draw(outline_lines())
    out: list[str] = []
    for line in lines:
        if draw(st.integers(0, 5)) == 0:
            line = draw(st.sampled_from(NOISE)) + line + draw(st.sampled_from(NOISE))
        out.append(line + draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])))
    text = "".join(out)
    return (draw(st.sampled_from(["", "\ufeff"])) + text) if text else text


# --------------------------------------------------------------------------- the seeds, mutated

def _seed_texts() -> list[str]:
    paths = sorted(SEEDS.glob("0*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


SEED_TEXTS = _seed_texts()


@st.composite
def mutated_seeds(draw) -> str:
    if not SEED_TEXTS:
        pytest.skip(f"no seed texts in {SEEDS}")
    lines = draw(st.sampled_from(SEED_TEXTS)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "cut_line", "insert"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "cut_line":
            lines[i] = lines[i][:draw(st.integers(0, len(lines[i])))]
        else:
            lines.insert(i, draw(st.one_of(sentence, notice_line, debris_line, any_text)))
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[:draw(st.integers(0, len(text)))]  # truncated at a random point
    return text


drafts = st.one_of(documents(), mutated_seeds())


# --------------------------------------------------------------------------- checks of a result

def source_lines(text: str) -> list[str]:
    """The lines as the parser numbers them (1-based): only \\r\\n, \\r and \\n end a line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def letters(s: str | None) -> str:
    """Letters and digits only: what extraction joins, spaces and bars split (tables) are not compared."""
    return "".join(ch for ch in s or "" if unicodedata.category(ch)[0] in "LN")


def output_pieces(result: ParsedDraft) -> list[str]:
    """Where body text can end up: each section (label, heading, text), each table cell, row and title."""
    pieces = [letters(s.label + s.heading + s.text) for s in result.iter_sections()]
    for table in result.tables:
        pieces.append(letters(table.title))
        for row in [table.header, *table.rows]:
            pieces.append(letters("".join(row)))
            pieces.extend(letters(cell) for cell in row)
    pieces.append(letters(result.closing_remark))
    pieces.append(letters(result.preamble))
    return pieces


def check_outline(result: ParsedDraft) -> None:
    def walk(items, depth):
        for s in items:
            assert s.level == depth, (s.label, s.heading, s.level, depth)
            assert s.label and not re.search(r"\s", s.label), s.label
            for child in s.children:
                assert child.kind == "section", "an appendix is never nested"
            walk(s.children, depth + 1)

    walk(result.sections, 1)
    # the anchors the import gives (s-1-2, appendix-3) are unique
    from portal.drafts.services import _anchor

    anchors = []

    def collect(items, path):
        for index, item in enumerate(items):
            anchors.append(_anchor(item, path + (index,)))
            collect(item["children"], path + (index,))

    collect(result.to_dict()["sections"], ())
    assert len(anchors) == len(set(anchors)), anchors
    for table in result.tables:  # a table's section path points at a section
        items = result.sections
        for index in table.section_path:
            assert 0 <= index < len(items)
            items = items[index].children


# What marks a line as a site's footer or share prompt wherever it stands (ICP备…, ©…, 扫一扫…); a line dropped as
# furniture without such a mark, or one that reads as a sentence, must stand at the end of the page.
FOOTER_MARK = re.compile(r"ICP|公网安备|版权|Copyright|©|联系我们|友情链接|网站地图|网站声明|营业执照|技术支持|"
                         r"扫一扫|扫码|分享到|用手机扫描", re.I)
SENTENCE_END = re.compile(r"[。；;！？!?]")
SITE_MARK = re.compile(r"ICP备|ICP证|公网安备|版权声明|Copyright|©", re.I)  # unmistakable, even in a sentence


def check_furniture(lines: list[str], result: ParsedDraft, first: int) -> None:
    """Page furniture dropped from the body (page metadata, a site footer) is at the end of the page: nothing but
    blank, dropped or consumed lines follows it; a footer block has a footer mark after its first line."""
    recorded = {r.line for r in result.dropped_lines + result.consumed_lines}
    marks = [r.line for r in result.dropped_lines if FOOTER_MARK.search(r.text)]
    for record in result.dropped_lines:
        if record.line <= first or record.rule not in ("page_meta", "site_footer", "share_qr"):
            continue
        marked = bool(FOOTER_MARK.search(record.text))
        prose = SENTENCE_END.search(record.text) and not SITE_MARK.search(record.text)
        if record.rule == "page_meta" or not marked or prose:
            later = [no for no in range(record.line + 1, len(lines) + 1)
                     if letters(lines[no - 1]) and no not in recorded]
            assert not later, f"line {record.line} dropped as {record.rule} before body line {later[0]}: " \
                              f"{record.text!r}"
    block = [r.line for r in result.dropped_lines
             if r.line > first and r.rule == "site_footer" and not FOOTER_MARK.search(r.text)]
    if block:  # the footer block, dropped whole to the end of the page: a footer mark follows its first line
        assert any(no > min(block) for no in marks), f"footer block from line {min(block)} without a footer mark"


def check_body_kept(text: str, result: ParsedDraft) -> None:
    """Every non-blank line after the first heading is in the result, or recorded as dropped or consumed."""
    lines = source_lines(text)
    first = result.sections[0].line
    recorded = {r.line: r for r in result.dropped_lines + result.consumed_lines}
    pieces = output_pieces(result)
    # a line dropped as a repeated copy must be a copy of a line that is not dropped as one
    originals = {letters(line) for no, line in enumerate(lines, 1)
                 if no not in recorded or recorded[no].rule != "duplicate"}
    for no, line in enumerate(lines, 1):
        if no < first:
            continue
        if no in recorded:
            record = recorded[no]
            assert letters(record.text) == letters(line), (no, record, line)  # the record is the line itself
            if record.rule == "duplicate":
                assert letters(line) in originals, f"line {no} dropped as a copy of nothing: {line!r}"
            continue
        needle = letters(line)
        assert any(needle in piece for piece in pieces), f"line {no} lost: {line!r}"
    check_furniture(lines, result, first)


def parse_or_refuse(text: str) -> ParsedDraft | None:
    try:
        return parse_draft(text)
    except DraftParseError as error:
        assert error.code in DraftParseError.MESSAGES and error.message
        return None


# --------------------------------------------------------------------------- properties of parse_draft

@PROPERTIES
@given(drafts)
def test_parse_never_fails_otherwise_and_keeps_the_body(text):
    result = parse_or_refuse(text)
    if result is None:
        return
    result.to_dict()  # JSON-able fields: no exception either
    check_outline(result)
    check_body_kept(text, result)


@PROPERTIES
@given(drafts)
def test_parse_is_deterministic(text):
    def everything(result):
        return result and (result.to_dict(), result.dropped_lines, result.consumed_lines)

    assert everything(parse_or_refuse(text)) == everything(parse_or_refuse(text))


# --------------------------------------------------------------------------- properties of read_draft

READ_CODES = {"empty", "legacy_doc", "binary", "encoding", "bad_docx", "bad_pdf", "pdf_encrypted", "pdf_no_text"}


def read_or_refuse(data: bytes) -> str | None:
    try:
        text = read_draft(data, "upload")
    except DraftReadError as error:
        assert error.code in READ_CODES and error.message, error.code
        return None
    assert isinstance(text, str) and text.strip()
    return text


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SMALL_DOCX = _docx(["关于养老服务的实施意见（征求意见稿）", "一、总体要求", "坚持以人为本。"],
                   [["指标", "目标"], ["床位", "100张"]])


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@st.composite
def broken_docx(draw) -> bytes:
    """The small .docx truncated, with bytes overwritten, or its XML parts replaced by junk."""
    data = bytearray(SMALL_DOCX)
    how = draw(st.sampled_from(["truncate", "overwrite", "junk_part", "drop_part"]))
    if how == "truncate":
        return bytes(data[:draw(st.integers(4, len(data) - 1))])
    if how == "overwrite":
        at = draw(st.integers(4, len(data) - 1))
        junk = draw(st.binary(min_size=1, max_size=64))
        data[at:at + len(junk)] = junk
        return bytes(data[:len(SMALL_DOCX)])
    with zipfile.ZipFile(io.BytesIO(SMALL_DOCX)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = draw(st.sampled_from(sorted(parts)))
    if how == "drop_part":
        del parts[name]
    else:
        parts[name] = draw(st.one_of(st.binary(max_size=200), st.just(b"<w:document/>"),
                                     st.just(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'a'>]><x>&a;</x>")))
    return _zip(parts)


foreign_zip = st.dictionaries(st.sampled_from(["a.txt", "word/x.xml", "[Content_Types].xml", "mimetype", "x/"]),
                              st.binary(max_size=100), min_size=1, max_size=3).map(_zip)
bom_text = st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])


@PROPERTIES
@given(st.one_of(
    st.binary(max_size=2000),
    st.builds(bytes.__add__, bom_text, st.binary(max_size=200)),  # a BOM, then anything (odd UTF-16 length too)
    st.builds(bytes.__add__, st.sampled_from([b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
              st.binary(max_size=200)),
    broken_docx(), foreign_zip,
))
def test_read_returns_text_or_refuses_with_a_code(data):
    read_or_refuse(data)


CLEAN_TEXT = st.lists(st.one_of(title_text, sentence, ascii_text.filter(lambda s: s.isprintable())),
                      min_size=1, max_size=12).map("\n".join).filter(lambda s: s.strip())


@PROPERTIES
@given(CLEAN_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"]))
def test_read_decodes_text_in_every_common_encoding(text, encoding):
    assert read_or_refuse(text.encode(encoding)) == text


@PROPERTIES
@given(CLEAN_TEXT, st.sampled_from(["\r\n", "\r"]))
def test_read_gives_lines_ended_by_newlines(text, newline):
    assert read_or_refuse(text.replace("\n", newline).encode("utf-8")) == text


def test_read_a_docx_with_a_huge_number_of_paragraphs():
    paragraphs = [f"{n}.第{n}项任务。" for n in range(1, 10001)]
    text = read_or_refuse(_docx(["某某方案", "一、主要任务", *paragraphs]))
    assert text.split("\n")[2:] == paragraphs
