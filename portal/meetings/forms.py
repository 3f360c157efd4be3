"""Forms of the meetings: the office's (announce, cancel, publish what was said, choose who attends) and the public's
sign-up. They validate input only; the services decide."""
from __future__ import annotations

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, RadioField, StringField, TextAreaField,
                     TimeField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.comments.forms import EMAIL, PHONE
from portal.core.forms import Form
from portal.meetings.labels import KIND_LABELS
from portal.meetings.models import MEETING_KINDS

STATEMENT_MAX = 1000


class MeetingForm(Form):
    kind = RadioField(_l("会议形式"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in MEETING_KINDS],
                      default="symposium", validators=[DataRequired(message=_l("请选择会议的形式。"))])
    title = StringField(_l("会议名称"), validators=[DataRequired(message=_l("请填写会议名称。")), Length(max=200)],
                        description=_l("例如：《……》征求意见座谈会"))
    start_date = DateField(_l("日期"), validators=[InputRequired(message=_l("请填写会议日期。"))])
    start_time = TimeField(_l("开始时刻"), validators=[InputRequired(message=_l("请填写开始时刻。"))], default=time(9, 30))
    end_time = TimeField(_l("结束时刻（可不填）"), validators=[Optional()])
    place = StringField(_l("地点"), validators=[DataRequired(message=_l("请填写会议地点。")), Length(max=300)],
                        description=_l("写清楚楼号、会议室，方便群众找到。"))
    description = TextAreaField(_l("会议说明（可不填）"), validators=[Optional(), Length(max=2000)],
                                description=_l("邀请哪些人参加、讨论什么、怎样确定参加人员。"))
    seats = IntegerField(_l("公开报名名额（不接受报名请不填）"), validators=[
        Optional(), NumberRange(min=1, max=10000, message=_l("名额要在 1 到 10000 之间。"))])
    first_come = BooleanField(_l("先报先得：报名的人直接确定参加，名额报满即停止报名"))
    signup_date = DateField(_l("报名截止日期（可不填，默认到会议开始）"), validators=[Optional()])
    signup_time = TimeField(_l("报名截止时刻"), validators=[Optional()], default=time(17, 0))


class CancelMeetingForm(Form):
    reason = TextAreaField(_l("取消的原因（向公众公布）"),
                           validators=[DataRequired(message=_l("请说明取消的原因。")), Length(max=1000)])


class MinutesForm(Form):
    minutes = TextAreaField(_l("会议情况"), validators=[Optional(), Length(max=20000)],
                            description=_l("会议时间、参加人员、大家提出的主要意见。清空后保存即撤下。"))


class DecisionForm(Form):
    registration_id = HiddenField(validators=[DataRequired()])
    decision = HiddenField(validators=[DataRequired()])


def _phone(form, field) -> None:
    if not PHONE.match(re.sub(r"[\s-]", "", field.data or "")):
        raise ValidationError(_l("请填写正确的手机号码或固定电话，例如 13800138000 或 0527-84350000。"))


def _email(form, field) -> None:
    if field.data and not EMAIL.match(field.data.strip()):
        raise ValidationError(_l("电子邮箱的格式不对，例如 zhangsan@example.com。"))


class RegistrationForm(Form):
    name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请填写您的姓名。")),
                                              Length(max=50, message=_l("姓名不能超过 50 个字。"))])
    phone = StringField(_l("联系电话"), validators=[DataRequired(message=_l("请填写联系电话，方便通知您。")), _phone],
                        description=_l("只给组织单位通知您用，不会公开。"))
    email = StringField(_l("电子邮箱（可不填）"), validators=[Optional(), Length(max=200), _email],
                        description=_l("填了的话，是否安排您参加、会议有变化，会发邮件告诉您。"))
    organisation = StringField(_l("工作单位或所在社区（可不填）"), validators=[Optional(), Length(max=200)])
    statement = TextAreaField(_l("想在会上说的主要意见或报名理由"), validators=[
        Optional(), Length(max=STATEMENT_MAX, message=_l("不能超过 %(max)d 个字。", max=STATEMENT_MAX))])
