"""Confirming an export with contacts: validation only."""
from flask_babel import lazy_gettext as _l
from portal.core.forms import Form
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ContactsConfirmForm(Form):
    confirm = BooleanField(
        _l("我确认：联系方式只用于就意见与提出人联系，不外传、不公开。"),
        validators=[DataRequired(message=_l("请勾选确认后再下载。"))],
    )
