"""Parse the text of a Chinese policy draft (公开征求意见稿) into notice fields and sections.

Pure module: standard library only, no Flask, no database.

Public API::

    parse_draft(text: str) -> ParsedDraft          # raises DraftParseError
    ParsedDraft.to_dict() -> dict                   # JSON-able
    debris_lines(text: str) -> list[str]            # the lines dropped as web-page debris

The parser works in passes:

1. line pass: strip lines, drop web-page debris (老年模式, breadcrumbs, empty metadata labels,
   打印/关闭, image names, share/QR lines, site footers), drop a repeated copy of the article,
   drop a table of contents;
2. paragraph pass: join lines broken by PDF extraction, group table lines into table blocks,
   group the in-body appendix list (``附件：1. … / 2. …``);
3. front matter (everything before the first numbered heading): title, addressee, notice,
   issuer and date (signature), draft title block, preamble; contact and deadline are read from
   the notice;
4. body: numbered headings nested by numbering style (a stack, as a Chinese reader does),
   responsible units (责任单位), tables, appendices (附件), closing remark.

Every input line ends up either in the output text, or in ``ParsedDraft.dropped_lines`` (debris,
with the rule that matched) or ``ParsedDraft.consumed_lines`` (turned into a field such as
``issuer``/``notice_date``/``units``, with the kind of field). This makes the parse auditable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from portal.comments.contacts import join_at, plain_characters

__all__ = [
    "DraftParseError",
    "ParsedDraft",
    "Section",
    "Table",
    "Warning_",
    "LineRecord",
    "parse_draft",
    "debris_lines",
]

TZ = ZoneInfo("Asia/Shanghai")

# --------------------------------------------------------------------------- errors


class DraftParseError(ValueError):
    """The text cannot be turned into a draft. ``code`` is 'empty' or 'no_headings'."""

    MESSAGES = {
        "empty": "文件是空的，没有可以导入的文字。",
        "no_headings": (
            "文件中没有找到任何编号标题（如\u201c一、\u201d\u201c（一）\u201d\u201c第一条\u201d），"
            "无法拆分为章节。"
        ),
    }

    def __init__(self, code: str, message: str | None = None):
        self.code = code
        self.message = message or self.MESSAGES.get(code, "无法解析文件。")
        super().__init__(self.message)


# --------------------------------------------------------------------------- data


@dataclass
class Section:
    label: str
    level: int
    number: int | None
    heading: str
    text: str = ""
    run_in: bool = False
    kind: str = "section"  # 'section' | 'appendix'
    units: list[str] = field(default_factory=list)
    lead_units: list[str] = field(default_factory=list)  # those of ``units`` that lead (牵头单位)
    children: list["Section"] = field(default_factory=list)
    line: int | None = None  # source line of the heading (not in to_dict)
    style: str = ""  # numbering style (not in to_dict)
    # the units this section names for every later item ("以下均需X落实，不再列出"; not in to_dict: given to them)
    carried_units: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "level": self.level,
            "number": self.number,
            "heading": self.heading,
            "text": self.text,
            "run_in": self.run_in,
            "kind": self.kind,
            "units": list(self.units),
            "lead_units": list(self.lead_units),
            "children": [c.to_dict() for c in self.children],
        }


@dataclass
class Table:
    title: str | None
    section_path: list[int]
    header: list[str]
    rows: list[list[str]]
    line: int | None = None

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "section_path": list(self.section_path),
            "header": list(self.header),
            "rows": [list(r) for r in self.rows],
        }


@dataclass
class Warning_:
    code: str
    line: int | None
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "line": self.line, "message": self.message}


@dataclass
class LineRecord:
    """A source line that is not in the output text: dropped debris or consumed into a field."""

    line: int
    text: str
    rule: str


@dataclass
class Contact:
    office: str | None = None
    person: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    address: str | None = None

    def to_dict(self) -> dict:
        return {
            "office": self.office,
            "person": self.person,
            "phones": list(self.phones),
            "emails": list(self.emails),
            "address": self.address,
        }


@dataclass
class ParsedDraft:
    title: str = ""
    is_draft_for_comment: bool = False
    issuer: str | None = None
    notice_date: date | None = None
    addressee: str | None = None
    deadline: datetime | None = None
    contact: Contact = field(default_factory=Contact)
    notice: str = ""
    preamble: str = ""
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    closing_remark: str | None = None
    warnings: list[Warning_] = field(default_factory=list)
    # audit trail, not part of to_dict()
    dropped_lines: list[LineRecord] = field(default_factory=list)
    consumed_lines: list[LineRecord] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "is_draft_for_comment": self.is_draft_for_comment,
            "issuer": self.issuer,
            "notice_date": self.notice_date.isoformat() if self.notice_date else None,
            "addressee": self.addressee,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "contact": self.contact.to_dict(),
            "notice": self.notice,
            "preamble": self.preamble,
            "sections": [s.to_dict() for s in self.sections],
            "tables": [t.to_dict() for t in self.tables],
            "closing_remark": self.closing_remark,
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def iter_sections(self):
        """All sections, depth first, in document order."""

        def walk(items):
            for s in items:
                yield s
                yield from walk(s.children)

        yield from walk(self.sections)


# --------------------------------------------------------------------------- characters

_WS = " \t\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff\r\f\v"
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CN_DIGITS = "零〇一二三四五六七八九十百千两"
# sentence terminators at the end of a line (the next line starts a new paragraph)
_LINE_END = set("。！？!?；;：:）)」』】|")
_SENT_END = "。！？!?"

_space_re = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff]+")


def _strip(s: str) -> str:
    return s.strip(_WS + "\n")


def squeeze(s: str) -> str:
    """All whitespace removed."""
    return re.sub(r"\s+", "", s or "")


def _is_ascii_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_ascii_alnum(ch: str) -> bool:
    return _is_ascii_letter(ch) or ("0" <= ch <= "9")


def clean_spaces(s: str) -> str:
    """Remove spaces that text extraction put between CJK characters/punctuation/digits.

    A run of spaces is kept when one neighbour is a Latin letter, or when both neighbours are
    ASCII letters/digits (``ISO 9001``, ``1 000``). A run of invisible characters only (a zero-width space, a byte
    order mark: nothing once made plain as a contact is, ``plain_characters``) is no space at all
    (``zhang\u200b@example.com`` is ``zhang@example.com``, not ``zhang @example.com``).
    """
    if not s or not _space_re.search(s):
        return s

    def repl(m: re.Match) -> str:
        start, end = m.start(), m.end()
        if start == 0 or end == len(s) or not plain_characters(m.group(0)):
            return ""
        a, b = s[start - 1], s[end]
        if _is_ascii_letter(a) or _is_ascii_letter(b):
            return " "
        if _is_ascii_alnum(a) and _is_ascii_alnum(b):
            return " "
        return ""

    return _space_re.sub(repl, s)


def _nonspace_len(s: str) -> int:
    return len(squeeze(s))


def cn_to_int(s: str) -> int | None:
    """一→1, 十二→12, 二十→20, 一百零五→105, 01→1, ①→1."""
    s = squeeze(s)
    if not s:
        return None
    if s.isdigit():
        try:
            return int(s)
        except ValueError:  # pragma: no cover - unicode digits
            return None
    if len(s) == 1 and "①" <= s <= "⑳":
        return ord(s) - ord("①") + 1
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
    units = {"十": 10, "百": 100, "千": 1000}
    total, cur = 0, 0
    for ch in s:
        if ch in digits:
            cur = digits[ch]
        elif ch in units:
            total += (cur or 1) * units[ch]
            cur = 0
        else:
            return None
    return total + cur


# --------------------------------------------------------------------------- heading labels

_NUM_CN = f"[{_CN_DIGITS}]+"
_NUM_ANY = f"[{_CN_DIGITS}\\d]+"

# (style, regex matched at the start of a paragraph, group 1 = the number)
_LABEL_RES: list[tuple[str, re.Pattern]] = [
    ("chapter", re.compile(rf"第\s*({_NUM_ANY})\s*章")),
    ("jie", re.compile(rf"第\s*({_NUM_ANY})\s*节")),
    ("article", re.compile(rf"第\s*({_NUM_ANY})\s*条")),
    ("part", re.compile(rf"第\s*({_NUM_ANY})\s*(?:部分|编)")),
    ("cn", re.compile(r"([一二三四五六七八九十百]+)\s*[、.．](?![\d])")),
    ("paren_cn", re.compile(r"[（(]\s*([一二三四五六七八九十百]+)\s*[）)]")),
    ("shi", re.compile(rf"([一二三四五六七八九十]+)是(?=[{_CJK}“\"《「])")),
    ("paren_arabic", re.compile(r"[（(]\s*(\d{1,3})\s*[）)]")),
    # 01、 / 01. / 01 (zero padded, separator optional)
    ("arabic_pad", re.compile(rf"(0\d)\s*(?:[.．、﹒]\s*)?(?=[{_CJK}“\"《「])")),
    ("arabic", re.compile(r"(\d{1,3})\s*[.．、﹒](?!\d)")),
    ("circled", re.compile(r"([①-⑳])")),
]

# fixed hierarchy of regulation-style labels (lower = higher level)
_FIXED_RANK = {"part": 0, "chapter": 1, "jie": 2, "article": 3}
# conventional rank of the numbering styles, for level-jump warnings
_CONV_RANK = {
    "part": 0, "chapter": 1, "jie": 2, "article": 3, "cn": 4, "paren_cn": 5,
    "arabic": 6, "arabic_pad": 6, "paren_arabic": 7, "circled": 8,
}
_STYLE_NAMES = {
    "chapter": "第X章", "jie": "第X节", "article": "第X条", "part": "第X部分",
    "cn": "一、", "paren_cn": "（一）", "shi": "一是", "paren_arabic": "（1）",
    "arabic_pad": "01", "arabic": "1.", "circled": "①", "appendix": "附件",
}


@dataclass
class _Label:
    style: str
    label: str  # whitespace removed
    number: int | None
    rest: str  # the text after the label
    has_sep: bool = True


def match_label(text: str) -> _Label | None:
    """The numbering label at the start of ``text`` (not appendices), or None."""
    if not text:
        return None
    for style, rx in _LABEL_RES:
        m = rx.match(text)
        if not m:
            continue
        rest = text[m.end():]
        rest_s = _strip(rest)
        if not rest_s:
            # a bare label is a heading only for chapters/sections ("第一章" then title)
            if style not in ("chapter", "jie", "part"):
                continue
        label = squeeze(m.group(0))
        number = cn_to_int(m.group(1))
        has_sep = True
        if style == "arabic_pad":
            has_sep = bool(re.search(r"[.．、﹒]", label))
            if not has_sep and not _looks_like_heading_title(rest_s):
                continue
        if style == "arabic":
            if number is None or number > 300:
                continue
            # '1.png', '1.5万', 'a.b' are not labels
            if rest_s[:1].isdigit() or _is_ascii_letter(rest_s[:1]):
                continue
        if style == "cn" and re.match(r"[一二三四五六七八九十]+\s*[级类等档期批线产]", rest_s):
            continue  # "一、二级医院", "一、二类"
        return _Label(style, label, number, rest_s, has_sep)
    return None


_APPENDIX_RE = re.compile(r"^附\s*件\s*([0-9０-９一二三四五六七八九十]{1,3})?$")
_APPENDIX_INLINE_RE = re.compile(
    r"^附\s*件\s*([0-9０-９一二三四五六七八九十]{1,3})\s*[:：]\s*(\S.{0,60})$"
)
_ATTACH_LIST_RE = re.compile(r"^[-•·*\s]*附\s*件\s*[:：]")
_ATTACH_ITEM_RE = re.compile(r"^(?:\d{1,2}\s*[.．、﹒]|附\s*件\s*\d{1,2}\s*[:：])")


def _looks_like_heading_title(rest: str) -> bool:
    """A short title without sentence punctuation: '目标要求', '顶层设计加快确立'."""
    r = squeeze(rest)
    if not r or len(r) > 40:
        return False
    if re.search(r"[。！？!?；;]", r):
        return False
    if r[-1] in "，,、：:":
        return False
    return True


def is_heading_line(text: str) -> bool:
    """label + short title without final punctuation: the line is a paragraph of its own."""
    lab = match_label(text)
    if lab is None:
        return False
    if lab.style in ("chapter", "jie", "part") and _looks_like_heading_title(lab.rest or "x"):
        return True
    return _looks_like_heading_title(lab.rest)


# --------------------------------------------------------------------------- debris rules

_DEBRIS_RULES: list[tuple[str, re.Pattern]] = [
    ("elder_mode", re.compile(
        r"(?:(?:进入|退出|切换到?|开启|关闭|返回)?\s*(?:老年|长者|关怀|适老化?|无障碍|标准|普通)"
        r"(?:模式|版|浏览)\s*)+")),
    ("breadcrumb", re.compile(r"(?:当前位置|您的位置|你的位置|您现在的位置|当前的位置|所在位置)\s*[:：].*")),
    ("breadcrumb", re.compile(r"[>›»].*")),
    ("breadcrumb", re.compile(r"首页\s*[>›»/].*")),
    ("empty_meta", re.compile(
        r"(?:[•·]?\s*(?:索引号|公开方式|文号|成文日期|发布单位|发布机构|浏览次数|访问次数|点击数|"
        r"阅读次数|阅读量|字号|主题分类|有效性|发布日期|发布时间|日期|公开范围|组配分类|信息来源|来源|"
        r"发文机关|发文字号|生成日期|公开时限|责任部门)\s*[:：]\s*)+")),
    ("print_close", re.compile(
        r"(?:[【\[]?\s*(?:打印(?:本页|此页)?|关闭(?:窗口|本页)?|返回顶部|返回|收藏|分享|保存|"
        r"字号\s*[:：]?\s*(?:[大中小]\s*)+)\s*[】\]]?\s*[|｜]?\s*)+")),
    ("image", re.compile(r"[^\s。，,；;：:]{0,40}\.(?:png|jpe?g|gif|bmp|webp|svg|tiff?)", re.I)),
    # a share prompt is a bare phrase: a line with a sentence end is prose ("扫码就医…全覆盖。")
    ("share_qr", re.compile(r"(?:扫一扫|微信扫一扫|手机扫一扫|扫码|分享到|用手机扫描)[^。；;！？!?]{0,30}")),
    # "版权所有人/者/权" is the copyright holder of a policy on copyright, not a page's footer
    ("site_footer", re.compile(r".{0,80}(?:ICP备|ICP证|公网安备|版权所有(?![人者权])|版权声明|Copyright|©).{0,80}",
                               re.I)),
    ("site_footer", re.compile(r"(?:联系我们|友情链接|网站地图|网站声明|营业执照信息查询|"
                               r"扫码添加客服老师.{0,20}|技术支持[:：][^。；;]{0,40})")),
    ("pdf_stamp", re.compile(r"[（(]\s*以此件为准\s*[）)]")),
]

# metadata lines with a value (front matter): consumed into fields or dropped as page metadata
_META_RE = re.compile(
    r"^[•·]?\s*(日期|发布日期|发布时间|成文日期|时间|来源|信息来源|发文部门|发布单位|发布机构|发文机关|"
    r"政策级别|政策主题|主题分类|浏览次数|访问次数|索引号|公开方式|文号|发文字号|有效性|"
    r"效力状态|体裁分类|组配分类)\s*[:：]\s*(\S.*)$"
)
_BODY_META_RE = re.compile(r"^(?:来源|信息来源|责任编辑|编辑|审核|作者|初审|终审)\s*[:：]\s*\S.{0,40}$")
_DATE_LINE_RES = [
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
               r"\s*([一二三四五六七八九十]{1,3})\s*日$"),
]
_DOC_NO_RE = re.compile(rf"^[{_CJK}]{{1,14}}\s*[〔\[［(（]\s*\d{{4}}\s*[〕\]］)）]\s*\d+\s*号$")
_HEADLINE_RE = re.compile(r"^《(.+)》\s*(出台|印发|发布|公布|全文|解读|正式出台|出炉)$")
_LETTERHEAD_RE = re.compile(r"^(.{2,30})文件$")
_SEAL_RE = re.compile(r"^[（(][^（()）]{2,30}(?:代章|印章|盖章|代印)[）)]$")
_UNITS_LINE_RE = re.compile(
    r"^(责任单位|牵头单位|责任部门|牵头部门|配合单位|参与单位|协办单位|主办单位|实施单位)\s*[:：]\s*(.*)$"
)
# in an appendix (a list of events, projects or contacts) these name an entry's organisers: its text
_ORGANISER_LABELS = ("主办单位", "协办单位", "实施单位")
_CLOSING_RE = re.compile(r"(?:截止|截至)(?:到|至)?.{0,20}(?:未收到|收到|共收到).{0,40}意见")
_NOTICE_KW_RE = re.compile(
    r"现将|公布如下|予以公布|全文公布|公开征求|征求社会各界|提出修改意见|提出意见|反馈意见|意见反馈|联系人|"
    r"联系电话|印发给你们|现印发|现予印发|请于.{0,20}前|遵照执行|请结合.{0,20}贯彻"
)
_NOTICE_TITLE_RE = re.compile(r"关于.{2,200}(?:通知|公告|通告|函)$")
_TOC_RE = re.compile(r"^目\s*录$")


def _date_from_line(s: str) -> date | None:
    s = _strip(s)
    for rx in _DATE_LINE_RES:
        m = rx.match(s)
        if m:
            y, mo, d = m.groups()
            if not y.isdigit():
                y = "".join(str(cn_to_int(c)) for c in y)
            try:
                return date(int(y), int(cn_to_int(mo)), int(cn_to_int(d)))
            except (TypeError, ValueError):
                return None
    return None


def _date_in_text(s: str) -> date | None:
    m = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------- line pass


@dataclass
class _Line:
    no: int
    text: str


def _classify_debris(text: str) -> str | None:
    for name, rx in _DEBRIS_RULES:
        if rx.fullmatch(text):
            return name
    return None


class _State:
    def __init__(self) -> None:
        self.dropped: list[LineRecord] = []
        self.consumed: list[LineRecord] = []
        self.warnings: list[Warning_] = []
        self.dup_ranges: list[tuple[int, int]] = []

    def drop(self, line: _Line, rule: str) -> None:
        self.dropped.append(LineRecord(line.no, line.text, rule))

    def consume(self, lines, rule: str) -> None:
        for ln in lines:
            self.consumed.append(LineRecord(ln.no, ln.text, rule))

    def warn(self, code: str, line: int | None, message: str) -> None:
        self.warnings.append(Warning_(code, line, message))


def _line_pass(text: str, st: _State) -> list[_Line]:
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[_Line] = []
    images: list[_Line] = []
    for i, r in enumerate(raw, 1):
        t = _strip(r)
        if not t:
            continue
        ln = _Line(i, t)
        rule = _classify_debris(t)
        if rule:
            st.drop(ln, rule)
            if rule == "image":
                images.append(ln)
            continue
        lines.append(ln)
    lines = _remove_duplicate_copy(lines, st)
    for ln in images:
        if any(a <= ln.no <= b for a, b in st.dup_ranges):
            continue  # an image inside the repeated copy: already reported once
        st.warn("image_dropped", ln.no,
                f"第{ln.no}行是网页中的图片（{ln.text}），无法导入；如果它是表格，请手工补充。")
    lines = _remove_toc(lines, st)
    lines = _remove_footer_zone(lines, st)
    return lines


def _remove_duplicate_copy(lines: list[_Line], st: _State) -> list[_Line]:
    """Drop a second copy of the article (web pages sometimes render it twice)."""
    first: dict[str, int] = {}
    drop: set[int] = set()
    j = 0
    n = len(lines)
    while j < n:
        t = lines[j].text
        if len(t) >= 30 and t in first and j not in drop:
            i = first[t]
            # extend backwards
            sj, si = j, i
            while si - 1 >= 0 and sj - 1 > i and lines[si - 1].text == lines[sj - 1].text \
                    and (sj - 1) not in drop:
                si -= 1
                sj -= 1
            # extend forwards
            e = 0
            while j + e < n and i + e < j and lines[i + e].text == lines[j + e].text:
                e += 1
            region = range(sj, j + e)
            chars = sum(len(lines[k].text) for k in region)
            if len(region) >= 5 and chars >= 300:
                drop.update(region)
                st.dup_ranges.append((lines[sj].no, lines[j + e - 1].no))
                st.warn("duplicate_text_removed", lines[sj].no,
                        f"从第{lines[sj].no}行到第{lines[j + e - 1].no}行是前文的重复，已删除。")
                j = j + e
                continue
        if len(t) >= 30 and t not in first:
            first[t] = j
        j += 1
    out = []
    for k, ln in enumerate(lines):
        if k in drop:
            st.drop(ln, "duplicate")
        else:
            out.append(ln)
    return out


def _toc_key(s: str) -> str:
    s = re.sub(r"[.。…·．\-—_\s]*\d+\s*$", "", s)  # trailing page number
    return squeeze(s)


def _remove_toc(lines: list[_Line], st: _State) -> list[_Line]:
    for k, ln in enumerate(lines):
        if not _TOC_RE.match(ln.text):
            continue
        entries = []
        m = k + 1
        confirmed = False
        while m < len(lines):
            t = lines[m].text
            key = _toc_key(t)
            is_entry = bool(match_label(key) or _APPENDIX_RE.match(key) or re.search(r"\d+\s*$", t))
            if entries and key == _toc_key(lines[entries[0]].text):
                confirmed = True  # body starts: the first entry again
                break
            if not is_entry or len(key) > 60:
                break
            entries.append(m)
            m += 1
        if entries and not confirmed:
            # the body may start with a preamble: the first entry must still come back later
            first_key = _toc_key(lines[entries[0]].text)
            confirmed = any(squeeze(x.text) == first_key for x in lines[m:])
        if not confirmed:
            entries = []
        if entries:
            st.drop(lines[k], "toc")
            for e in entries:
                st.drop(lines[e], "toc")
            gone = {k, *entries}
            return [ln for idx, ln in enumerate(lines) if idx not in gone]
    return lines


def _remove_footer_zone(lines: list[_Line], st: _State) -> list[_Line]:
    """After the body has started: drop the page's '来源:' lines and a trailing site footer block.

    Both are page furniture only at the end of the article: "来源：市级财政…" or "审核：由区民政局…" followed
    by more body text is body text, and so is an appendix listing "主办单位：…/承办单位：…" that no site
    footer (ICP备, 版权所有, 友情链接 …, dropped by the line pass) follows, or whose entries (numbered, or
    each with its own 主办单位) go on up to the footer (see ``_footer_block_at``).
    """
    first_heading = None
    for k, ln in enumerate(lines):
        if match_label(ln.text) and not _DATE_LINE_RES[1].match(ln.text):
            first_heading = k
            break
    if first_heading is None:
        return lines
    footer_marks = sorted(r.line for r in st.dropped if r.rule in ("site_footer", "share_qr"))
    n = len(lines)
    short_from = n  # lines[short_from:] are all short lines without a full stop
    while short_from > first_heading + 1 and len(lines[short_from - 1].text) <= 80 \
            and "。" not in lines[short_from - 1].text:
        short_from -= 1
    zone = n  # start of the trailing site footer block
    for k in range(short_from, n):
        if _FOOTER_LABEL_RE.match(lines[k].text) and _footer_block_at(lines, k, footer_marks):
            zone = k
            break
    tail = zone  # the page's metadata lines just before the footer (or the end) are furniture too
    while tail - 1 > first_heading and _BODY_META_RE.match(lines[tail - 1].text):
        tail -= 1
    for ln in lines[tail:zone]:
        st.drop(ln, "page_meta")
    for ln in lines[zone:]:
        st.drop(ln, "site_footer")
    return lines[:tail]


_FOOTER_LABEL_RE = re.compile(r"^(座机|主办单位|承办单位|协办单位|网站标识码|主管单位)\s*[:：]")


def _footer_block_at(lines: list[_Line], k: int, footer_marks: list[int]) -> bool:
    """Whether the site footer starts at ``lines[k]``, a '主办单位：…' line: a footer mark follows it,
    no numbered heading comes before that mark, and no label after ``lines[k]`` gets another value
    than it had before, since the heading above. An appendix listing events or organisers numbers
    its entries and names one 主办单位 per entry: the footer starts at the site's own."""
    after = [no for no in footer_marks if no > lines[k].no]
    if not after:
        return False
    start = k
    while start > 0 and not (match_label(lines[start - 1].text)
                             or _APPENDIX_RE.match(lines[start - 1].text)):
        start -= 1
    seen: dict[str, str] = {}
    for j in range(start, len(lines)):
        text = lines[j].text
        if lines[j].no > after[0]:
            break
        if j > k and (match_label(text) or _APPENDIX_RE.match(text)):
            return False
        m = _FOOTER_LABEL_RE.match(text)
        if m:
            if j > k and seen.get(m.group(1), text) != text:
                return False
            seen[m.group(1)] = text
    return True


