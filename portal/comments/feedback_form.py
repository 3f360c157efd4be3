"""The feedback form (意见反馈表): a spreadsheet a reader fills in, one opinion a row, and sends by e-mail or letter;
the drafting office then imports the filled form (or its own list of opinions received) in one go.

Notices often ask for opinions "填写意见反馈表后发送至……". The portal offers the form for each consultation, with the
draft's sections in a drop-down list, and reads it back: the columns found by their names (the form's own, or the
usual names of an office's list), the section by its name or its numbering, the position by its word. Pure: no
app context but the messages' language.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from portal.comments.organisations import KIND_NAMES, ORGANISATION_MAX, named_organisation
from portal.comments.proposals import PROPOSAL_MAX, clean_proposal
from portal.comments.quotes import QUOTE_MAX, clean_quote
from portal.core.spreadsheets import UnreadableTable, read_numbered_table
from portal.core.time import SHANGHAI
from portal.core.xmltext import xml_text

WHOLE_DRAFT = "草案整体"
FORM_ROWS = 200  # rows offered with drop-down lists
# rows of a file read at most (the form's title, notice and header, its rows, and a hundred added): one e-mailed
# file had become 3,000 opinions, and a 600 kB sheet declaring millions of rows held the import for minutes
MAX_ROWS = FORM_ROWS + 100
# rows of the office's own list read at most (an office typing in thousands of letters): its staff upload it, not
# anyone who can send an e-mail
OFFICE_LIST_MAX_ROWS = 5000
# The form's columns, and the other names an office's own list may give them (compared without spaces)
COLUMNS = {
    "section": ("针对的章节", "章节", "条款", "条目", "部分", "涉及章节", "涉及条款", "意见针对的章节"),
    "quote": ("针对的原文", "针对原文", "引用原文", "原文", "原文内容", "原条款", "原条文", "条款内容", "原条款内容", "涉及原文"),
    "stance": ("态度",),
    "body": ("意见内容", "意见", "意见建议", "修改意见", "修改建议", "具体意见", "意见和建议"),
    "proposal": ("建议修改为", "修改为", "建议改为", "修改后条文", "修改后的条文", "修改后内容", "修改后的内容", "建议条文",
                 "建议修改后的内容", "建议修改后的条文"),
    "reason": ("理由", "修改理由", "理由说明", "依据"),
    "author": ("提出人（个人姓名）", "提出人（个人姓名或单位名称）", "提出人", "姓名", "姓名或单位名称", "意见提出人", "经办人"),
    # on whose behalf (以单位名义; portal/comments/organisations.py): a 提出人 naming an organisation counts too
    "organisation": ("提出单位（以单位名义提的填写）", "提出单位", "单位", "单位名称", "所在单位", "提出意见单位", "反馈单位"),
    "organisation_kind": ("单位类别", "单位性质", "单位类型"),
    "question": ("针对的问题", "针对的重点问题", "重点问题"),
    "contact": ("联系方式", "联系电话", "电话", "电子邮箱", "邮箱"),
    "received_on": ("收到日期", "日期", "来信日期"),
    "channel": ("收到方式", "方式", "渠道"),
}
OTHER_COLUMNS = "“针对的章节”“针对的原文”“态度”“建议修改为”“理由”“提出人”“联系方式”“收到日期”“收到方式”"  # for messages
FORM_HEADERS = ["针对的章节", "针对的原文", "态度", "意见内容", "建议修改为", "理由", "提出人（个人姓名）", "联系方式",
                "提出单位（以单位名义提的填写）", "单位类别"]
STANCE_WORDS = {"赞成": "support", "支持": "support", "同意": "support", "反对": "oppose", "不赞成": "oppose",
                "不同意": "oppose", "建议": "suggest", "修改建议": "suggest", "": "suggest"}
CHANNEL_WORDS = {"电子邮件": "email", "邮件": "email", "电子邮箱": "email", "信函": "letter", "来信": "letter",
                 "信件": "letter", "传真": "fax", "电话": "phone", "当面提交": "in_person", "当面": "in_person",
                 "来访": "in_person", "座谈会": "meeting", "听证会": "meeting", "论证会": "meeting", "会议": "meeting"}
# a day, with the time it came when the list gives one (a telephone log's 2023-05-12 17:05, an Excel date-time cell's
# 2023-05-12 17:05:00); 00:00 is an Excel date cell's (no time given)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:(?:\s+|T|\s*日?\s*)(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2})(?:\.\d+)?)?\s*[分秒]?)?$")
_SPACES = re.compile(r"\s+")


def section_choices(sections) -> list[tuple[str, object]]:
    """(name in the drop-down list, section) for every section of a draft, in order: each named by its title, after
    its parents' numbering ("二、（一）完善服务网络"), so that no two share a name."""
    return [("".join(a.label for a in section.ancestors()) + section.title, section) for section in sections]


