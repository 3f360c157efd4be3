"""Word's automatic numbering, written out as text.

Offices often number headings with Word's list numbering (一、 （一） 1. 第一条 …): the numbers are then not
in the paragraph text, and python-docx does not render them. This module reads numbering.xml and gives each
numbered paragraph its label as Word shows it, so the parser sees the same text a reader sees.
Pure apart from reading python-docx's XML elements.
"""
from __future__ import annotations

import re

from docx.oxml.ns import qn

CHINESE_DIGITS = "零一二三四五六七八九"
CHINESE_FORMATS = {
    "chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional",
    "taiwaneseCounting", "taiwaneseCountingThousand", "japaneseCounting", "koreanCounting",
}
ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
         (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as Chinese documents count)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return CHINESE_DIGITS[n]
    if n < 20:
        return "十" + (CHINESE_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CHINESE_DIGITS[n // 10] + "十" + (CHINESE_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + CHINESE_DIGITS[rest] if rest < 10 else
                                     (CHINESE_DIGITS[rest // 10] + "十" + (CHINESE_DIGITS[rest % 10] if rest % 10 else "")))
        return CHINESE_DIGITS[n // 100] + "百" + tail
    return str(n)


def format_number(n: int, fmt: str) -> str:
    if fmt in CHINESE_FORMATS:
        return chinese_number(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        out, rest = "", n
        for value, numeral in ROMAN:
            while rest >= value:
                out, rest = out + numeral, rest - value
        return out.upper() if fmt == "upperRoman" else out
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    return str(n)  # decimal, decimalFullWidth and anything unknown


def _val(element, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


class Numbering:
    """Counts numbered paragraphs in document order and renders their labels."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → ilvl → (numFmt, lvlText, start)
        self.counters: dict[str, list[int]] = {}
        self.styles = document.styles.element if document.styles is not None else None
        # numbering given by a paragraph style, by style id: python-docx finds a paragraph's style by
        # scanning all the styles, which for every paragraph made a long document slow (20,000: 21 s)
        self.style_num_pr: dict[str | None, object] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in node.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                levels[ilvl] = (_val(lvl, "w:numFmt") or "decimal", _val(lvl, "w:lvlText") or "",
                                int(_val(lvl, "w:start") or 1))
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            levels = dict(abstract.get(_val(num, "w:abstractNumId"), {}))
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = _val(override, "w:startOverride")
                if start is not None and ilvl in levels:
                    fmt, text, _start = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start))
            self.levels[num.get(qn("w:numId"))] = levels

    def _num_pr(self, paragraph) -> tuple[str, int] | None:
        ppr = paragraph._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is None:
            num_pr = self._style_num_pr(paragraph)
        if num_pr is None or num_pr.numId is None:
            return None
        num_id = str(num_pr.numId.val)
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        if num_id == "0" or num_id not in self.levels:
            return None
        return num_id, int(ilvl)

    def _style_num_pr(self, paragraph):
        """The numbering of the paragraph's style or of a style it is based on, or None."""
        style_id = paragraph._p.style  # None: the default paragraph style
        if style_id not in self.style_num_pr:
            num_pr, style = None, paragraph.style
            while style is not None and num_pr is None:
                style_ppr = style.element.pPr
                num_pr = style_ppr.numPr if style_ppr is not None else None
                style = style.base_style
            self.style_num_pr[style_id] = num_pr
        return self.style_num_pr[style_id]

    def label(self, paragraph) -> str:
        """The label Word shows before ``paragraph`` ("一、", "（二）", "3.", "第四条 "), or ""."""
        found = self._num_pr(paragraph)
        if found is None:
            return ""
        num_id, ilvl = found
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        fmt, _text, start = levels[ilvl]
        counters[ilvl] = start if counters[ilvl] == 0 else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if fmt in ("bullet", "none"):
            return ""

        def number(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            level_fmt, _t, level_start = levels.get(level, ("decimal", "", 1))
            return format_number(counters[level] or level_start, level_fmt)

        label = re.sub(r"%([1-9])", number, levels[ilvl][1])
        return label + (" " if label and label[-1] in "条章节" else "")