# --------------------------------------------------------------------------- paragraph pass


@dataclass
class _Para:
    lines: list[_Line]
    text: str
    kind: str = "text"  # 'text' | 'table' | 'attach_list' | 'appendix_head'
    table_cells: list[list[str]] | None = None  # table: groups (cell-per-line) or rows
    table_form: str = ""

    @property
    def no(self) -> int:
        return self.lines[0].no


def _is_cell_line(t: str) -> bool:
    return t == "|" or t.endswith("|") or t == "｜" or t.endswith("｜")


def _is_row_line(t: str) -> bool:
    parts = [p for p in re.split(r"[|｜]", t)]
    return len(parts) >= 2 and sum(1 for p in parts if _strip(p)) >= 2 and not t.endswith("|")


def _ends_line(t: str) -> bool:
    if not t:
        return True
    c = t[-1]
    if c in _LINE_END:
        return True
    if c in "”’\"」" and len(t) >= 2 and t[-2] in "。！？!?；;":
        return True
    return False


def _starts_block(t: str) -> bool:
    return bool(
        match_label(t)
        or _APPENDIX_RE.match(t)
        or _ATTACH_LIST_RE.match(t)
        or _UNITS_LINE_RE.match(t)
        or _META_RE.match(t)
        or _date_from_line(t)
        or _DOC_NO_RE.match(t)
        or _SEAL_RE.match(t)
        or _TOC_RE.match(t)
        or _CLOSING_RE.search(t[:60])
    )