FILE_SUFFIX = "-意见反馈表.xlsx"


def form_notice(deadline: str, emails: list[str], address: str | None, link: str) -> str:
    """What to do with the form, written on it: how to fill it in, where to send it and by when."""
    where = "、".join([f"电子邮箱 {email}" for email in emails] + ([f"通信地址 {address}"] if address else []))
    return ("请在下表中填写意见，每行一条。“针对的章节”可从下拉列表中选择，不选表示对草案整体的意见；"
            "“针对的原文”可以从草案中复制您要提意见的那句话，“建议修改为”可以写出您建议的文字，都可以不填。"
            + (f"填好后请于{deadline}前发送至{where}。" if where else f"请于{deadline}前报送。")
            + f"也可以直接在网上发表意见：{link}")


def feedback_form(title: str, sections, notice: str, questions=()) -> bytes:
    """The blank form for a consultation (XLSX): a title, what to do with it (``notice``), the columns, and
    FORM_ROWS rows whose section and position cells offer the draft's sections and the three positions; with the
    consultation's key questions (重点问题), a last column offering them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "意见反馈表"
    choices = workbook.create_sheet("章节")
    choices.sheet_state = "hidden"
    names = [WHOLE_DRAFT] + [name for name, _section in section_choices(sections)]
    for number, name in enumerate(names, start=1):
        _text_cell(choices.cell(row=number, column=1), name)
    headers = FORM_HEADERS + (["针对的问题"] if questions else [])
    width = len(headers)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    _text_cell(sheet["A1"], f"《{title}》意见反馈表")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    _text_cell(sheet["A2"], notice)
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 60
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=3, column=column, value=header)
        cell.font = Font(bold=True)
    for letter, size in zip("ABCDEFGHIJK", (34, 34, 8, 60, 34, 40, 24, 24, 30, 16, 40)):
        sheet.column_dimensions[letter].width = size
    last = 3 + FORM_ROWS
    for row in sheet.iter_rows(min_row=4, max_row=last, min_col=1, max_col=width):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    section_list = DataValidation(type="list", formula1=f"=章节!$A$1:$A${len(names)}", allow_blank=True)
    stance_list = DataValidation(type="list", formula1='"赞成,反对,建议"', allow_blank=True)
    section_list.add(f"A4:A{last}")
    stance_list.add(f"C4:C{last}")
    kind_list = DataValidation(type="list", formula1=f'"{",".join(KIND_NAMES.values())}"', allow_blank=True)
    kind_list.add(f"J4:J{last}")
    sheet.add_data_validation(section_list)
    sheet.add_data_validation(stance_list)
    sheet.add_data_validation(kind_list)
    if questions:
        asked = workbook.create_sheet("问题")
        asked.sheet_state = "hidden"
        for number, question in enumerate(questions, start=1):
            _text_cell(asked.cell(row=number, column=1), f"问题{number}：{question}")
        question_list = DataValidation(type="list", formula1=f"=问题!$A$1:$A${len(questions)}", allow_blank=True)
        question_list.add(f"K4:K{last}")
        sheet.add_data_validation(question_list)
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(cell, value: str) -> None:
    """Text that stays text: openpyxl would store a value starting with "=" as a formula."""
    cell.value = xml_text(value)
    cell.data_type = "s"


class FeedbackFileError(ValueError):
    """The file cannot be imported; ``messages``: what is wrong, each naming its row. ``too_long``: a list of
    opinions, but with more rows than MAX_ROWS."""

    def __init__(self, messages: list[str], too_long: bool = False):
        super().__init__("\n".join(messages))
        self.messages = messages
        self.too_long = too_long


@dataclass(frozen=True)
class FeedbackRow:
    line: int  # the row's number in the file
    section: object | None  # a Section of the draft, None: the whole draft
    stance: str
    body: str
    author_name: str | None
    author_contact: str | None
    received_on: date | None  # None: the date the office gives for the whole file
    channel: str | None  # None: the way the office gives for the whole file
    quote: str | None = None  # the words of the draft it is about (checked against the draft by record_comment)
    proposal: str | None = None  # the wording it proposes instead (建议修改为)
    organisation: str | None = None  # on whose behalf (以单位名义), as written; record_comment tidies it
    organisation_kind: str | None = None  # one of ORGANISATION_KINDS, or None: told from the name
    question: int | None = None  # the key question (重点问题) it answers, by number
    received_at: datetime | None = None  # the moment it came, when the row gives a time with its day


def read_feedback(data: bytes, sections, max_length: int, questions=(),
                  max_rows: int = MAX_ROWS) -> tuple[list[FeedbackRow], list[tuple[int, str]]]:
    """The opinions of a filled form or of an office's list, every row checked: the good rows, and the problems of
    the others (row number, message). A file that is no such list is refused (FeedbackFileError). ``questions``:
    the consultation's key questions (重点问题), which a column 针对的问题 names by number or words."""
    try:
        table = read_numbered_table(data, max_rows)
    except UnreadableTable as error:
        raise FeedbackFileError(error.messages, too_long=error.too_long) from error
    found = _header(table)
    if found is None:
        raise FeedbackFileError([_("找不到“%(column)s”一列。请使用本平台的意见反馈表，或在表头写明“%(column)s”（另可有%(others)s）。",
                                   column="意见内容", others=OTHER_COLUMNS)])
    header_at, columns = found
    default_author, default_contact, default_organisation = _form_header(table[:header_at])
    lookup = _section_lookup(sections)
    rows, errors = [], []
    for line, cells in table[header_at + 1:]:
        def get(key: str) -> str:
            position = columns.get(key)
            return cells[position] if position is not None and position < len(cells) else ""

        body, reason = get("body"), get("reason")
        if not body and not reason and not any(get(key) for key in ("quote", "proposal", "author", "contact",
                                                                      "organisation")):
            continue  # a row with only a section or a position chosen from the lists: left blank by the reader
        problems = []
        if not body:
            problems.append(_("没有意见内容"))
        text = body + (f"\n理由：{reason}" if reason else "")
        if len(text) > max_length:
            problems.append(_("意见内容超过 %(limit)s 个字", limit=max_length))
        section_name = get("section")
        section = lookup.get(_key(_articles(section_name)), False) if section_name else None
        if section is False:
            problems.append(_("草案中找不到章节“%(name)s”", name=section_name))
        stance = STANCE_WORDS.get(_key(get("stance")))
        if stance is None:
            problems.append(_("态度应为%(words)s之一", words="赞成、反对、建议"))
        quote = clean_quote(get("quote"))
        if quote is not None and len(quote) > QUOTE_MAX:
            problems.append(_("针对的原文超过 %(limit)s 个字", limit=QUOTE_MAX))
        proposal = clean_proposal(get("proposal"), quote)
        if proposal is not None and len(proposal) > PROPOSAL_MAX:
            problems.append(_("建议修改的文字超过 %(limit)s 个字", limit=PROPOSAL_MAX))
        author, contact = get("author") or default_author, get("contact") or default_contact
        if len(author) > 100:
            problems.append(_("提出人超过 100 个字"))
        if len(contact) > 200:
            problems.append(_("联系方式超过 200 个字"))
        organisation = get("organisation") or default_organisation
        if not organisation and named_organisation(author):  # 提出人: 某某协会, the list's people and organisations alike
            organisation, author = author, ""
        if len(organisation) > ORGANISATION_MAX:
            problems.append(_("提出单位超过 %(limit)s 个字", limit=ORGANISATION_MAX))
        received_on, received_at = _received(get("received_on")) if get("received_on") else (None, None)
        if get("received_on") and received_on is None:
            problems.append(_("收到日期“%(value)s”无法识别（请写成 2023-05-11）", value=get("received_on")))
        channel = CHANNEL_WORDS.get(_key(get("channel"))) if get("channel") else None
        if get("channel") and channel is None:
            problems.append(_("收到方式应为%(words)s之一", words="电子邮件、信函、传真、电话、当面提交"))
        question = _question(get("question"), questions)
        if question is False:
            problems.append(_("没有“%(value)s”这个重点问题", value=get("question")))
        if problems:
            errors.append((line, _("第%(line)d行：%(problems)s。", line=line, problems=_("；").join(problems))))
            continue
        rows.append(FeedbackRow(line, section, stance, text, author or None, contact or None, received_on, channel,
                                quote, proposal, organisation or None, _kind(get("organisation_kind")), question,
                                received_at))
    if not rows and not errors:
        raise FeedbackFileError([_("表中没有填写意见。")])
    return rows, errors


