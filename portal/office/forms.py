"""Forms of the office workspace. They validate input only; the services decide."""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import Callable

from flask_babel import lazy_gettext as _l
from portal.core.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, IntegerField, MultipleFileField, PasswordField, RadioField, SelectField,
                     StringField, TextAreaField, TimeField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.comments.forms import comment_max_length, organisation_field, organisation_kind_field
from portal.comments.proposals import PROPOSAL_MAX
from portal.comments.quotes import QUOTE_MAX
from portal.comments.models import OFFLINE_CHANNELS
from portal.consultations.labels import consultation_label
from portal.core.time import SHANGHAI, now
from portal.moderation.labels import CHANNEL_LABELS, STANCE_LABELS

END_OF_DAY = time(23, 59)


def local_datetime(day, at) -> datetime | None:
    """A date and a time typed in Asia/Shanghai, as an aware datetime; 23:59 means the end of that minute."""
    if day is None:
        return None
    at = at or END_OF_DAY
    seconds = 59 if (at.hour, at.minute) == (23, 59) else 0
    return datetime.combine(day, at.replace(second=seconds), tzinfo=SHANGHAI)


class UploadForm(Form):
    file = FileField(_l("草案文件"), validators=[FileRequired(message=_l("请选择要上传的文件。"))])
    unit = SelectField(_l("起草单位"), coerce=int, validate_choice=True)
    previous_round = SelectField(_l("是否再次征求意见"), coerce=int, validate_choice=True, default=0)


class ReturnPublicationForm(Form):
    note = TextAreaField(_l("退回的理由"), validators=[DataRequired(message=_l("请写明退回的理由，以便提交人修改。")),
                                                  Length(max=2000)])


class PlainForm(Form):
    """A button with nothing to fill in (its CSRF token only)."""


class PreviousRoundForm(Form):
    previous_round = SelectField(_l("接续哪一次征求意见"), coerce=int, validate_choice=True)


def previous_round_choices(candidates) -> list[SelectChoice]:
    """The choice of the consultation a new one follows (再次征求意见): none, or one of ``candidates``."""
    return [SelectChoice(0, _l("不是，这是第一次就这份草案征求意见"))] + [
        SelectChoice(c.id, _l("是，接续：%(label)s", label=consultation_label(c))) for c in candidates]


class ReviseForm(Form):
    file = FileField(_l("修订稿文件"), validators=[FileRequired(message=_l("请选择要上传的文件。"))])
    change_note = TextAreaField(
        _l("修改说明"), validators=[DataRequired(message=_l("请简要说明这次修改了什么。")), Length(max=2000)]
    )


class NoticeForm(Form):
    title = StringField(_l("标题"), validators=[DataRequired(message=_l("请填写标题。")), Length(max=500)])
    issuer = StringField(_l("发布单位"), validators=[Optional(), Length(max=200)])
    notice_date = DateField(_l("发布日期"), validators=[Optional()])
    addressee = StringField(_l("主送（征求谁的意见）"), validators=[Optional(), Length(max=500)])
    deadline_date = DateField(_l("截止日期"), validators=[Optional()])
    deadline_time = TimeField(_l("截止时刻"), validators=[Optional()], default=END_OF_DAY)
    contact_office = StringField(_l("意见报送单位"), validators=[Optional(), Length(max=200)])
    contact_person = StringField(_l("联系人"), validators=[Optional(), Length(max=100)])
    contact_phones = StringField(_l("联系电话"), validators=[Optional(), Length(max=300)])
    contact_emails = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=300)])
    contact_address = StringField(_l("通信地址"), validators=[Optional(), Length(max=500)])