# A paragraph is not joined beyond this length: real ones are far shorter (the seeds' longest has ~600
# characters), and the checks below look at the whole paragraph, so a text of thousands of lines that each
# end mid-sentence would otherwise take time quadratic in its length (1.3 MB: 50 s).
_MAX_JOINED = 4000


def _should_join(prev: _Para | None, t: str, in_appendix: bool) -> bool:
    if prev is None or prev.kind not in ("text", "attach_list"):
        return False
    if len(prev.text) >= _MAX_JOINED:
        return False
    last = prev.lines[-1].text
    if _ends_line(last):
        return False
    if _starts_block(t):
        return False
    if _NOTICE_TITLE_RE.search(squeeze(prev.text)) or _HEADLINE_RE.match(prev.text):
        return False
    if _addressee_like(t):
        return False  # an addressee line
    if len(prev.lines) == 1 and (
            is_heading_line(prev.text)
            or (_starts_block(prev.text) and not match_label(prev.text)
                and not _ATTACH_LIST_RE.match(prev.text))):
        return False
    lab = match_label(prev.text)
    if lab is not None and not re.search(r"[。！？!?；;]", prev.text):
        # a numbered paragraph without any sentence end: only continue an obviously cut clause
        return last[-1] in "，,、（(“《"
    if in_appendix:
        # list lines stay apart; only an obviously cut word or clause is joined
        # ("…公共服务和艺" + "术科")
        short_tail = (_nonspace_len(t) <= 3 and _nonspace_len(last) >= 12
                      and not re.search(r"[:：\s]", t))
        return last[-1] in "，,、（(“《" or t[:1] in "，,。、）)”》" or short_tail
    if _nonspace_len(last) < 20:
        return last[-1] in "，,、（(“《"
    return True


def _join_text(a: str, b: str) -> str:
    if a and b and _is_ascii_letter(a[-1]) and _is_ascii_letter(b[0]):
        return a + " " + b
    return a + b


def _paragraph_pass(lines: list[_Line]) -> list[_Para]:
    paras: list[_Para] = []
    in_appendix = False
    k = 0
    n = len(lines)
    while k < n:
        ln = lines[k]
        t = ln.text
        # table blocks
        if _is_cell_line(t):
            m = k
            while m < n and _is_cell_line(lines[m].text):
                m += 1
            if m - k >= 3:
                block = lines[k:m]
                paras.append(_Para(block, "", "table", _cell_groups(block), "cells"))
                k = m
                continue
        if _is_row_line(t):
            m = k
            while m < n and _is_row_line(lines[m].text):
                m += 1
            if m - k >= 2:
                block = lines[k:m]
                rows = [[clean_spaces(_strip(c)) for c in re.split(r"[|｜]", b.text)] for b in block]
                paras.append(_Para(block, "", "table", rows, "rows"))
                k = m
                continue
        if _APPENDIX_RE.match(t):
            in_appendix = True
            paras.append(_Para([ln], t, "appendix_head"))
            k += 1
            continue
        prev = paras[-1] if paras else None
        if prev is not None and prev.kind == "attach_list" and _ATTACH_ITEM_RE.match(t) \
                and len(t) <= 80:
            prev.lines.append(ln)
            prev.text += "\n" + (t if in_appendix else clean_spaces(t))
            k += 1
            continue
        if _should_join(prev, t, in_appendix):
            prev.lines.append(ln)
            prev.text = _join_text(prev.text, t if in_appendix else clean_spaces(t))
            k += 1
            continue
        kind = "attach_list" if _ATTACH_LIST_RE.match(t) else "text"
        paras.append(_Para([ln], t if in_appendix else clean_spaces(t), kind))
        k += 1
    return paras


def _cell_text(s: str) -> str:
    s = _strip(s)
    if s.endswith("|") or s.endswith("｜"):
        s = s[:-1]
    return clean_spaces(_strip(s))


def _cell_groups(block: list[_Line]) -> list[list[str]]:
    groups: list[list[str]] = []
    cur: list[str] = []
    for ln in block:
        t = ln.text
        if t in ("|", "｜"):
            if cur:
                groups.append(cur)
            cur = []
        else:
            cur.append(_cell_text(t))
    if cur:
        groups.append(cur)
    return groups


