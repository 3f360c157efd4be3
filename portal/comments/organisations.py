"""Comments made on behalf of an organisation (以单位名义提出的意见).

Enterprises, trade associations, social organisations and public bodies answer consultations as well as people, and
offices report them apart: "共收到意见30条，其中个人意见24条、单位意见6条（企业4家、行业协会2家）". A comment made on
behalf of one carries the organisation's name, shown publicly as its signature, and its kind. The kind may be left
unchosen (a feedback form's column 单位 gives the name alone): it is then told from the name (``kind_from_name``),
some 有限公司 being an enterprise, some 协会 an association.

Pure: no app context, but for the labels, which are lazy.
"""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

ORGANISATION_MAX = 100  # characters: the longest registered names run to some 60

# the kinds, in the order the form and the statistics give them
ORGANISATION_KINDS = ("enterprise", "association", "social", "public", "other")
KIND_LABELS = {
    "enterprise": _l("企业"),
    "association": _l("行业协会、商会"),
    "social": _l("社会组织"),
    "public": _l("机关、事业单位"),
    "other": _l("其他单位"),
}

# the kinds' names in the office's documents (digests, the feedback report), which are in Chinese whatever the reader's
# language
KIND_NAMES = {"enterprise": "企业", "association": "行业协会、商会", "social": "社会组织", "public": "机关、事业单位",
              "other": "其他单位"}
# and in the English mails, whose templates are written per language rather than translated
KIND_NAMES_EN = {"enterprise": "enterprise", "association": "trade association or chamber of commerce",
                 "social": "social organisation", "public": "government body or public institution",
                 "other": "other organisation"}

# what a name says of its kind, tried in this order (the first kind whose words the name holds); a name ending in
# 协会 is an association whatever it is of (某某科技企业协会), a 政务服务中心 a public body, not a social organisation.
# 厂, 局, 厅 … but not 厂长, 局长: a person signed with their title (王局长) is no organisation
_KIND_PATTERNS = tuple((kind, re.compile("|".join(words))) for kind, words in (
    ("association", ("协会", "商会", "同业公会", "工商联", "工商业联合会")),
    ("enterprise", ("公司", "企业", "集团", "工厂", "厂(?!长)", "商行", "事务所", "合作社", "银行", "酒店", "宾馆", "超市",
                    "药店", "药房", "诊所", "门市", "商店", "个体工商户", "有限合伙")),
    ("public", ("人民政府", "政府", "人大", "政协", "委员会", "管委会", "局(?!长)", "厅(?!长)", "署(?!长)", "办公室",
                "办事处", "街道", "法院", "检察院", "党委", "党组", "总工会", "妇联", "共青团", "团委", "医院", "卫生院",
                "学校", "大学", "学院", "中学", "小学", "幼儿园", "研究院", "研究所", "事业单位", "政务服务中心")),
    ("social", ("基金会", "学会", "研究会", "促进会", "联合会", "联谊会", "志愿", "公益", "社会组织", "民办非企业",
                "社会工作", "服务社", "服务中心", "俱乐部")),
))
# what offices write around a name in their forms: （盖章）, 单位名称：
_STAMP = re.compile(r"[（(]\s*(?:盖章|公章|签章|盖公章)\s*[）)]|^\s*(?:单位名称|单位|提出单位)\s*[:：]")
_BLANKS = {"无", "个人", "/", "-", "—", "无单位", "none", "n/a"}


def clean_organisation(name: str | None) -> str | None:
    """An organisation's name as kept: its white space tidied and what forms write around it (（盖章）, 单位名称：)
    left out; None when nothing is left or it says no organisation (无, 个人)."""
    if not name:
        return None
    cleaned = " ".join(_STAMP.sub("", name).split())
    if not cleaned or cleaned.lower() in _BLANKS:
        return None
    return cleaned


def kind_from_name(name: str) -> str:
    """The kind of an organisation as its name says it (see ``_KIND_PATTERNS``); ``other`` when it says none."""
    return next((kind for kind, pattern in _KIND_PATTERNS if pattern.search(name)), "other")


def named_organisation(name: str) -> bool:
    """Whether a name (a feedback form's 提出人, which may be a person or an organisation) names an organisation: it
    holds the words of one kind (some 有限公司, 协会, 局)."""
    return any(pattern.search(name) for _kind, pattern in _KIND_PATTERNS)


def organisation_of(name: str | None, kind: str | None) -> tuple[str | None, str | None]:
    """(name, kind) as stored: the name cleaned, the kind as chosen when it is one of ``ORGANISATION_KINDS``, else
    told from the name; (None, None) without a name (a kind chosen for no organisation means nothing)."""
    cleaned = clean_organisation(name)
    if cleaned is None:
        return None, None
    return cleaned, kind if kind in ORGANISATION_KINDS else kind_from_name(cleaned)


def organisation_key(name: str) -> str:
    """An organisation's name compared for counting organisations: NFKC, without spaces and brackets' forms, so that
    "某某 协会" and "某某协会" are one."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", name))


def signed(name: str | None, organisation: str | None, anonymous: str = "匿名") -> str:
    """Who made a comment, in a document's words: the name signed, or ``anonymous``; on behalf of an organisation the
    organisation, the name signed after it: "某某协会（张三）"."""
    if organisation:
        return f"{organisation}（{name}）" if name else organisation
    return name or anonymous