class SectionForm(Form):
    level = IntegerField(_l("层级"), validators=[InputRequired(message=_l("请填写层级。")),
                                               NumberRange(1, 6, message=_l("层级必须是 1 到 6 之间的数字。"))])
    heading = StringField(_l("标题文字"), validators=[Optional(), Length(max=500)])
    text = TextAreaField(_l("正文"), description=_l("导入时读出的这一部分的正文，一段一行。发布前可以改正读错的地方；发布后请上传修订稿。"))
    key_points = TextAreaField(
        _l("要点（可不填）"), validators=[Optional(), Length(max=1000, message=_l("要点不能超过 1000 个字。"))],
        description=_l("用几句大白话说明这一部分讲什么、和群众有什么关系。公开显示在这一部分的正文前，标明是起草单位的说明，"
                       "不属于草案正文。"),
    )


class SplitSectionForm(Form):
    """Beside the section form on its page: its fields are prefixed ("split-line"); its CSRF token is the page's,
    checked by CSRFProtect for every POST (portal/__init__.py)."""

    class Meta:
        csrf = False

    line = SelectField(_l("从正文的哪一行起另起一部分"), coerce=int, validate_choice=True,
                       invalid_choice_message=_l("请选择正文中的一行。"))
    level = IntegerField(_l("新的一部分的层级"), validators=[InputRequired(message=_l("请填写层级。")),
                                                       NumberRange(1, 6, message=_l("层级必须是 1 到 6 之间的数字。"))])


