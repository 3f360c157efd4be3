"""Moderation forms: validation only."""
from flask_babel import lazy_gettext as _l
from portal.core.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.moderation.labels import ACTION_LABELS, HIDE_REASON_LABELS, MODE_LABELS, REPORT_REASON_LABELS

ACTIONS = ("approve", "hide", "spam", "restore", "mask")


class ModerationForm(Form):
    """The queue's form: one action on the ticked rows, or one row's own button (``row``: "hide:c-12-3")."""

    action = SelectField(
        choices=[SelectChoice("", "")] + [SelectChoice(a, ACTION_LABELS[a]) for a in ACTIONS],
        default="", validate_choice=False,
    )
    row = StringField()
    reason = SelectField(
        _l("隐藏理由"),
        choices=[SelectChoice("", _l("请选择"))] + [SelectChoice(k, v) for k, v in HIDE_REASON_LABELS.items()],
        description=_l("隐藏意见时必选。公众看到的是“该意见因……未予公开”。"),
        default="",
    )
    note = TextAreaField(
        _l("说明（可不填）"),
        validators=[Optional(), Length(max=500, message=_l("说明不能超过 500 个字。"))],
        description=_l("只记入审核记录，不公开。选“其他原因”时必填。"),
    )
    view = HiddenField()
    back = HiddenField()

    def chosen_action(self) -> str:
        return (self.row.data or "").partition(":")[0] or self.action.data

    def validate_reason(self, field):
        if self.chosen_action() == "hide" and not field.data:
            raise ValidationError(_l("隐藏意见前，请选择隐藏理由。"))
        if self.chosen_action() == "hide" and field.data == "other" and not (self.note.data or "").strip():
            raise ValidationError(_l("选择“其他原因”时，请在“说明”里写明理由。"))

    def validate_action(self, field):
        if self.chosen_action() not in ACTIONS:
            raise ValidationError(_l("请选择要执行的操作。"))


class ReportForm(Form):
    reason = RadioField(
        _l("举报理由"),
        choices=[SelectChoice(k, v) for k, v in REPORT_REASON_LABELS.items()],
        validators=[DataRequired(message=_l("请选择举报理由。"))],
        invalid_choice_message=_l("请选择举报理由。"),
    )
    note = TextAreaField(
        _l("补充说明（可不填）"),
        validators=[Optional(), Length(max=500, message=_l("补充说明不能超过 500 个字。"))],
        description=_l("例如：哪一句话有问题。"),
    )


class SensitiveWordsForm(Form):
    words = TextAreaField(
        _l("添加敏感词"),
        validators=[DataRequired(message=_l("请填写要添加的敏感词。"))],
        description=_l("每行一个词，也可以用逗号或顿号隔开。"),
    )


class SensitiveWordFileForm(Form):
    file = FileField(
        _l("从文本文件导入"),
        validators=[FileRequired(message=_l("请选择一个文本文件。"))],
        description=_l("纯文本文件（.txt），每行一个词；以 # 开头的行会被忽略。"),
    )


class ModerationModeForm(Form):
    mode = RadioField(
        _l("审核方式"),
        choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()],
        validators=[DataRequired(message=_l("请选择审核方式。"))],
        invalid_choice_message=_l("请选择审核方式。"),
    )
