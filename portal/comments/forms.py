"""The comment form: validation only.

``posted_comment`` reads a posted form by the same rules without building the form (issue 9: building and
validating the WTForms form cost ~0.5 ms of a submission's ~4 ms); the view builds ``CommentForm`` only to
show what was wrong. tests/comments/test_comment_form.py checks that the two agree on every kind of input.
"""
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from portal.comments.contacts import PHONE_SEPARATORS, clean_contact
from portal.comments.models import STANCES
from portal.comments.plain_text import clean_line, has_visible
from portal.comments.organisations import KIND_LABELS, ORGANISATION_KINDS, ORGANISATION_MAX, organisation_of
from portal.comments.proposals import PROPOSAL_MAX, clean_proposal
from portal.comments.quotes import QUOTE_MAX, clean_quote
from portal.consultations.questions import question_number
from portal.core.forms import Form
from portal.core.web import number
from wtforms import BooleanField, HiddenField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}|\d{7,8})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


NAME_MAX = 50
CONTACT_MAX = 100
DEFAULT_STANCE = "suggest"


def _too_long(body: str | None) -> bool:
    return bool(body) and len(body.strip()) > current_app.config["COMMENT_MAX_LENGTH"]


def _contact_invalid(contact: str | None) -> bool:
    """Neither a telephone number (spaces, hyphens and brackets as people write them: 138 1234 5678, (0557)
    3255022) nor an e-mail address."""
    value = clean_contact(contact or "")
    if not value:
        return False
    if "@" in value:
        return not EMAIL.match(value)
    return not PHONE.match(PHONE_SEPARATORS.sub("", value))


def _a_question(form, field):
    try:
        question_number(field.data)
    except ValueError:
        raise ValidationError(_l("请从列表中选择您的意见针对的问题，也可以不选。")) from None


def comment_max_length(form, field):
    """Too long: the limit, as the hint writes it (5,000), what was written and how much is over; where the form
    takes files, that a long text can go in one."""
    if _too_long(field.data):
        limit = current_app.config["COMMENT_MAX_LENGTH"]
        written = len(field.data.strip())
        numbers = {"limit": number(limit), "count": number(written), "over": number(written - limit)}
        parent = getattr(form, "parent_id", None)
        if hasattr(form, "attachments") and not (parent is not None and parent.data):
            raise ValidationError(_l("意见内容不能超过 %(limit)s 个字，您写了 %(count)s 个字，多了 %(over)s 个字。"
                                     "请删减一些，或者把较长的内容写在文件里，作为附件一起提交。", **numbers))
        raise ValidationError(_l("意见内容不能超过 %(limit)s 个字，您写了 %(count)s 个字，多了 %(over)s 个字。请删减一些。",
                                 **numbers))


def visible_text(form, field):
    """Blank to a reader: nothing but zero-width characters or combining marks (DataRequired lets them through)."""
    if field.data and not has_visible(field.data):
        raise ValidationError(_l("请填写您的意见。"))


def _phone_or_email(form, field):
    if _contact_invalid(field.data):
        raise ValidationError(_l("请填写正确的手机号码、固定电话或电子邮箱，例如 13800138000、0527-84350000 或 "
                                 "zhangsan@example.com；也可以不填。"))


def organisation_field(label, description) -> StringField:
    """The name of the organisation on whose behalf a comment is made (以单位名义): the comment form's, the office's."""
    return StringField(label, description=description, validators=[Optional(), Length(
        max=ORGANISATION_MAX, message=_l("单位名称不能超过 %(max)s 个字。", max=ORGANISATION_MAX))])


def organisation_kind_field() -> SelectField:
    """Its kind, from the list or unchosen (told from the name)."""
    return SelectField(
        _l("单位类别（可不选）"),
        choices=[SelectChoice("", _l("不选，按单位名称判断"))]
        + [SelectChoice(kind, KIND_LABELS[kind]) for kind in ORGANISATION_KINDS],
        default="",
        invalid_choice_message=_l("请从列表中选择单位类别，也可以不选。"),
    )


@dataclass
class PostedComment:
    """A posted comment whose fields are all valid."""

    body: str
    stance: str
    author_name: str | None
    author_contact: str | None
    quote: str | None = None  # tidied (clean_quote); whether the draft holds it is the view's check
    proposal: str | None = None  # the wording proposed, tidied (clean_proposal)
    organisation: str | None = None  # on whose behalf (以单位名义), tidied, with its kind (organisation_of)
    organisation_kind: str | None = None
    question: int | None = None  # the key question (重点问题) it answers, by number; whether there is one: the view's

    @classmethod
    def of_form(cls, form: "CommentForm") -> "PostedComment":
        quote = clean_quote(form.quote.data)
        name, contact, organisation = _plain(form.author_name.data, form.author_contact.data, form.organisation.data)
        return cls(form.body.data, form.stance.data, name, contact, quote, clean_proposal(form.proposal.data, quote),
                   *organisation_of(organisation, form.organisation_kind.data),
                   question_number(form.question.data))


def _plain(name: str | None, contact: str | None, organisation: str | None) -> tuple:
    """The signature, contact and organisation as stored, the same by both ways a comment is read (the form, and
    ``posted_comment`` without it): bidirectional controls out of the names, a contact as people type it made plain."""
    return (clean_line(name) if name else name, clean_contact(contact) if contact else contact,
            clean_line(organisation) if organisation else organisation)


def _blank(value: str | None) -> bool:  # what WTForms' Optional() lets through without checking further
    return value is None or not value.strip()