class PublishForm(Form):
    opens = RadioField(_l("什么时候开始征求意见？"), choices=[SelectChoice("now", _l("立即开始")), SelectChoice("later", _l("在指定时间开始"))],
                       default="now", validators=[InputRequired(message=_l("请选择开始时间。"))])
    opens_date = DateField(_l("开始日期"), validators=[Optional()])
    opens_time = TimeField(_l("开始时刻"), validators=[Optional()], default=time(9, 0))
    deadline_date = DateField(_l("截止日期"), validators=[InputRequired(message=_l("请填写截止日期。"))])
    deadline_time = TimeField(_l("截止时刻"), validators=[Optional()], default=END_OF_DAY)
    confirm_short = BooleanField(_l("我确认本次征求意见时间少于30天"))
    short_reason = TextAreaField(_l("少于30天的理由"), validators=[Optional(), Length(max=2000)])
    comment_visibility = RadioField(
        _l("收到的意见是否在网上公开？"),
        choices=[SelectChoice("public", _l("公开：经审核后显示在网上（不显示联系方式）")),
                 SelectChoice("private", _l("不公开：只提供给起草单位"))],
        default="public", validators=[DataRequired(message=_l("请选择意见是否公开。"))],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.opens.data == "later" and self.opens_date.data is None:
            self.opens_date.errors = list(self.opens_date.errors) + [_l("请填写开始日期。")]
            ok = False
        return ok


class ExtendForm(Form):
    deadline_date = DateField(_l("新的截止日期"), validators=[InputRequired(message=_l("请填写新的截止日期。"))])
    deadline_time = TimeField(_l("截止时刻"), validators=[Optional()], default=END_OF_DAY)
    reason = TextAreaField(_l("延长的理由"), validators=[Length(max=2000)], render_kw={"required": True})
    # the view's: the service's rules of an extension (extension_problems of the consultation, given the new deadline
    # and the reason), said with the form's own problems at once
    problems: Callable[[datetime | None, str], list[tuple[str, str]]] | None = None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.problems is not None:
            for name, message in self.problems(local_datetime(self.deadline_date.data, self.deadline_time.data),
                                               self.reason.data or ""):
                self[name].errors = list(self[name].errors) + [message]
                ok = False
        return ok


class WithdrawForm(Form):
    reason = TextAreaField(_l("撤回的理由"), validators=[DataRequired(message=_l("请说明撤回的理由。")), Length(max=2000)])


class RecordCommentForm(Form):
    """An opinion that reached the office by e-mail, letter, fax, telephone or in person, typed in by the office."""

    channel = SelectField(
        _l("收到的方式"),
        choices=[SelectChoice(code, CHANNEL_LABELS[code]) for code in OFFLINE_CHANNELS],
        default="email", validators=[DataRequired(message=_l("请选择收到的方式。"))],
        invalid_choice_message=_l("请选择收到的方式。"),
    )
    received_on = DateField(
        _l("收到日期"), validators=[InputRequired(message=_l("请填写收到日期。"))],
        description=_l("信函以寄出的邮戳日期为准。"),
    )
    # a telephone call's or a visit's hour is known, a postmark's is not: with a time the moment is checked against
    # the period's opening and deadline, without one the day (it counts when any part of it is within the period)
    received_time = TimeField(
        _l("收到时刻（可不填）"), validators=[Optional()],
        description=_l("填了时刻的，按时刻核对是否在征求意见的开始时间和截止时间之间；只填日期的（如邮戳上的日期），"
                       "这一天只要有一部分在征求意见期间内，就可以录入。"),
    )
    section_id = SelectField(_l("针对的章节"), coerce=int, validate_choice=True,
                             invalid_choice_message=_l("请从列表中选择章节。"))
    meeting_id = SelectField(_l("在哪次会议上提出（可不选）"), coerce=int, validate_choice=True, default=0,
                             invalid_choice_message=_l("请从列表中选择会议，也可以不选。"))
    stance = RadioField(
        _l("态度"),
        choices=[SelectChoice(code, STANCE_LABELS[code]) for code in ("support", "oppose", "suggest")],
        default="suggest", validators=[DataRequired(message=_l("请选择态度。"))],
        invalid_choice_message=_l("请选择态度：赞成、反对或建议。"),
    )
    # the key question (重点问题) it answers: choices from the consultation's questions (question_choices)
    question = SelectField(_l("针对的重点问题（可不选）"), default="", validate_choice=True,
                           invalid_choice_message=_l("请从列表中选择重点问题，也可以不选。"))
    quote = TextAreaField(
        _l("针对的原文（可不填）"),
        validators=[Optional(), Length(max=QUOTE_MAX, message=_l("针对的原文不能超过 %(max)s 个字。", max=QUOTE_MAX))],
        description=_l("来信引用了草案中的句子的，可以从草案中复制过来。"),
    )
    proposal = TextAreaField(
        _l("建议修改为（可不填）"),
        validators=[Optional(), Length(max=PROPOSAL_MAX, message=_l("建议修改的文字不能超过 %(max)s 个字。",
                                                                     max=PROPOSAL_MAX))],
        description=_l("来信写明了建议修改后的文字（“建议修改为……”）的，填在这里。"),
    )
    body = TextAreaField(_l("意见内容"), validators=[DataRequired(message=_l("请填写意见内容。")), comment_max_length])
    author_name = StringField(_l("提出人（个人姓名或单位名称，可不填）"),
                              validators=[Optional(), Length(max=100, message=_l("提出人不能超过 100 个字。"))],
                              description=_l("单位来函只写了单位名称的，可以只填在这里，会按单位意见统计。"))
    organisation = organisation_field(_l("以单位名义提出的，单位名称（可不填）"), _l(
        "企业、行业协会、社会组织或机关事业单位来函的，填写单位全称；上面填写经办人姓名。"))
    organisation_kind = organisation_kind_field()
    author_contact = StringField(
        _l("联系方式（电话、电子邮箱或通信地址，可不填）"),
        validators=[Optional(), Length(max=200, message=_l("联系方式不能超过 200 个字。"))],
        description=_l("不会公开。留有电子邮箱的，会收到确认邮件和回执号。"),
    )
    attachments = MultipleFileField(_l("附件（可不填）"))  # checked by portal/comments/attachments.py

    def validate_received_time(self, field) -> None:
        # a wrong hour typed in, not a moment to be taken for now (an e-mail's clock a minute ahead is, by the service)
        moment = self.received_moment()
        if moment is not None and moment > now():
            raise ValidationError(_l("收到时刻不能晚于现在。"))

    def received_moment(self) -> datetime | None:
        """The moment typed in (Asia/Shanghai), when a time was given with the date; else None (the day alone)."""
        if self.received_on.data is None or self.received_time.data is None:
            return None
        return datetime.combine(self.received_on.data, self.received_time.data, tzinfo=SHANGHAI)


class ImportCommentsForm(Form):
    """A filled feedback form, or the office's own list of opinions received (CSV or Excel)."""

    file = FileField(_l("意见反馈表或意见汇总表（Excel、Word 或 CSV）"),
                     validators=[FileRequired(message=_l("请选择要上传的文件。"))])
    channel = SelectField(
        _l("收到的方式（表中没有写明的）"),
        choices=[SelectChoice(code, CHANNEL_LABELS[code]) for code in OFFLINE_CHANNELS],
        default="email", validators=[DataRequired(message=_l("请选择收到的方式。"))],
        invalid_choice_message=_l("请选择收到的方式。"),
    )
    received_on = DateField(_l("收到日期（表中没有写明的）"),
                            validators=[InputRequired(message=_l("请填写收到日期。"))])


class ImportEmailsForm(Form):
    """Messages of the office's mailbox, as its mail program saved them."""

    files = MultipleFileField(
        _l("邮件文件（.eml、.mbox，或打包成 .zip）"),
        description=_l("在邮件程序中选中收到的意见邮件，“另存为”或拖到桌面即得 .eml 文件；一次可以选多个文件。"))

    def validate_files(self, field) -> None:
        if not [file for file in field.data or [] if getattr(file, "filename", None)]:
            raise ValidationError(_l("请选择要上传的邮件文件。"))


class MailboxForm(Form):
    """The IMAP mailbox the portal reads the consultation's e-mailed opinions from (portal/office/mailbox.py)."""

    host = StringField(_l("收信服务器（IMAP）"), validators=[DataRequired(message=_l("请填写收信服务器的地址，例如 imap.example.gov.cn。")),
                                                      Length(max=200)],
                       description=_l("在邮箱的设置里能找到，例如 imap.example.gov.cn。"))
    security = SelectField(_l("连接方式"), choices=[
        SelectChoice("ssl", _l("SSL（端口通常是 993）")), SelectChoice("starttls", _l("STARTTLS（端口通常是 143）")),
        SelectChoice("none", _l("不加密（只用于本机的邮件服务器）"))], default="ssl")
    port = IntegerField(_l("端口"), validators=[Optional(), NumberRange(min=1, max=65535, message=_l("端口要在 1 到 65535 之间。"))],
                        description=_l("不填：按连接方式用 993 或 143。"))
    username = StringField(_l("用户名"), validators=[DataRequired(message=_l("请填写邮箱的用户名（通常就是邮箱地址）。")),
                                                   Length(max=200)])
    password = PasswordField(_l("密码或客户端授权码"), validators=[Length(max=200)],
                             description=_l("加密保存，不再显示。已经保存过的，不填就不改。"))
    folder = StringField(_l("文件夹"), default="INBOX", validators=[Length(max=200)],
                         description=_l("不填：收件箱（INBOX）。"))


def meeting_choices(consultation) -> list[SelectChoice]:
    """None, then each meeting of the consultation not cancelled (座谈会、听证会), by day and name."""
    from portal.core.web import localdate

    return [SelectChoice(0, _l("不选"))] + [SelectChoice(m.id, f"{localdate(m.starts_at)} {m.title}")
                                           for m in consultation.meetings if not m.is_cancelled]


def question_choices(consultation) -> list[SelectChoice]:
    """None, then each of the consultation's key questions (重点问题) by number."""
    return [SelectChoice("", _l("不针对具体问题"))] + [
        SelectChoice(str(number), _l("问题%(n)d：%(question)s", n=number, question=question))
        for number, question in enumerate(consultation.questions or [], start=1)]


def draft_section_choices(draft) -> list[SelectChoice]:
    """The whole draft, then each section of ``draft`` (None: none) indented by its level: the choices of a field
    that says which part an opinion is about (recording one, moving one)."""
    return [SelectChoice(0, _l("草案整体"))] + [
        SelectChoice(s.id, "\u3000" * (s.level - 1) + s.title) for s in (draft.sections if draft else [])]


def split_list(value: str | None) -> list[str]:
    """"0557-3255022、18005572983" → two items (separated by 、，,; or spaces)."""
    return [item for item in re.split(r"[、，,；;\s]+", value or "") if item]


def split_emails(value: str | None) -> list[str]:
    """"zhang@example.com、li @ example.com" → two addresses: a space typed beside an @ (or a non-breaking one) does
    not part an address (``join_at``, as a comment's contact)."""
    from portal.comments.contacts import join_at

    return split_list(join_at(value or ""))


def split_phones(value: str | None) -> list[str]:
    """"0557 3255022、138 0013 8000" → two numbers: parted at 、，,; and at a space only between whole numbers (seven
    digits or more each: "3255022 18005572983"), never inside one written in groups."""
    numbers = []
    for item in re.split(r"[、，,；;\n]+", value or ""):
        parts = item.split()
        if len(parts) > 1 and all(len(re.sub(r"\D", "", part)) >= 7 for part in parts):
            numbers.extend(parts)
        elif parts:
            numbers.append(" ".join(parts))
    return numbers


class ExplanatoryNoteForm(Form):
    """The explanatory note (起草说明): a .txt or .docx file, or the text typed in (a file wins)."""

    file = FileField(_l("起草说明文件（.docx、.txt 或 PDF，可不传）"))
    text = TextAreaField(_l("或者直接填写起草说明"))


class FinalDocumentForm(Form):
    """The policy as finally issued (正式文件): its file (needed the first time), title, number, date and a note."""

    file = FileField(_l("正式文件（.docx、.txt 或 PDF；已经上传过的，不改正文可以不传）"))
    title = StringField(_l("文件标题（可不填，按文件中的标题）"),
                        validators=[Optional(), Length(max=300, message=_l("标题不能超过 300 个字。"))])
    document_number = StringField(_l("文号（可不填）"),
                                  validators=[Optional(), Length(max=100, message=_l("文号不能超过 100 个字。"))],
                                  description=_l("例如：宿民发〔2023〕12号"))
    issued_on = DateField(_l("印发日期"), validators=[InputRequired(message=_l("请填写印发日期。"))],
                          description=_l("不能早于征求意见截止的日期，不能晚于今天。"))
    note = TextAreaField(
        _l("吸收采纳意见的情况说明（可不填）"),
        validators=[Optional(), Length(max=5000, message=_l("说明不能超过 5000 个字。"))],
        description=_l("用几句话说明根据征求意见作了哪些修改。公开显示在正式文件前面。"),
    )


class QuestionsForm(Form):
    """The key questions (重点问题): one a line."""

    text = TextAreaField(_l("重点问题（每行一个）"),
                         description=_l("例如：补贴标准定为每人每月200元是否合适？每个问题最多 200 个字，最多 10 个。"
                                        "希望群众直接选择的，在问题后面写上选项，例如：“补贴标准是否合适？选项：合适｜偏低｜偏高”"
                                        "（2 到 6 个选项；可以选几项的，写“选项（可多选）：”）。"
                                        "征求意见开始以后，已经列出的问题和选项不能再修改，只能在后面增加。"))


class TermsForm(Form):
    """The terms the draft uses, explained in plain words (术语解释): one a line."""

    text = TextAreaField(_l("术语解释（每行一个，写成“术语：解释”）"),
                         description=_l("例如：失能老人：生活不能自理、需要别人照顾的老年人。每个术语最多 30 个字，每条解释最多 300 个字。"))


class PublishedFileForm(Form):
    """A file published beside the draft, with the title the page gives it."""

    title = StringField(_l("标题（可不填，不填就用文件名）"),
                        validators=[Optional(), Length(max=200, message=_l("标题不能超过 200 个字。"))])
    file = FileField(_l("文件"), validators=[FileRequired(message=_l("请选择要上传的文件。"))])
