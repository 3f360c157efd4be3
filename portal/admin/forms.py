"""Forms of the administration pages. They validate input only."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from portal.core.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

ROLE_CHOICES = [SelectChoice("office", _l("起草单位工作人员")), SelectChoice("moderator", _l("审核人员")),
                SelectChoice("admin", _l("管理员"))]


# the unit's publication_review (None: as the nearest parent unit with a choice, else the deployment; True, False)
# as the form's choices
PUBLICATION_REVIEW_CODES = {"site": None, "yes": True, "no": False}
PUBLICATION_REVIEW_CHOICES = [SelectChoice("site", _l("跟随上级单位或全站设置")), SelectChoice("yes", _l("需要审核")),
                              SelectChoice("no", _l("不需要审核"))]


class UserForm(Form):
    email = StringField(_l("电子邮箱"), validators=[DataRequired(message=_l("请填写电子邮箱。")),
                                                 Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("电子邮箱的格式不对。")), Length(max=200)])
    name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请填写姓名。")), Length(max=100)])
    role = SelectField(_l("角色"), choices=ROLE_CHOICES)
    unit = SelectField(_l("所属单位"), coerce=int)
    password = PasswordField(_l("密码"), validators=[Optional(), Length(min=10, message=_l("密码至少需要 10 个字符。"))])
    active = BooleanField(_l("账号可以使用"), default=True)


class UnitForm(Form):
    name = StringField(lazy_pgettext("unit directory", "单位名称"),
                       validators=[DataRequired(message=_l("请填写单位名称。")), Length(max=200)])
    emails = TextAreaField(_l("电子邮箱"), validators=[Optional(), Length(max=2000)])
    parent = SelectField(_l("上级单位"), coerce=int)
    aliases = TextAreaField(_l("别名"), validators=[Optional(), Length(max=2000)])
    # 审核发布 for the unit's consultations; the page's hint names the deployment's setting and the unit's outcome
    publication_review = RadioField(_l("发布前是否需要审核"), choices=PUBLICATION_REVIEW_CHOICES, default="site")


class DirectoryImportForm(Form):
    file = FileField(_l("单位目录文件"), validators=[FileRequired(message=_l("请选择要导入的文件。"))])


class AliasForm(Form):
    alias = StringField(_l("草案中的名称"), validators=[DataRequired()])
    unit = SelectField(_l("是哪个单位"), coerce=int)