def posted_comment(formdata) -> PostedComment | None:
    """The comment in ``formdata`` (the posted form) when CommentForm would accept every field; None when it
    would not (the caller then builds the form, which says what is wrong)."""
    body = formdata.get("body")
    stance = formdata.get("stance", DEFAULT_STANCE)
    name = formdata.get("author_name")
    contact = formdata.get("author_contact")
    if _blank(body) or not has_visible(body) or _too_long(body) or stance not in STANCES:
        return None
    if not _blank(name) and len(name) > NAME_MAX:
        return None
    if not _blank(contact) and (len(contact) > CONTACT_MAX or _contact_invalid(contact)):
        return None
    quote = formdata.get("quote")
    if not _blank(quote) and len(quote) > QUOTE_MAX:
        return None
    proposal = formdata.get("proposal")
    if not _blank(proposal) and len(proposal) > PROPOSAL_MAX:
        return None
    organisation, kind = formdata.get("organisation"), formdata.get("organisation_kind")
    if not _blank(organisation) and len(organisation) > ORGANISATION_MAX or kind and kind not in ORGANISATION_KINDS:
        return None
    try:
        question = question_number(formdata.get("question"))
    except ValueError:
        return None
    quote = clean_quote(quote)
    name, contact, organisation = _plain(name, contact, organisation)
    return PostedComment(body, stance, name, contact, quote, clean_proposal(proposal, quote) if proposal else None,
                         *(organisation_of(organisation, kind) if organisation else (None, None)), question)


class CommentForm(Form):
    class Meta:
        # CSRFProtect checks the token of every POST before the view runs (portal/__init__.py); the form
        # neither makes nor checks one of its own (issue 9: each cost a signature per submission). The
        # template writes the hidden field with csrf_token().
        csrf = False

    quote = TextAreaField(
        _l("您针对的原文（可不填）"),
        validators=[Optional(), Length(max=QUOTE_MAX, message=_l("引用的原文不能超过 %(max)s 个字，请只引用您要提意见的那一句或一段。",
                                                                  max=QUOTE_MAX))],
        description=_l("您的意见针对草案中的哪句话？可以从原文中复制过来，也可以不填。"),
    )
    proposal = TextAreaField(
        _l("建议修改为（可不填）"),
        validators=[Optional(), Length(max=PROPOSAL_MAX, message=_l(
            "建议修改的文字不能超过 %(max)s 个字。更长的修改稿请作为附件上传。", max=PROPOSAL_MAX))],
        description=_l("您希望草案怎么写？写出修改后的文字；没有引用原文的，写出建议增加的文字。也可以不填。"),
    )
    body = TextAreaField(
        _l("您的意见"),
        validators=[DataRequired(message=_l("请填写您的意见。")), visible_text, comment_max_length],
        description=_l("请写明您的意见和理由。"),
    )
    stance = RadioField(
        _l("您的态度"),
        choices=[SelectChoice("support", _l("赞成")), SelectChoice("oppose", _l("反对")), SelectChoice("suggest", _l("建议"))],
        default=DEFAULT_STANCE,
        invalid_choice_message=_l("请选择您的态度：赞成、反对或建议。"),
        validators=[DataRequired(message=_l("请选择您的态度。"))],
    )
    author_name = StringField(
        _l("姓名（可不填）"),
        validators=[Optional(), Length(max=NAME_MAX, message=_l("姓名不能超过 50 个字。"))],
        description=_l("公开显示的署名。不填则显示为“匿名”。"),
    )
    # on behalf of an organisation (以单位名义): folded away under the name, the kind told from the name when not chosen
    organisation = organisation_field(_l("单位名称"), _l(
        "以企业、行业协会、社会组织或机关事业单位的名义提意见的，请填写单位全称，公开显示。个人提意见的不填。"))
    organisation_kind = organisation_kind_field()
    # the key question (重点问题) it answers: the template lists the consultation's questions, the view checks the number
    question = StringField(_l("这条意见针对哪个问题（可不选）"), validators=[_a_question])
    author_contact = StringField(
        _l("联系电话或电子邮箱（可不填）"),
        validators=[Optional(), Length(max=CONTACT_MAX, message=_l("联系方式不能超过 100 个字。")), _phone_or_email],
        description=_l("仅供起草单位与您联系，不会公开。"),
    )
    # checked by portal/comments/attachments.py (check_uploads), which the view calls; its refusal is shown here
    # (the hint, with the configured numbers, is written by the template)
    attachments = MultipleFileField(_l("附件（可不填）"))
    section_id = HiddenField()
    parent_id = HiddenField()
    # Honeypot: hidden from people (CSS), filled in by bots; a filled one is refused, nothing stored.
    website = StringField(_l("网址（请不要填写这一项）"))

    def __init__(self, *args, **kwargs):
        """A signed-in citizen's form starts with their signature, address and usual organisation (a posted form keeps
        what was posted)."""
        from portal.citizens.services import current_citizen

        citizen = current_citizen()
        if citizen is not None:
            kwargs.setdefault("author_name", citizen.name or "")
            kwargs.setdefault("author_contact", citizen.email)
            kwargs.setdefault("organisation", citizen.organisation or "")
            kwargs.setdefault("organisation_kind", citizen.organisation_kind or "")
        super().__init__(*args, **kwargs)


class WithdrawForm(Form):
    """Withdrawing one's comment (撤回): the key from the receipt mail's link, if that is how the page was opened,
    and a tick that says the commenter means it."""

    key = HiddenField()
    confirm = BooleanField(_l("我确认撤回这条意见，撤回后不能恢复"),
                           validators=[DataRequired(message=_l("请勾选确认后再撤回。"))])
