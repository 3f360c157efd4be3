"""The comment form: validation only."""
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from portal.core.forms import Form
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}|\d{7,8})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _max_length(form, field):
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if field.data and len(field.data.strip()) > limit:
        raise ValidationError(_l("意见内容不能超过 %(limit)s 个字。", limit=limit))


def _phone_or_email(form, field):
    value = (field.data or "").strip().replace("（", "(").replace("）", ")")
    if value and not (PHONE.match(value.replace("(", "").replace(")", "")) or EMAIL.match(value)):
        raise ValidationError(_l("请填写正确的手机号码、固定电话或电子邮箱，也可以不填。"))


class CommentForm(Form):
    class Meta:
        # CSRFProtect checks the token of every POST before the view runs (portal/__init__.py); the form
        # neither makes nor checks one of its own (issue 9: each cost a signature per submission). The
        # template writes the hidden field with csrf_token().
        csrf = False

    body = TextAreaField(
        _l("您的意见"),
        validators=[DataRequired(message=_l("请填写您的意见。")), _max_length],
        description=_l("请写明您的意见和理由。"),
    )
    stance = RadioField(
        _l("您的态度"),
        choices=[SelectChoice("support", _l("赞成")), SelectChoice("oppose", _l("反对")), SelectChoice("suggest", _l("建议"))],
        default="suggest",
        invalid_choice_message=_l("请选择您的态度：赞成、反对或建议。"),
        validators=[DataRequired(message=_l("请选择您的态度。"))],
    )
    author_name = StringField(
        _l("姓名（可不填）"),
        validators=[Optional(), Length(max=50, message=_l("姓名不能超过 50 个字。"))],
        description=_l("公开显示的署名。不填则显示为“匿名”。"),
    )
    author_contact = StringField(
        _l("联系电话或电子邮箱（可不填）"),
        validators=[Optional(), Length(max=100, message=_l("联系方式不能超过 100 个字。")), _phone_or_email],
        description=_l("仅供起草单位与您联系，不会公开。"),
    )
    section_id = HiddenField()
    parent_id = HiddenField()
    # Honeypot: hidden from people (CSS), filled in by bots; a filled one is refused, nothing stored.
    website = StringField(_l("网址（请不要填写这一项）"))
