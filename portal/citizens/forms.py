"""Forms of the citizen's account pages: validation only."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.comments.contacts import clean_contact
from portal.comments.forms import EMAIL, NAME_MAX, organisation_field, organisation_kind_field
from portal.core.forms import Form


def _email(form, field):
    if not EMAIL.match((field.data or "").strip()):
        raise ValidationError(_l("请填写正确的电子邮箱，例如 wang@example.cn。"))


def _plain_contact(value: str | None) -> str | None:
    """As the comment form reads a contact (＠ and full-width letters from a Chinese input method as ASCII), so that
    the address signed in with is the one the citizen's comments hold."""
    return clean_contact(value) if value else value


class SignInForm(Form):
    email = StringField(
        _l("您的电子邮箱"),
        filters=[_plain_contact],
        validators=[DataRequired(message=_l("请填写您的电子邮箱。")),
                    Length(max=200, message=_l("电子邮箱不能超过 200 个字。")), _email],
        description=_l("我们会给这个邮箱发一封邮件，点击邮件里的链接就能登录，不需要密码。"),
    )
    next = HiddenField()
    follow = HiddenField()  # a consultation to follow (关注) once signed in


class SettingsForm(Form):
    name = StringField(
        _l("署名（可不填）"),
        validators=[Optional(), Length(max=NAME_MAX, message=_l("姓名不能超过 50 个字。"))],
        description=_l("发表意见时默认填写的姓名，会随意见公开。不填则显示为“匿名”。"),
    )
    organisation = organisation_field(
        _l("以单位名义提意见时的单位名称（可不填）"),
        _l("常代表单位（企业、协会、社区组织等）提意见的，填上单位名称，提意见时会自动填好；某一条意见只代表自己的，提交前删掉即可。"))
    organisation_kind = organisation_kind_field()
    mail = BooleanField(_l("通过电子邮件接收意见回执和起草单位的答复"))
    alerts = BooleanField(_l("有新的征求意见发布时，发邮件通知我"))

    def validate_alerts(self, field):
        if field.data and not self.mail.data:
            raise ValidationError(_l("不接收邮件，就收不到新征求意见的提醒。请同时勾选上面一项，或者不要勾选提醒。"))


class ButtonForm(Form):
    """One button (sign in with a link, sign out everywhere, delete the account): only the form token."""