def _build_table(p: _Para, st: _State) -> tuple[list[str], list[list[str]]]:
    if p.table_form == "rows":
        rows = p.table_cells or []
        header = rows[0]
        body = rows[1:]
        width = max(len(r) for r in rows)
        header = header + [""] * (width - len(header))
        body = [r + [""] * (width - len(r)) for r in body]
        return header, body
    groups = p.table_cells or []
    header = groups[0]
    n = len(header)
    rows: list[list[str]] = []
    cat: str | None = None
    has_cat = False
    for g in groups[1:]:
        if n > 1 and len(g) > 1 and len(g) % n == 1:
            cat = g[0]
            has_cat = True
            g = g[1:]
        elif len(g) % n != 0:
            st.warn("table_irregular", p.no,
                    f"第{p.no}行开始的表格有一组单元格数量不整齐，请核对。")
            g = g + [""] * (n - len(g) % n)
        for k in range(0, len(g), n):
            rows.append([cat or ""] + g[k:k + n])
    if has_cat:
        return ["类别"] + header, rows
    return header, [r[1:] for r in rows]


# --------------------------------------------------------------------------- units


_OPEN = "（(<《〈【[［〔"
_CLOSE = "）)>》〉】]］〕"


def _split_top(s: str, seps: str) -> list[str]:
    parts, cur, depth = [], [], 0
    for ch in s:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in seps:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


_UNIT_TAIL_RES = [
    re.compile(r"(?:等)?(?:相关|有关)?(?:部门|单位)?(?:按照|按|根据)?(?:各自)?职责(?:分工)?(?:负责|落实)?$"),
    re.compile(r"(?:负责)?落实$"),
    re.compile(r"(?:牵头)?负责$"),
    re.compile(r"(?:配合)$"),
    re.compile(r"等(?:相关|有关)?(?:部门|单位)?$"),
]
# "市民政局（牵头）", "市民政局牵头", "市民政局牵头负责": the unit leads
_LEAD_TAIL_RE = re.compile(r"(?:[（(]\s*牵头\s*[）)]|牵头(?:负责|落实)?)$")
# a label inside a list of units: "牵头单位：甲；配合单位：乙、丙"
_UNITS_LABEL_RE = re.compile(
    r"^(责任单位|牵头单位|责任部门|牵头部门|配合单位|配合部门|参与单位|协办单位|主办单位|实施单位)\s*[:：]\s*")
_LEAD_LABELS = ("牵头单位", "牵头部门")
# the draft's note on what its mark means: "带*为牵头单位，下同", "标*号的为牵头单位", "*为牵头部门": no unit
_LEAD_LEGEND_RE = re.compile(r"^(?:注\s*[:：])?(?:带|标|标有|注|加|有)?\s*[*＊]\s*(?:号)?(?:的)?(?:单位)?(?:为|是|表示|系)"
                             r"\s*牵头(?:单位|部门)")
# "以下均需X落实，不再列出", "以下各项均由X负责": X answers for every later item, which no longer names it
_CARRY_RE = re.compile(r"^以下(?:各项|各条|所列|所有)?(?:任务|工作|事项|措施|内容)?(?:均|都|皆|一律|全部)?"
                       r"(?:需要|需|须|要|由|应由|应)(?P<units>.+)$")
_CARRY_TAIL_RE = re.compile(r"[，,、]?\s*(?:不再(?:一一|单独|重复)?(?:列出|列明|列举|注明|标注|标明|重复|赘述)|下同)$")
_SAME_BELOW_RE = re.compile(r"^(?P<units>.*?)[，,、]?\s*下同$")


def _clean_unit(p: str) -> str:
    p = squeeze(p).strip("*＊").replace("*", "").replace("＊", "")
    for _ in range(3):
        before = p
        if "牵头" in p:
            p = _LEAD_TAIL_RE.sub("", p)
        for rx in _UNIT_TAIL_RES:
            p = rx.sub("", p)
        if p == before:
            break
    return p.strip("。.，,、；;：:")


def _is_lead(p: str) -> bool:
    """A unit marked as the lead one: "*市民政局", "市民政局（牵头）", "市民政局牵头负责"."""
    if "*" not in p and "＊" not in p and "牵头" not in p:
        return False
    p = squeeze(p).strip("。.，,、；;")
    return p.startswith(("*", "＊")) or p.endswith(("*", "＊")) or bool(_LEAD_TAIL_RE.search(p))


@dataclass
class UnitsRead:
    """What a list of responsible units says: the units (in order, once each), those of them that lead (牵头单位,
    marked *, 牵头 or listed under 牵头单位：), and the units it says answer for every later item too (以下均需X落实，
    不再列出; X，下同), which later items then do not list."""

    names: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)

    def add(self, name: str, lead: bool) -> None:
        if name not in self.names:
            self.names.append(name)
        if lead and name not in self.leads:
            self.leads.append(name)

    def merge(self, other: "UnitsRead") -> None:
        for name in other.names:
            self.add(name, name in other.leads)
        for name in other.carried:
            if name not in self.carried:
                self.carried.append(name)


def _later_units(clause: str) -> tuple[str | None, list[str]]:
    """Whether a clause names the units of the later items too, and which: ("directive", X) for "以下均需X落实，不再
    列出" (X named for the later items only), ("same_below", X) for "X落实，下同" (X this item's and the later ones'),
    ("legend", []) for the draft's note on its lead mark ("带*为牵头单位，下同": no unit at all), else (None, [])."""
    if "以下" not in clause and "下同" not in clause:
        return None, []
    c = squeeze(clause).strip("。.，,、；;")
    m = _CARRY_RE.match(_CARRY_TAIL_RE.sub("", c))
    kind = "directive"
    if m is None:
        m, kind = _SAME_BELOW_RE.match(c), "same_below"
        if m is None:
            return None, []
    text = _UNITS_LABEL_RE.sub("", m.group("units"))
    if _LEAD_LEGEND_RE.match(text):
        return "legend", []
    out: list[str] = []
    for p in _split_top(text, "、，,"):
        u = _clean_unit(p)
        if u and u not in out:
            out.append(u)
    if not out or not all(_looks_unit(u) for u in out):
        # "以下均需认真落实": no unit named, and none of this item's; "（以下简称市民政局，下同）": no list of units
        return ("directive", []) if kind == "directive" else (None, [])
    return kind, out


def read_units(s: str, lead: bool = False) -> UnitsRead:
    """The units of a list ('市民政局、*市发展改革局；以下均需各县（市、区）政府落实，不再列出'), boilerplate removed;
    ``lead``: the list is labelled 牵头单位 (every unit in it leads). A unit's own list is its first sentence
    ("…落实。以下均需…不再列出" → "…落实"); "以下均需X落实" names X for the later items (``carried``), not for this
    one, "X落实，下同" for both."""
    out = UnitsRead()
    for k, sentence in enumerate(_split_top(s, "。")):
        for clause in _split_top(sentence, "；;"):
            kind, later = _later_units(clause)
            for u in later:
                if u not in out.carried:
                    out.carried.append(u)
            if kind in ("directive", "legend"):
                continue
            if kind == "same_below":
                clause = _SAME_BELOW_RE.match(squeeze(clause).strip("。.，,、；;")).group("units")
            if k > 0:
                continue
            clause_lead = lead
            label = _UNITS_LABEL_RE.match(_strip(clause))
            if label is not None:
                clause_lead = label.group(1) in _LEAD_LABELS
                clause = _strip(clause)[label.end():]
            for p in _split_top(clause, "、，,"):
                u = _clean_unit(p)
                if u:
                    out.add(u, clause_lead or _is_lead(p))
    return out


def parse_units(s: str) -> list[str]:
    """'市民政局、市发展改革局' → ['市民政局', '市发展改革局'] (boilerplate removed)."""
    return read_units(s).names


_UNIT_PREFIX = ("市", "县", "区", "省", "各")
_UNIT_PREFIX_MORE = ("团市委", "团县委", "中国", "国家", "人行", "有关", "共青团")
_UNIT_SUFFIX = (
    "局", "委", "办", "厅", "会", "院", "部", "处", "中心", "支队", "大队", "公司", "政府", "集团",
    "大学", "学院", "院校", "学校", "中支", "银行", "分行", "所", "站", "队", "室", "社", "联",
    "署", "庭", "组",
)


def _looks_unit(p: str) -> bool:
    if not (2 <= len(p) <= 30):
        return False
    if re.search(r"[\d。；;：:%]", p):
        return False
    return p.startswith(_UNIT_PREFIX + _UNIT_PREFIX_MORE) or p.endswith(_UNIT_SUFFIX)


def _top_parens(s: str):
    """(start, end, content) of top-level parentheticals; either bracket type closes."""
    depth = 0
    start = 0
    for i, ch in enumerate(s):
        if ch in "（(":
            if depth == 0:
                start = i
            depth += 1
        elif ch in "）)" and depth > 0:
            depth -= 1
            if depth == 0:
                yield start, i + 1, s[start + 1:i]


def read_units_in_text(s: str) -> UnitsRead:
    """Responsible units found in parentheticals of an item's text (seed 001/002/003 forms), with those that lead
    and those named for every later item ("（……；以下均需X落实，不再列出）")."""
    found = UnitsRead()
    for a, b, content in _top_parens(s):
        c = _strip(content)
        m = re.match(r"^(责任单位|牵头单位|责任部门|牵头部门)\s*[:：]\s*(.*)$", c, re.S)
        if m:
            found.merge(read_units(m.group(2), lead=m.group(1) in _LEAD_LABELS))
            continue
        read = None
        if "以下" in c or "下同" in c:
            read = read_units(c) if "。" not in c else UnitsRead()
            if not read.names:
                # "（以下均需各县（市、区）政府落实，不再列出）" under a heading: units for the later items alone
                found.merge(UnitsRead(carried=read.carried))
                continue
        # the characters next to it, spaces aside, found by index: slicing s[:a] and s[b:] for each
        # parenthetical had been quadratic (80,000 of them on one line: 41 s)
        before, after = a - 1, b
        while before >= 0 and s[before].isspace():
            before -= 1
        while after < len(s) and s[after].isspace():
            after += 1
        at_sentence_edge = (before < 0 or s[before] in "。；;！!？?）)") or (
            after >= len(s) or s[after] in "。；;，,！!？?（(")
        if not at_sentence_edge:
            continue
        if read is None:
            read = read_units(c) if "。" not in c else UnitsRead()
        if not read.names or not all(_looks_unit(p) for p in read.names):
            continue
        if not any(p.startswith(_UNIT_PREFIX) for p in read.names):
            continue
        found.merge(read)
    return found


