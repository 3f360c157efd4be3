"""The response forms: validation only."""
from flask_babel import lazy_gettext as _l
from portal.core.forms import Form
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

OUTCOME_CHOICES = [
    SelectChoice("adopted", _l("采纳")),
    SelectChoice("partly_adopted", _l("部分采纳")),
    SelectChoice("not_adopted", _l("不采纳")),
    SelectChoice("explained", _l("情况说明")),
]


def _outcome():
    return RadioField(
        _l("答复"),
        choices=OUTCOME_CHOICES,
        invalid_choice_message=_l("请选择答复类型：采纳、部分采纳、不采纳或情况说明。"),
        validators=[DataRequired(message=_l("请选择答复类型：采纳、部分采纳、不采纳或情况说明。"))],
    )


def _reason(description=_l("说明采纳或不采纳的理由，将随答复一起公布。")):
    return TextAreaField(
        _l("理由"),
        validators=[DataRequired(message=_l("请填写理由。")), Length(max=5000, message=_l("理由不能超过 5000 个字。"))],
        description=description,
    )


class ResponseForm(Form):
    outcome = _outcome()
    reason = _reason()
    paraphrase = TextAreaField(
        _l("公开的意见概述（可不填）"),
        validators=[Optional(), Length(max=2000, message=_l("概述不能超过 2000 个字。"))],
        description=_l("本次征求意见不公开意见原文。反馈报告中显示这段概述，请勿写入姓名和联系方式。"),
    )


class BulkResponseForm(Form):
    """Ticked comments, or (``every``) every comment of the filtered list, which ``expected`` counted when the
    page was shown: the view refuses when the list has changed since."""

    comment_ids = SelectMultipleField(_l("意见"), coerce=int, validate_choice=False)
    every = BooleanField(_l("答复筛选出的全部意见（包括其他页上的）"))
    expected = HiddenField()
    outcome = _outcome()
    reason = _reason()

    def validate_comment_ids(self, field):
        if not field.data and not self.every.data:
            raise ValidationError(_l("请至少选择一条意见。"))


class AdviceForm(Form):
    """A responsible unit's advice on answering one comment (portal/responses/advice.py)."""

    outcome = _outcome()
    reason = _reason(description=_l("供起草单位答复时参考，不会直接公布。"))
    author_name = StringField(
        _l("经办人（可不填）"),
        validators=[Optional(), Length(max=100, message=_l("经办人不能超过 100 个字。"))],
    )


class MoveCommentForm(Form):
    """Put a comment under another section (改归章节)."""

    section_id = SelectField(_l("改归的章节"), coerce=int, validate_choice=True,
                             invalid_choice_message=_l("请从列表中选择章节。"))
    move_reason = TextAreaField(_l("原因（可不填，记入操作记录）"),
                                validators=[Optional(), Length(max=500, message=_l("原因不能超过 500 个字。"))])


def move_comment_form(consultation, comment, formdata=None) -> MoveCommentForm | None:
    """The form putting a comment under another section, with the sections of the current draft; a comment whose
    quotation lies in another section than its own is offered that one (None: a reply, which follows its parent)."""
    from portal.office.forms import draft_section_choices
    from portal.responses.services import section_quoted

    if comment.parent_id is not None or consultation.current_draft is None:
        return None
    form = MoveCommentForm(formdata=formdata)
    form.section_id.choices = draft_section_choices(consultation.current_draft)
    form.suggested = section_quoted(consultation, comment)
    if formdata is None:
        form.section_id.data = form.suggested.id if form.suggested is not None else (comment.section_id or 0)
    return form
