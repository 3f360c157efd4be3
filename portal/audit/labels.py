"""What each action of the audit log is called on its page (the log itself keeps the codes)."""
from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    # moderation
    "approve": _l("审核通过"),
    "hide": _l("隐藏"),
    "spam": _l("标为垃圾信息"),
    "restore": _l("恢复显示"),
    "set_moderation_mode": _l("设置审核方式"),
    "add_sensitive_words": _l("添加敏感词"),
    "remove_sensitive_word": _l("删除敏感词"),
    # the drafting office
    "upload": _l("上传草案"),
    "load_sample": _l("加载示例草案"),
    "edit": _l("修改草案或通知"),
    "merge_section": _l("把误读的标题并入上一部分"),
    "split_section": _l("从正文中的一行另起一部分"),
    "terms": _l("修改术语解释"),
    "publish": _l("发布征求意见"),
    "set_previous_round": _l("设定接续的上一轮征求意见（再次征求意见）"),
    "request_publication": _l("提交审核发布"),
    "approve_publication": _l("审核通过并发布"),
    "return_publication": _l("退回发布申请"),
    "cancel_publication_request": _l("撤回发布申请"),
    "supersede_publication_request": _l("不再需要审核，直接发布"),
    "extend": _l("延长截止时间"),
    "withdraw": _l("撤回发布"),
    "revise": _l("发布修改稿"),
    "record_comment": _l("录入其他方式收到的意见"),
    "import_emails": _l("导入电子邮件收到的意见"),
    "mailbox": _l("设置收取的邮箱"),
    "remove_mailbox": _l("停止收取邮箱"),
    "export_archive": _l("下载归档材料"),
    "remind_units": _l("提醒责任单位提出建议"),
    "renew_advice_links": _l("更换责任单位的处理建议链接"),
    "move_comment": _l("改归其他章节"),
    "mask": _l("遮盖个人信息并通过"),
    "explanatory_note": _l("修改起草说明"),
    "questions": _l("修改重点问题"),
    "add_file": _l("公布相关文件"),
    "remove_file": _l("删除相关文件"),
    "routing_settings": _l("设置意见发送方式"),
    "respond": _l("答复意见"),
    "publish_responses": _l("公布答复"),
    "meeting": _l("安排座谈会、听证会"),
    "change_meeting": _l("修改会议安排"),
    "cancel_meeting": _l("取消会议"),
    "meeting_minutes": _l("公布会议情况"),
    "decide_registration": _l("确定会议参加人员"),
    "promote_registration": _l("候补报名人递补参加会议"),
    "unwait_registration": _l("会议不再先报先得：候补报名改由组织单位确定"),
    "register_for": _l("代为报名参加会议"),
    "export_registrations": _l("下载会议报名名单"),
    "publish_final": _l("公布正式文件"),
    "remove_final": _l("撤下正式文件"),
    "export_contacts": _l("下载含联系方式的意见汇总"),
    "export_attachments": _l("下载意见附件"),
    "unit_advice": _l("责任单位提出答复建议"),
    # administration
    "create_user": _l("新建账户"),
    "update_user": _l("修改账户"),
    "change_password": _l("修改自己的密码"),
    "two_factor_on": _l("开启两步验证"),
    "two_factor_off": _l("关闭两步验证"),
    "recovery_codes": _l("重新生成恢复码"),
    "save_unit": _l("保存单位"),
    "import_units": _l("导入单位名录"),
    "add_alias": _l("添加单位别名"),
    "resend_mail": _l("重新发送邮件"),
    "retry_routing": _l("重新为意见生成邮件"),
    # retention
    "erase_contacts": _l("清除联系方式"),
    "withdraw_comment": _l("提出人撤回意见"),
}


def _label(labels: dict, code: str) -> str:
    """``code``'s name in ``labels``, in the reader's language; an unknown code as it is."""
    label = labels.get(code)
    return str(label) if label is not None else code


def action_label(code: str) -> str:
    """The action's name in the reader's language; an unknown code as it is."""
    return _label(ACTION_LABELS, code)


TARGET_LABELS = {
    "comment": _l("意见"),
    "consultation": _l("征求意见"),
    "user": _l("账号"),
    "unit": _l("单位"),
    "section": _l("章节"),
}
FIELD_LABELS = {  # the keys of "before" and "after" most entries carry
    "status": _l("状态"),
    "version": _l("审核版本"),
    "receipt": _l("回执号"),
    "hidden_reason": _l("隐藏理由"),
    "form_letter": _l("同文意见组"),
    "masked": _l("遮盖的个人信息"),
    "review_requested": _l("待复核"),
    "deadline": _l("截止时间"),
    "title": _l("标题"),
    "section_id": _l("章节"),
    "attempts": _l("尝试次数"),
    "error": _l("错误"),
}


def target_label(code: str) -> str:
    return _label(TARGET_LABELS, code)


def field_label(key: str) -> str:
    return _label(FIELD_LABELS, key)


def value_label(key: str, value) -> str:
    """A value as a reader understands it: a comment's status and a hiding reason by name, True as 是."""
    from portal.moderation.labels import HIDE_REASON_LABELS, STATUS_LABELS

    names = {"status": STATUS_LABELS, "hidden_reason": HIDE_REASON_LABELS}.get(key)
    if names is not None and value in names:
        return str(names[value])
    if value is True:
        return str(_l("是"))
    return str(value)