def units_in_text(s: str) -> list[str]:
    """Responsible units found in parentheticals of an item's text (seed 001/002/003 forms)."""
    return read_units_in_text(s).names


def _add_units(section: Section, read: UnitsRead) -> None:
    for u in read.names:
        if u not in section.units:
            section.units.append(u)
        if u in read.leads and u not in section.lead_units:
            section.lead_units.append(u)
    for u in read.carried:
        if u not in section.carried_units:
            section.carried_units.append(u)


def _carry_units(top: list[Section], st: _State) -> None:
    """"以下均需X落实，不再列出": X answers for every later item of the draft, which lists its units without X. Each
    later section that names units of its own gets X after them; a section naming none keeps inheriting its parent's
    (X given to it alone would replace them), and the appendices name none. The office is told where, to check."""
    carried: list[str] = []
    given: list[tuple[Section, list[str], list[Section]]] = []  # (the section saying so, its units, those given them)

    def walk(sections: list[Section]) -> None:
        for s in sections:
            if s.units:
                for _said, units, to in given:
                    if any(u not in s.units for u in units):
                        to.append(s)
                s.units.extend(u for u in carried if u not in s.units)
            if s.carried_units:
                given.append((s, list(s.carried_units), []))
            carried.extend(u for u in s.carried_units if u not in carried)
            walk(s.children)

    walk([s for s in top if s.kind == "section"])
    for said, units, to in given:
        if to:
            st.warn("units_for_later_items", said.line,
                    f"第{said.line}行“{said.label}”说以下各项均由{'、'.join(units)}负责、不再列出："
                    f"已把{'、'.join(units)}列为其后{len(to)}个部分的责任单位，请核对。")


# --------------------------------------------------------------------------- headings


def split_heading(style: str, rest: str) -> tuple[str, str, bool]:
    """(heading, text, run_in) for the text after a label."""
    rest = _strip(rest)
    if style == "article":
        m = re.search(r"[。！？!?]", rest)
        if m:
            return rest[:m.end()], _strip(rest[m.end():]), True
        return rest, "", True
    if style in ("chapter", "jie", "part"):
        if not re.search(r"[。！？!?；;]", rest):
            return rest, "", False
    if _looks_like_heading_title(rest):
        return rest, "", False
    bare = _unbracketed(rest)  # a mark inside brackets or a quotation cuts nothing: "完善服务网络（牵头单位：…；…）"
    if not re.search(r"[。！？!?；;，,：:]", bare) and len(rest) <= 80:
        return rest, "", False
    m = re.search(r"[。！？!?]", rest)
    if m and m.end() <= 41:
        return rest[:m.end()], _strip(rest[m.end():]), True
    m = re.search(r"[，,；;。：:]", bare)
    if m and m.end() <= 60:
        return _clause_heading(rest[:m.end()], _strip(rest[m.end():]))
    cut = _heading_cut(rest)
    return _clause_heading(rest[:cut], rest[cut:])


_CLAUSE_MARKS = "，,、；;：:"
_HEADING_CUT = 30  # a heading cut from a long item without a mark where to cut: about this long
_HEADING_CUT_NEAR = 10  # a boundary this near to it is preferred
_QUOTE_PAIRS = {"《": "》", "“": "”", "‘": "’", "（": "）", "(": ")", "〈": "〉", "【": "】", "「": "」", "〔": "〕"}
# words a phrase of a policy's item often begins with: a cut before one falls between two phrases
_PHRASE_STARTS = (
    "同时", "进一步", "推动", "推进", "加快", "加强", "加大", "建立", "健全", "完善", "实施", "开展", "提升",
    "提高", "鼓励", "支持", "实现", "确保", "落实", "引导", "促进", "强化", "优化", "探索", "扩大", "做好", "着力",
    "通过", "按照", "依托", "围绕", "结合", "统筹", "逐步", "积极", "全面", "大力", "不断", "努力", "力争",
)


_MASKED_PAIRS = {"（": "）", "(": ")", "《": "》", "“": "”"}


def _outer_groups(text: str, pairs: dict[str, str]) -> tuple[list[tuple[int, int]], bool]:
    """The outermost closed groups of ``text`` (brackets, quotations: ``pairs`` of opening and closing marks) as the
    positions of their opening and closing marks, and whether a group was left open (a PDF's broken line)."""
    groups, opened, closing = [], [], []
    for i, ch in enumerate(text):
        if closing and ch == closing[-1]:
            closing.pop()
            start = opened.pop()
            if not closing:
                groups.append((start, i))
        elif ch in pairs:
            closing.append(pairs[ch])
            opened.append(i)
    return groups, bool(closing)


def _unbracketed(text: str) -> str:
    """``text`` with what stands inside closed brackets, 《》 or “” replaced by spaces (the same length: positions
    stay), so that a search for a clause mark finds only the item's own ("（牵头单位：市民政局；配合单位：…）" holds none).
    A bracket never closed (a PDF's broken line) masks nothing."""
    chars = list(text)
    for start, end in _outer_groups(text, _MASKED_PAIRS)[0]:
        chars[start + 1:end] = " " * (end - start - 1)
    return "".join(chars)


def _heading_cut(rest: str) -> int:
    """Where to cut the heading of a long item that has no clause mark near its start: about _HEADING_CUT characters
    in, at a 、 or before or after a bracket or quotation (《…》, “…”, （…）) when one is near, else before a word that
    begins a phrase (推动, 加快, 同时 …), never inside 《》, “” or brackets, nor inside a number or a Latin word
    ("2025", "15%")."""
    if len(rest) <= _HEADING_CUT:
        return len(rest)
    inside = [False] * (len(rest) + 1)  # inside[i]: a cut before rest[i] falls inside a quotation or brackets
    groups, left_open = _outer_groups(rest, _QUOTE_PAIRS)
    if not left_open:  # a bracket never closed (a PDF's broken line): no quotation to keep whole
        for start, end in groups:
            inside[start + 1:end + 1] = [True] * (end - start)

    def whole(i: int) -> bool:
        a, b = rest[i - 1], rest[i]
        return not inside[i] and not (_is_ascii_alnum(a) and _is_ascii_alnum(b)) and not (
            a.isdigit() and b in "%％.．") and b not in "》”’）)〉】」〕%％"

    lo, hi = max(1, _HEADING_CUT - _HEADING_CUT_NEAR), min(len(rest) - 1, _HEADING_CUT + _HEADING_CUT_NEAR)
    by_nearness = sorted(range(lo, hi + 1), key=lambda i: (abs(i - _HEADING_CUT), i))
    for good in (
        lambda i: rest[i] == "、" or rest[i - 1] in "》”’）)〉】」〕" or rest[i] in _QUOTE_PAIRS,
        lambda i: rest.startswith(_PHRASE_STARTS, i),
        lambda i: True,
    ):
        for i in by_nearness:
            if whole(i) and good(i):
                return i
    return _HEADING_CUT


def _clause_heading(heading: str, text: str) -> tuple[str, str, bool]:
    """(heading, text, run_in) of an item without a heading sentence of its own, its heading cut from its first
    clause ("8.加大养老服务补贴力度，特别是对……"): a heading ends with no clause mark (，、；：), the mark begins the
    text instead, so that heading and text together still read as the item does ("加大养老服务补贴力度" +
    "，特别是对……"). A line that is only a heading ending with its mark ("（一）主要指标：" before a table) keeps it:
    there is no text for it to begin."""
    kept = _strip(heading).rstrip(_CLAUSE_MARKS + " \t\u3000")
    if not _strip(text) or kept == _strip(heading):
        return heading, text, True
    return kept, _strip(heading)[len(kept):].lstrip() + text, True


class _Builder:
    def __init__(self, st: _State):
        self.st = st
        self.top: list[Section] = []
        self.stack: list[Section] = []  # open sections, outermost first
        self.last_number: dict[str, int] = {}
        self.parts: dict[int, list[str]] = {}  # id(section) -> text parts

    @property
    def current(self) -> Section | None:
        return self.stack[-1] if self.stack else None

    @property
    def in_appendix(self) -> bool:
        """The open section is an appendix or inside one."""
        return bool(self.stack) and self.stack[0].kind == "appendix"

    def path(self) -> list[int]:
        out = []
        siblings = self.top
        for s in self.stack:
            out.append(next(i for i, x in enumerate(siblings) if x is s))
            siblings = s.children
        return out

    def add_text(self, text: str) -> None:
        if self.current is not None:
            self.parts[id(self.current)].append(text)

    def _style_of(self, lab: _Label) -> str:
        style = lab.style
        if style == "arabic" and lab.number is not None and lab.number >= 10:
            styles = [s.style for s in self.stack]
            if "arabic_pad" in styles and "arabic" not in styles:
                return "arabic_pad"
        return style

    def open_appendix(self, label: str, number: int | None, line: int) -> Section:
        sec = Section(label=label, level=1, number=number, heading="", kind="appendix",
                      line=line, style="appendix")
        self._check_number(None, sec)
        self.top.append(sec)
        self.stack = [sec]
        self.parts[id(sec)] = []
        return sec

    def open(self, lab: _Label, heading: str, text: str, run_in: bool, line: int) -> Section:
        style = self._style_of(lab)
        styles = [s.style for s in self.stack]
        prev_top = self.stack[-1].style if self.stack else None
        if style in styles:
            idx = styles.index(style)
            self.stack = self.stack[:idx]
        elif style in _FIXED_RANK:
            rank = _FIXED_RANK[style]
            # close everything below a higher fixed level
            keep = len(self.stack)
            for i, s in enumerate(self.stack):
                if s.style == "appendix":
                    continue
                if s.style not in _FIXED_RANK or _FIXED_RANK[s.style] >= rank:
                    keep = i
                    break
            self.stack = self.stack[:keep]
        else:
            # a new, deeper style; warn when a conventionally higher style is nested lower
            if prev_top is not None and style in _CONV_RANK and prev_top in _CONV_RANK \
                    and _CONV_RANK[style] < _CONV_RANK[prev_top]:
                self.st.warn(
                    "level_jump", line,
                    f"第{line}行的编号“{lab.label}”出现在“{self.stack[-1].label}”之下，"
                    f"层级顺序不寻常（{_STYLE_NAMES.get(style, style)}通常高于"
                    f"{_STYLE_NAMES.get(prev_top, prev_top)}），请核对。")
        parent = self.stack[-1] if self.stack else None
        sec = Section(label=lab.label, level=len(self.stack) + 1, number=lab.number,
                      heading=heading, text="", run_in=run_in, kind="section", line=line,
                      style=style)
        self._check_number(parent, sec)
        (parent.children if parent else self.top).append(sec)
        self.stack.append(sec)
        self.parts[id(sec)] = [text] if text else []
        return sec

    def _check_number(self, parent: Section | None, sec: Section) -> None:
        n = sec.number
        if n is None:
            return
        siblings = parent.children if parent else self.top
        prev = next((s for s in reversed(siblings) if s.style == sec.style), None)
        if prev is not None and prev.number is not None:
            ok = n == prev.number + 1
            expected = prev.number + 1
        else:
            last = self.last_number.get(sec.style)
            ok = n == 1 or (last is not None and n == last + 1)
            expected = 1
        if not ok:
            where = f"“{prev.label}”之后" if prev is not None else "这一层开头"
            if prev is not None and prev.number is not None and n <= prev.number:
                msg = f"第{sec.line}行：{where}又出现“{sec.label}”，编号重新开始或重复，请核对。"
            else:
                msg = f"第{sec.line}行：{where}应为第{expected}项，实际是“{sec.label}”，编号不连续。"
            self.st.warn("numbering_gap", sec.line, msg)
        self.last_number[sec.style] = n

    def finish(self) -> list[Section]:
        def walk(items):
            for s in items:
                s.text = "\n".join(p for p in self.parts.get(id(s), []) if p)
                walk(s.children)

        walk(self.top)
        return self.top