def _key(text: str) -> str:
    """Compared without spaces, with ASCII parentheses and stops read as the full-width ones drafts use."""
    return _SPACES.sub("", text).replace("(", "（").replace(")", "）").replace(",", "，").replace(".", "．")


def _header(table) -> tuple[int, dict[str, int]] | None:
    """The first row naming the opinion's column (the form has a title and a notice above it), and the columns."""
    names = {_key(name): key for key, words in COLUMNS.items() for name in words}
    for at, (_line, cells) in enumerate(table[:20]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(cells):
            key = names.get(_key(cell))
            if key is not None and key not in columns:
                columns[key] = position
        if "body" in columns:
            return at, columns
    return None


_ARTICLE = re.compile(r"第\s*(\d{1,3})\s*(条|章|节|部分)")
AUTHOR_WORDS = ("姓名", "提出人", "姓名或单位名称", "单位或姓名", "意见提出人", "反馈人", "联系人", "经办人")
ORGANISATION_WORDS = ("单位", "提出单位", "单位名称", "提出意见单位", "反馈单位")
# a 单位类别 column's words: the form's list (KIND_NAMES), and what an office's own list may write
KIND_WORDS = {**{name: kind for kind, name in KIND_NAMES.items()}, "公司": "enterprise", "行业协会": "association",
              "商会": "association", "行业协会商会": "association", "协会": "association", "社会团体": "social",
              "基金会": "social", "机关": "public", "事业单位": "public", "机关事业单位": "public", "政府部门": "public",
              "其他": "other"}


def _question(value: str, questions) -> int | None | bool:
    """The key question a cell names: its number (2, 问题2, 问题二) or its words; None when empty, False when it names
    none the consultation asked."""
    value = _key(value).rstrip("？?")
    if not value:
        return None
    for position, question in enumerate(questions, start=1):
        if _key(question).rstrip("？?") == value:
            return position
    number = re.fullmatch(r"(?:问题|第)?([0-9]{1,2}|[一二三四五六七八九十]{1,3})(?:个问题)?(?:[：:].*)?", value)
    if number is None:
        return False
    from portal.drafts.docx_numbering import chinese_number

    digits = number.group(1)
    found = int(digits) if digits.isdecimal() else next(
        (n for n in range(1, len(questions) + 1) if chinese_number(n) == digits), 0)
    return found if 1 <= found <= len(questions) else False


def _kind(value: str) -> str | None:
    """A kind written in a list's 单位类别 column (企业, 行业协会 …), or None (told from the name)."""
    return KIND_WORDS.get(_key(value)) if value else None


CONTACT_WORDS = ("联系方式", "联系电话", "电话", "手机", "电子邮箱", "邮箱", "联系人电话")


def _articles(text: str) -> str:
    """"第3条" → "第三条": as the draft numbers its articles."""
    from portal.drafts.docx_numbering import chinese_number

    return _ARTICLE.sub(lambda m: f"第{chinese_number(int(m[1]))}{m[2]}", text)


def _form_header(rows) -> tuple[str, str, str]:
    """Who sent the form and how to reach them, when it says so above its table of opinions (a Word form's first row:
    "姓名 | 张三 | 联系电话 | 138…", or "单位（盖章）：某某协会"): every row's author, contact and organisation unless the
    row has its own."""
    found = {"author": "", "contact": "", "organisation": ""}
    words = {**{_key(w): "author" for w in AUTHOR_WORDS}, **{_key(w): "contact" for w in CONTACT_WORDS},
             **{_key(w): "organisation" for w in ORGANISATION_WORDS}}
    for _line, cells in rows:
        for position, cell in enumerate(cells):
            name, colon, value = cell.replace(":", "：").partition("：")
            key = words.get(_key(name.removesuffix("（盖章）").removesuffix("(盖章)")))
            if key is None or found[key]:
                continue
            if colon and value.strip():
                found[key] = value.strip()
            elif position + 1 < len(cells) and cells[position + 1] and _key(cells[position + 1]) not in words:
                found[key] = cells[position + 1]
    return found["author"][:100], found["contact"][:200], found["organisation"][:ORGANISATION_MAX]


def _section_lookup(sections) -> dict[str, object]:
    """Names a reader may give a section → the section: the form's names, the titles and the numbering paths that
    only one section has, and the words for the whole draft."""
    lookup: dict[str, object] = {}
    ambiguous: set[str] = set()
    choices = section_choices(sections)
    for name, section in choices:
        lookup[_key(name)] = section
        path = "".join(a.label for a in section.ancestors()) + section.label
        for alias in {_key(section.title), _key(path), _key(section.label + section.heading), _key(section.label)}:
            if alias in lookup and lookup[alias] is not section:
                ambiguous.add(alias)
            lookup.setdefault(alias, section)
    for alias in ambiguous:
        lookup.pop(alias, None)
    for name, section in choices:  # a full name always wins
        lookup[_key(name)] = section
    for word in (WHOLE_DRAFT, "全文", "整体", "总体", "草案全文", "总体意见"):
        lookup[_key(word)] = None
    return lookup


def _moment(text: str) -> datetime | None:
    """The day written, as a naive datetime: at the time written, else at 00:00 (read as no time given)."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4] or 0), int(match[5] or 0),
                        int(match[6] or 0))
    except ValueError:
        return None


def _received(text: str) -> tuple[date | None, datetime | None]:
    """The day and, when a time is written, the moment (Asia/Shanghai) of a 收到日期 cell; (None, None): unreadable."""
    when = _moment(text)
    if when is None:
        return None, None
    if (when.hour, when.minute, when.second) == (0, 0, 0):
        return when.date(), None
    return when.date(), when.replace(tzinfo=SHANGHAI)
