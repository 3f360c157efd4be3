"""What moderators and citizens read for each code: reasons, flags, statuses, actions."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

HIDE_REASON_LABELS = {
    "abuse": _l("含有辱骂或人身攻击内容"),
    "privacy": _l("含有他人个人信息"),
    "illegal": _l("含有违法违规内容"),
    "off_topic": _l("与本次征求意见无关"),
    "duplicate": _l("重复提交"),
    "impersonation": _l("冒用他人或单位名义"),
    "other": _l("其他原因"),
}
REPORT_REASON_LABELS = {
    "abuse": _l("辱骂或人身攻击"),
    "privacy": _l("泄露他人个人信息"),
    "illegal": _l("违法违规内容"),
    "spam": _l("广告或垃圾信息"),
    "off_topic": _l("与本次征求意见无关"),
    "impersonation": _l("冒用他人或单位名义"),
    "other": _l("其他"),
}
FLAG_LABELS = {
    "sensitive": _l("含敏感词"),
    "link": _l("含链接"),
    "repeated": _l("大量重复字符"),
    "burst": _l("同一地址短时间内多次提交"),
    "reported": _l("被举报"),
    "personal": _l("含个人信息（电话、身份证号、邮箱）"),
}
STATUS_LABELS = {
    "pending": _l("待审核"),
    "approved": _l("已公开"),
    "hidden": _l("已隐藏"),
    "spam": _l("垃圾信息"),
    "withdrawn": _l("已撤回"),
}
ACTION_LABELS = {
    "approve": _l("通过"),
    "hide": _l("隐藏"),
    "spam": _l("标为垃圾信息"),
    "restore": _l("恢复公开"),
    "mask": _l("遮盖个人信息并通过"),
    "set_moderation_mode": _l("更改审核方式"),
    "add_sensitive_words": _l("添加敏感词"),
    "remove_sensitive_word": _l("删除敏感词"),
}
MODE_LABELS = {
    "pre": _l("先审后发（默认）"),
    "post": _l("先发后审"),
}
# a comment's stance as a value ("Stance: Suggestion"); the comment form's radio button says "Suggest"
STANCE_LABELS = {"support": _l("赞成"), "oppose": _l("反对"), "suggest": lazy_pgettext("stance", "建议")}
CHANNEL_LABELS = {  # portal/comments/models.py: CHANNELS
    "web": _l("网上提交"),
    "email": _l("电子邮件"),
    "letter": _l("信函"),
    "fax": _l("传真"),
    "phone": _l("电话"),
    "in_person": _l("当面提交"),
    "meeting": _l("座谈会等会议上提出"),
}


def withheld_notice(comment) -> str:
    """What the public reads in place of a withheld comment that has public replies."""
    if comment.status == "hidden":
        reason = HIDE_REASON_LABELS.get(comment.hidden_reason or "other", HIDE_REASON_LABELS["other"])
        return _("该意见因%(reason)s未予公开。", reason=reason)
    if comment.status == "spam":
        return _("该意见因被认定为广告或垃圾信息未予公开。")
    if comment.status == "withdrawn":
        return _("该意见已由提出人撤回。")
    return _("该意见暂未公开。")