def _appendix_names(text: str) -> list[str]:
    """The names an in-body appendix list gives (``附件：1. 甲名单\n2. 乙名单``), squeezed of spaces, quotation marks
    and punctuation."""
    listed = _ATTACH_LIST_RE.sub("", text, count=1)
    items = re.split(r"(?:^|\n)\s*(?:\d{1,2}\s*[.．、﹒]|附\s*件\s*\d{1,2}\s*[:：]?)", listed)
    return [name for name in (_comparable(item) for item in items) if name]


def _comparable(text: str) -> str:
    return re.sub(r"[\s\u3000\xa0“”\"‘’'《》「」『』:：,，.。、;；()（）\-—]", "", text)


def _drop_listed_appendices(b: "_Builder", attach_lists, st: _State) -> None:
    """An in-body list of the appendices (``附件：1. 甲名单 2. 乙名单``) before the appendices themselves is not the
    last section's text: a comment on that section would show it. It is taken out (recorded as consumed,
    "appendix_list") when each name it gives is the title of an appendix that follows (the same words, or nearly:
    a list may shorten a title), so that nothing it says is lost; a list naming anything else stays as text."""
    if not attach_lists:
        return
    from difflib import SequenceMatcher

    titles = [_comparable(s.heading) for s in b.top if s.kind == "appendix"]
    for section, index, para in reversed(attach_lists):  # from the last, so that earlier indexes stay right
        names = _appendix_names(para.text)
        unmatched = list(titles)
        for name in names:
            match = next((title for title in unmatched if title and (
                name in title or title in name or SequenceMatcher(None, name, title).ratio() >= 0.8)), None)
            if match is None:
                break
            unmatched.remove(match)
        else:
            if names and b.parts[id(section)][index] == para.text:
                del b.parts[id(section)][index]
                st.consume(para.lines, "appendix_list")


# --------------------------------------------------------------------------- front matter


_TITLE_END_RE = re.compile(
    r"(?:名单|方案|目标|表|办法|清单|细则|标准|规划|指标|计划|说明|意见|制度|流程|规定|要求|目录|"
    r"条例|通知|决定|纲要|措施|指南|分工|任务|项目|汇总|情况)[）)]?$"
)


def _title_like(t: str) -> bool:
    s = squeeze(t)
    if not s or len(s) > 60:
        return False
    if re.search(r"[。！？!?；;：:，,|]", s):
        return False
    if s.count("、") >= 3:
        return False
    return True


def _norm_title(t: str) -> str:
    t = clean_spaces(squeeze(t) if not re.search(r"[A-Za-z]\s+[A-Za-z]", t) else t)
    return re.sub(r"[（(]\s*征求意见稿\s*[）)]", "（征求意见稿）", t)


_TITLE_CTX_RE = re.compile(
    r"(?:现将|制定了?|印发了?|关于印发|起草了?|形成了?|研究制定了?)\s*《([^《》]{2,120})》"
    r"|《([^《》]{2,120})》\s*(?:[,，]?\s*(?:现印发|现予印发|印发给你们|公布如下|现公布|"
    r"向社会公开征求意见|公开征求意见|征求意见)|的通知)"
)


def _title_from_text(s: str) -> str | None:
    m = _TITLE_CTX_RE.search(s)
    if m:
        return m.group(1) or m.group(2)
    return None


# an office's name ends so: 办公室, 局, 委员会, 人民政府, 厅, 部, 领导小组, 中心, 专班 …
_OFFICE_END_RE = re.compile(
    r"(?:办公室|办公厅|委员会|政府|小组|专班|指挥部|中心|局|厅|部|委|办|院|署|处|室|会|联|站|所|队|组)$"
)
_HEADLINE_ISSUER_RE = re.compile(r"^(.{2,60}?)关于(?=.)")
# what a sentence, not an office, starts or holds before its 关于 ("为贯彻落实国务院关于…")
_NOT_OFFICE_RE = re.compile(r"^(?:为|根据|按照|依据|经|现将|关于|转发|印发|请|学习)|贯彻|落实|根据|按照")


def _headline_issuer(text: str) -> str | None:
    """The office a headline names before its 关于 ("X关于印发《…》的通知", "X关于…的实施意见"), or None: X is
    one office or several (joined by 、 or spaces), each ending as an office does; "X转发Y关于…" is X's."""
    m = _HEADLINE_ISSUER_RE.match(_strip(text))
    if not m:
        return None
    issuer = _strip(m.group(1))
    forwarded = re.match(r"^(.{2,}?)转发", issuer)
    if forwarded:
        issuer = forwarded.group(1)
    if re.search(r"[《》〈〉<>。，,；;：:！？!?\d]", issuer) or _NOT_OFFICE_RE.search(issuer):
        return None
    parts = [part for part in re.split(r"[、\s]+", issuer) if part]
    if not parts or not all(_OFFICE_END_RE.search(part) and len(part) >= 2 for part in parts):
        return None
    return issuer


@dataclass
class _Front:
    title: str | None = None
    title_from_block: bool = False
    issuer: str | None = None
    notice_date: date | None = None
    addressee: str | None = None
    notice: list[str] = field(default_factory=list)
    # the notice's headline ("X关于印发《…》的通知"), naming the draft's title: the page shows it as its title and
    # the issuer in its facts, so it is not a paragraph of the notice (its lines are consumed as notice_headline)
    headline: str | None = None
    preamble: list[str] = field(default_factory=list)
    signed: bool = False


def _addressee_like(t: str) -> bool:
    """'社会各界、广大居民群众：' — but not '…，现提出如下实施意见：'."""
    s = squeeze(t)
    if s[-1:] not in (":", "：") or len(s) > 120 or re.search(r"[。；;！？]", s):
        return False
    return not re.search(r"如下|根据|为了|^为|结合|现就|现将|按照|提出|制定|以下|通知|方式|途径|联系", s)


