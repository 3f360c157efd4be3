from flask_babel import lazy_gettext as _l
from portal.core.forms import Form
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(Form):
    email = StringField(_l("电子邮箱"), validators=[DataRequired(message=_l("请填写电子邮箱。")), Length(max=200, message=_l("电子邮箱不能超过 200 个字。"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请填写密码。"))])


class PasswordForm(Form):
    """A staff member's own new password (portal/accounts/services.py: change_password checks it)."""

    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请填写当前密码。"))])
    new_password = PasswordField(_l("新密码（至少 10 个字符）"), validators=[DataRequired(message=_l("请填写新密码。"))])
    repeated_password = PasswordField(_l("再输入一次新密码"), validators=[DataRequired(message=_l("请再输入一次新密码。"))])


class CodeForm(Form):
    """The second step of a login, or the code that shows an authenticator app has the secret."""

    code = StringField(_l("验证码"), validators=[DataRequired(message=_l("请填写验证码。")),
                                                Length(max=20, message=_l("验证码不对。"))])


class TurnOffForm(CodeForm):
    """Two-step login turned off: the password and a code."""

    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请填写密码。"))])