def _front_matter(paras: list[_Para], st: _State) -> _Front:
    fr = _Front()
    meta_issuer = None
    meta_date = None
    loose_date = None
    letterhead_issuer = None
    source_issuer = None  # the page's 来源/信息来源: who posted the notice, not who issued it
    headline_issuer = None  # the office the notice's headline names ("X关于印发《…》的通知")
    title_lines: list[str] = []
    headline_title = None
    notice_headline = None  # the notice's first paragraph when it is its headline ("…关于印发《…》的通知")

    kinds = []
    for p in paras:
        t = p.text
        if _META_RE.match(t):
            kinds.append("meta")
        elif _date_from_line(t):
            kinds.append("date")
        elif _DOC_NO_RE.match(t):
            kinds.append("doc_number")
        elif _HEADLINE_RE.match(t):
            kinds.append("headline")
        elif _SEAL_RE.match(t):
            kinds.append("seal")
        elif _LETTERHEAD_RE.match(squeeze(t)) and len(squeeze(t)) <= 34:
            kinds.append("letterhead")
        elif _NOTICE_TITLE_RE.search(squeeze(t)):
            kinds.append("notice_title")
        elif _addressee_like(t):
            kinds.append("addressee")
        elif _title_like(t):
            kinds.append("other")
        elif _NOTICE_KW_RE.search(t):
            kinds.append("notice")
        else:
            kinds.append("other")

    # the signature: issuer line (+ seal) + date line
    sig = None
    for d, kd in enumerate(kinds):
        if kd != "date":
            continue
        j = _signature_issuer(paras, d)
        if j is not None and j > 0 and kinds[j] in ("other", "notice"):
            sig = (j, d)
            break

    if sig:
        fr.signed = True
        fr.issuer = paras[sig[0]].text
        st.consume(paras[sig[0]].lines, "issuer")
        fr.notice_date = _date_from_line(paras[sig[1]].text)
        st.consume(paras[sig[1]].lines, "date")
        for k in range(sig[0] + 1, sig[1]):
            st.consume(paras[k].lines, "seal")
        pre = range(0, sig[0])
        post = range(sig[1] + 1, len(paras))
    else:
        pre = range(0, len(paras))
        post = range(0, 0)

    # unsigned, the notice ends where the draft's title stands again as the notice named it (《…》): what comes
    # before it (the ways to send opinions, numbered or not) is the notice's, not the draft's preamble
    title_at = None
    if not sig:
        named: set[str] = set()
        for k in pre:
            if kinds[k] in ("notice_title", "notice") or "《" in paras[k].text:
                named.update(squeeze(title) for title in re.findall(r"《([^《》]{4,80})》", paras[k].text))
            elif named and squeeze(paras[k].text).strip("《》") in named:
                title_at = k
                break

    seen_notice = False
    seen_preamble = False
    for k in pre:
        p, kd, t = paras[k], kinds[k], paras[k].text
        if k == title_at:
            st.consume(p.lines, "title_line")
            continue
        if kd == "meta":
            m = _META_RE.match(t)
            key, val = m.group(1), _strip(m.group(2))
            if key in ("日期", "发布日期", "发布时间", "成文日期", "时间"):
                meta_date = meta_date or _date_in_text(val)
            elif key in ("来源", "信息来源"):
                source_issuer = source_issuer or val
            elif key in ("发文部门", "发布单位", "发布机构", "发文机关"):
                meta_issuer = meta_issuer or val
            st.consume(p.lines, "meta")
        elif kd == "date":
            loose_date = loose_date or _date_from_line(t)
            st.consume(p.lines, "date")
        elif kd == "doc_number":
            st.consume(p.lines, "doc_number")
        elif kd == "headline":
            headline_title = headline_title or _HEADLINE_RE.match(t).group(1)
            st.consume(p.lines, "page_headline")
        elif kd == "seal":
            st.consume(p.lines, "seal")
        elif kd == "letterhead":
            letterhead_issuer = letterhead_issuer or _LETTERHEAD_RE.match(squeeze(t)).group(1)
            st.consume(p.lines, "letterhead")
        elif kd == "addressee" and fr.addressee is None and not seen_preamble:
            fr.addressee = _strip(t)[:-1].rstrip()
            st.consume(p.lines, "addressee")
        elif kd in ("notice_title", "notice"):
            if kd == "notice_title" and not seen_preamble:
                headline_issuer = headline_issuer or _headline_issuer(t)
                if not seen_notice:
                    notice_headline = p
            fr.notice.append(t)
            seen_notice = True
        elif kd == "other" and _title_like(t) and not seen_notice and not seen_preamble:
            title_lines.append(t)
            st.consume(p.lines, "title_line")
        elif sig or (title_at is not None and k < title_at):
            fr.notice.append(t)
            seen_notice = True
        else:
            fr.preamble.append(t)
            seen_preamble = True

    block: list[str] = []
    in_block = True
    for k in post:
        p, kd, t = paras[k], kinds[k], paras[k].text
        if in_block and kd == "other" and _title_like(t) and len(block) < 4:
            block.append(t)
            st.consume(p.lines, "title_block")
            continue
        in_block = False
        if kd == "meta" or kd == "date" or kd == "doc_number":
            st.consume(p.lines, kd if kd != "date" else "date")
            if kd == "date":
                loose_date = loose_date or _date_from_line(t)
            continue
        fr.preamble.append(t)

    notice_text = "\n".join(fr.notice)
    if block:
        fr.title = _norm_title("".join(block))
        fr.title_from_block = True
    else:
        cand = _title_from_text(notice_text) if notice_text else None
        if cand is None and headline_title:
            cand = headline_title
        if cand is None and title_lines:
            cand = "".join(title_lines)
        if cand is None:
            for t in fr.notice:
                m = re.search(r"《([^《》]{2,120})》", t)
                if m:
                    cand = m.group(1)
                    break
        fr.title = _norm_title(cand) if cand else None
    if notice_headline is not None and fr.title and _names_title(notice_headline.text, fr.title):
        fr.headline = fr.notice.pop(0)
        st.consume(notice_headline.lines, "notice_headline")
    if headline_issuer is None and title_lines:  # a title line "X关于…的实施意见", or one broken before its 关于
        headline_issuer = next((found for found in map(_headline_issuer, title_lines) if found),
                               None) or _headline_issuer("".join(title_lines))
    # the notice's own signature first (set above; one at the end of the body, after it, wins too), then the office
    # its headline names, the page's issuing-office field, the letterhead, and last the page's 来源 (its poster)
    fr.issuer = fr.issuer or headline_issuer or meta_issuer or letterhead_issuer or source_issuer
    fr.notice_date = fr.notice_date or meta_date or loose_date
    return fr


def _names_title(headline: str, title: str) -> bool:
    """The headline names the draft's title: in 《…》 ("关于印发《…》的通知") or as its words."""
    named = [_norm_title(t) for t in re.findall(r"《([^《》]{2,120})》", headline)]
    return title in named or squeeze(title) in squeeze(_norm_title(headline))


# --------------------------------------------------------------------------- contact, deadline

_PHONE_RE = re.compile(
    r"(?:[（(]\s*0\d{2,3}\s*[）)]\s*\d{7,8}|0\d{2,3}\s*[-－—]\s*\d{7,8}(?:\s*[-－]\s*\d{1,5})?"
    r"|1[3-9]\d{9}|\d{7,8}|400[-－]?\d{3}[-－]?\d{4})"
)
# read in the notice as ``join_at`` leaves it, as a contact is: spaces right beside the @ belong to the address
# ("zhang @example.com": a non-breaking space read as a space); a space anywhere else ends it ("Wang Li@example.com"
# is Li@example.com)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def _contact(notice: str) -> Contact:
    c = Contact()
    if not notice:
        return c
    m = re.search(r"联\s*系\s*人\s*(?:及电话)?\s*[:：]?\s*([\u4e00-\u9fff·]{2,4}?)(?=[,，；;、。\s（(]|"
                  r"联系|电话|手机|$|\d)", notice)
    if m:
        c.person = m.group(1)
    # phones: numbers after 电话/手机/座机, skipping 传真 segments
    for seg in re.finditer(r"(传\s*真|电\s*话|手\s*机|座\s*机|热\s*线|联系方式)\s*(?:号码)?\s*[:：]?"
                           r"\s*((?:[\d（()）\-－—、,，/\s]|或|及)+)", notice):
        if re.match(r"传\s*真", seg.group(1)):
            continue
        for pm in _PHONE_RE.finditer(seg.group(2)):
            ph = squeeze(pm.group(0))
            if ph not in c.phones:
                c.phones.append(ph)
    # numbers not right after 电话 (联系人及电话：王五 0557-3255022): a mobile, or a landline with its area code
    for pm in re.finditer(r"(?<![\d-])(?:1[3-9]\d{9}|0\d{2,3}[-－]\d{7,8})(?![\d-])", notice):
        number = squeeze(pm.group(0))
        if number not in c.phones and not re.search(r"传\s*真\s*[:：]?\s*$", notice[:pm.start()]):
            c.phones.append(number)
    for em in _EMAIL_RE.finditer(join_at(notice)):  # ＠ typed in a Chinese input method, as a contact is read
        email = em.group(0)
        if email not in c.emails:
            c.emails.append(email)
    for m in re.finditer(r"(?:报送至|报送到|报送给|反馈至|反馈到|反馈给|发送至|送至|寄至|寄送至|提交至|"
                         r"提交给|报至)\s*([^。；;,，、:：（(]{2,40})", notice):
        if "@" not in m.group(1) and not re.search(r"邮箱|电子|邮件|@", m.group(1)):
            c.office = _strip(m.group(1))
            break
    m = re.search(r"(?:通信|通讯|联系|邮寄)?地\s*址\s*[:：]\s*([^。；;，,]{4,80})", notice)
    if m:
        c.address = _strip(m.group(1))
    return c


_DL_WEEKDAY = r"(?:\s*[（(]\s*(?:星期|周|礼拜)[一二三四五六日天]\s*[)）])?"  # 5月12日（星期五）
_DL_MD = r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日" + _DL_WEEKDAY
_DL_START = r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日" + _DL_WEEKDAY
_DL_MERIDIEM = r"(?:上午|中午|下午|傍晚|晚上|晚)"
_DL_TIME = (r"(?:\s*(?:前|之前|以前)?\s*" + _DL_MERIDIEM + r"?\s*(\d{1,2})\s*[:：时点]\s*(\d{2})?\s*分?)?")
_DL_RANGE = r"\s*(?:起)?\s*(?:至|到|—|-|－|~|～)\s*"
_DEADLINE_RES = [
    # 征求意见时间为2023年4月12日至5月12日
    re.compile(r"(?:征求意见|意见反馈|反馈意见|公示|征集)(?:时间|期限|期)\s*(?:为|是|:|：)?\s*"
               + _DL_START + _DL_RANGE + _DL_MD + _DL_TIME),
    # 截止时间为2023年5月12日 / 反馈截止日期：2023年5月12日 / 意见反馈截止时间：2023年5月12日17:00
    re.compile(r"截[止至](?:时间|日期)?\s*(?:为|是|到|至|:|：)?\s*" + _DL_MD + _DL_TIME),
    # 请于5月12日前 / 请在2023年5月12日前 / 于…下午5点前
    re.compile(r"(?:请于|请在|于|在)\s*" + _DL_MD + r"(?:\s*" + _DL_MERIDIEM + r"?\s*(\d{1,2})\s*[:：时点]"
               r"\s*(\d{2})?\s*分?)?\s*(?:前|之前|以前)"),
    # 自即日起至2023年5月12日止
    re.compile(r"至\s*" + _DL_MD + r"(?:\s*" + _DL_MERIDIEM + r"?\s*(\d{1,2})\s*[:：时点]\s*(\d{2})?\s*分?)?"
               r"\s*(?:止|前|为止)"),
    # ISO: 截止 2023-05-12
    re.compile(r"截[止至](?:时间|日期)?\s*(?:为|是|:|：)?\s*(\d{4})-(\d{1,2})-(\d{1,2})"
               r"(?:\s+(\d{1,2}):(\d{2}))?"),
    # 征求意见期限为30天，自2026年12月7日至2027年1月6日
    re.compile(r"(?:征求意见|意见反馈|反馈意见|公示|征集)[^。；;\n]{0,30}?(?:自|从)\s*"
               + _DL_START + _DL_RANGE + _DL_MD + _DL_TIME),
]
_DL_START_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DL_AFTERNOON = re.compile(r"(?:下午|傍晚|晚上|晚)\s*$")


def _deadline_year(m: re.Match, month: int, day: int, notice_date: date | None) -> int:
    """The year of a deadline written without one: that of the period's start ("2023年12月7日至1月6日", the next
    year when the end comes before the start), else the one after the notice date, else the one nearest today."""
    start = _DL_START_DATE.search(m.group(0))
    if start:
        year = int(start.group(1))
        if (month, day) < (int(start.group(2)), int(start.group(3))):  # the period crosses New Year
            year += 1
        return year
    if notice_date:
        return notice_date.year + 1 if (month, day) < (notice_date.month, notice_date.day) else notice_date.year
    today = datetime.now(TZ).date()
    candidates = [year for year in (today.year - 1, today.year, today.year + 1) if _is_date(year, month, day)]
    return min(candidates, key=lambda year: abs((date(year, month, day) - today).days)) if candidates else today.year


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _deadline_time(m: re.Match, hour: str | None, minute: str | None) -> time:
    """The hour written ("17:00", "下午5点": 17:00; "24时", "晚上12点": the end of the day); none, or one that is no time of
    day, gives the end of the day (the office checks the deadline before publishing)."""
    if hour is None:
        return time(23, 59, 59)
    h, mi = int(hour), int(minute or 0)
    if h <= 12 and _DL_AFTERNOON.search(m.string, 0, m.start(4)):  # 下午5点, 晚上12点 (midnight)
        h += 12
    if (h == 24 and mi == 0) or h > 24 or mi > 59:
        return time(23, 59, 59)
    return time(h, mi)


def _deadline(notice: str, notice_date: date | None) -> datetime | None:
    if not notice:
        return None
    for rx in _DEADLINE_RES:
        m = rx.search(notice)
        if not m:
            continue
        y, mo, d, hh, mm = (m.groups() + (None, None))[:5]
        month, day_of_month = int(mo), int(d)
        year = int(y) if y else _deadline_year(m, month, day_of_month, notice_date)
        if not _is_date(year, month, day_of_month):
            continue
        return datetime.combine(date(year, month, day_of_month), _deadline_time(m, hh, mm), tzinfo=TZ)
    return None


# --------------------------------------------------------------------------- main


def _lines_and_paras(text: str, st: _State) -> list[_Para]:
    lines = _line_pass(text, st)
    return _paragraph_pass(lines)


def debris_lines(text: str) -> list[str]:
    """The source lines that the parser drops as web-page debris (or as a repeated copy)."""
    st = _State()
    _line_pass(text or "", st)
    return [r.text for r in st.dropped]


def _signature_issuer(paras: list[_Para], d: int) -> int | None:
    """If paragraph ``d`` is the date of a signature, the index of the issuer line."""
    if not _date_from_line(paras[d].text):
        return None
    j = d - 1
    if j >= 0 and _SEAL_RE.match(paras[j].text):
        j -= 1
    if j < 0:
        return None
    t = paras[j].text
    if paras[j].kind != "text" or len(squeeze(t)) > 40 or re.search(r"[。，,；;：:]", t):
        return None
    if match_label(t) or _date_from_line(t) or _META_RE.match(t) or _DOC_NO_RE.match(t):
        return None
    return j


def _skip_numbered_notice(paras: list[_Para], start: int) -> int:
    """A notice may number its own items ("1.登录网站…", "2.通过信函…") before the signature:
    when a signature (issuer + date) follows within a few paragraphs, the notice is preceded by
    notice wording, and numbered headings follow the signature, the body starts after it."""
    for d in range(start + 1, min(len(paras), start + 16)):
        j = _signature_issuer(paras, d)
        if j is None or j < start:
            continue
        before = "\n".join(p.text for p in paras[:j])
        if not _NOTICE_KW_RE.search(before):
            return start
        return _body_after(paras, start, j, d)
    return _skip_numbered_notice_before_title(paras, start)


def _body_after(paras: list[_Para], start: int, notice_end: int, last: int) -> int:
    """Where the body starts when the notice's own numbered items run from ``start`` to ``notice_end`` and the notice
    ends with paragraph ``last``: the first numbered heading after it; ``start`` after all when those items hold a
    heading line (they are the draft's, not the notice's) or no heading follows."""
    if any(p.kind == "text" and is_heading_line(p.text) for p in paras[start:notice_end]):
        return start
    return next((k for k in range(last + 1, len(paras)) if paras[k].kind == "text" and match_label(paras[k].text)),
                start)


def _skip_numbered_notice_before_title(paras: list[_Para], start: int) -> int:
    """A numbered notice without a signature ("公众可以通过以下途径…：一、登录网站… 二、通过电子邮件…"), followed
    by the draft's title as the notice names it (《…》): the body starts at the first numbered heading after
    the title (the notice's items, its deadline and contact stay in the notice)."""
    before = "\n".join(p.text for p in paras[:start])
    if not _NOTICE_KW_RE.search(before):
        return start
    titles = {squeeze(title) for title in re.findall(r"《([^《》]{4,80})》", before)}
    for d in range(start + 1, min(len(paras), start + 16)):
        if paras[d].kind == "text" and squeeze(paras[d].text).strip("《》") in titles:
            return _body_after(paras, start, d, d)
    return start


def parse_draft(text: str) -> ParsedDraft:
    if text is None or not _strip(text.replace("\n", " ")):
        raise DraftParseError("empty")
    st = _State()
    paras = _lines_and_paras(text, st)
    if not paras:
        raise DraftParseError("empty")

    # the body starts at the first numbered heading
    start = None
    for k, p in enumerate(paras):
        if p.kind == "text" and match_label(p.text):
            start = k
            break
    if start is None:
        raise DraftParseError("no_headings")
    start = _skip_numbered_notice(paras, start)

    result = ParsedDraft()
    front = []
    for p in paras[:start]:
        if p.kind == "table":
            if p.table_cells and any(any(c for c in g) for g in p.table_cells):
                header, rows = _build_table(p, st)
                result.tables.append(Table(None, [], header, rows, p.no))
            else:
                for ln in p.lines:
                    st.drop(ln, "empty_table")
        else:
            front.append(p)
    fr = _front_matter(front, st)
    result.title = fr.title or ""
    result.issuer = fr.issuer
    result.notice_date = fr.notice_date
    result.addressee = fr.addressee
    result.notice = "\n".join(fr.notice)
    result.preamble = "\n".join(fr.preamble)

    # closing remark: the last paragraph
    body = paras[start:]
    if body and body[-1].kind == "text" and _CLOSING_RE.search(body[-1].text) \
            and not match_label(body[-1].text):
        result.closing_remark = body[-1].text
        body = body[:-1]

    # a signature at the end of the body (before the appendices): issuer and date
    end = next((k for k, p in enumerate(body) if p.kind == "appendix_head"), len(body))
    if end >= 3 and not fr.signed:
        j = _signature_issuer(body, end - 1)
        if j is not None and j >= 1 and not match_label(body[j].text):
            result.issuer = body[j].text
            result.notice_date = _date_from_line(body[end - 1].text)
            st.consume(body[j].lines, "issuer")
            for k in range(j + 1, end - 1):
                st.consume(body[k].lines, "seal")
            st.consume(body[end - 1].lines, "date")
            body = body[:j] + body[end:]

    b = _Builder(st)
    standalone_appendix = any(p.kind == "appendix_head" for p in body)
    await_title: Section | None = None
    title_parts = 0
    attach_lists: list[tuple[Section, int, _Para]] = []  # "附件：1. … 2. …" before the appendices themselves
    for idx, p in enumerate(body):
        t = p.text
        if p.kind == "table":
            if not p.table_cells or not any(any(c for c in g) for g in p.table_cells):
                for ln in p.lines:
                    st.drop(ln, "empty_table")
                continue
            header, rows = _build_table(p, st)
            sec = b.current
            title = None
            if sec is not None:
                parts = b.parts.get(id(sec), [])
                if parts and len(parts[-1]) <= 60 and "。" not in parts[-1]:
                    title = parts[-1]
                elif sec.kind == "appendix" or not parts:
                    title = sec.heading or None
            result.tables.append(Table(title, b.path(), header, rows, p.no))
            await_title = None
            continue
        if await_title is not None:
            if p.kind == "text" and _title_like(t) and title_parts < 3 \
                    and len(await_title.heading) + len(t) <= 80 and not match_label(t) \
                    and not _TITLE_END_RE.search(await_title.heading):
                await_title.heading += t
                title_parts += 1
                continue
            await_title = None
        if p.kind == "appendix_head":
            m = _APPENDIX_RE.match(t)
            num = cn_to_int(m.group(1)) if m.group(1) else None
            sec = b.open_appendix(squeeze(t), num, p.no)
            await_title = sec
            title_parts = 0
            continue
        if p.kind == "text":
            mu = _UNITS_LINE_RE.match(t)
            if mu and b.current is not None \
                    and not (mu.group(1) in _ORGANISER_LABELS and b.in_appendix):
                _add_units(b.current, read_units(mu.group(2), lead=mu.group(1) in _LEAD_LABELS))
                st.consume(p.lines, "units_line")
                continue
            if not standalone_appendix and b.top:
                mi = _APPENDIX_INLINE_RE.match(t)
                nxt = body[idx + 1].text if idx + 1 < len(body) else ""
                if mi and not _APPENDIX_INLINE_RE.match(nxt):
                    sec = b.open_appendix(squeeze(t[:mi.start(2)]).rstrip(":："),
                                          cn_to_int(mi.group(1)), p.no)
                    sec.heading = mi.group(2)
                    continue
            lab = match_label(t)
            if lab is not None:
                heading, rest, run_in = split_heading(lab.style, lab.rest)
                b.open(lab, heading, rest, run_in, p.no)
                continue
        # ordinary text (and the in-body attachment list)
        if b.current is None:
            result.preamble = "\n".join(x for x in (result.preamble, t) if x)
        else:
            if p.kind == "attach_list" and standalone_appendix:
                attach_lists.append((b.current, len(b.parts[id(b.current)]), p))
            b.add_text(t)

    _drop_listed_appendices(b, attach_lists, st)
    result.sections = b.finish()
    for s in result.iter_sections():
        if s.kind == "section":
            _add_units(s, read_units_in_text(s.heading + s.text))
    _carry_units(result.sections, st)

    # notice fields, read from the notice with its headline
    notice = "\n".join(part for part in (fr.headline, result.notice) if part)
    result.contact = _contact(notice)
    result.deadline = _deadline(notice, result.notice_date)
    result.is_draft_for_comment = "征求意见稿" in result.title or bool(
        re.search(r"征求意见|修改意见|意见建议|意见和建议|反馈意见|提出意见", notice)
    )
    if result.deadline is None:
        st.warn("deadline_missing", None,
                "没有找到征求意见的截止日期，请在发布前手工填写。")
    if not result.title:
        st.warn("title_missing", None, "没有找到文件标题，请手工填写。")
    result.warnings = sorted(st.warnings, key=lambda w: (w.line is None, w.line or 0))
    result.dropped_lines = st.dropped
    result.consumed_lines = st.consumed
    return result
