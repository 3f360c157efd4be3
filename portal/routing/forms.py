"""The routing settings form: validation only."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from portal.core.forms import Form
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.routing.models import DIGEST_EVERY_HOURS


class RoutingSettingsForm(Form):
    mode = RadioField(
        _l("怎样把意见发给联系人和责任单位"),
        choices=[
            SelectChoice("per_comment", _l("每收到一条意见就发一封邮件")),
            SelectChoice("digest", _l("定时汇总，每个单位一封邮件")),
            SelectChoice("both", _l("两种都要")),
        ],
        default="per_comment",
        invalid_choice_message=_l("请选择一种发送方式。"),
        validators=[InputRequired(message=_l("请选择一种发送方式。"))],
    )
    digest_every_hours = SelectField(
        _l("汇总间隔"),
        choices=[SelectChoice(str(h), lazy_ngettext("每 %(hours)s 小时", "每 %(hours)s 小时", h, hours=h)) for h in DIGEST_EVERY_HOURS],
        default="24",
        coerce=int,
        invalid_choice_message=_l("请选择汇总间隔。"),
        description=_l("每 24 小时即每天一次。"),
    )
    digest_hour = SelectField(
        _l("汇总时间（北京时间）"),
        choices=[SelectChoice(str(h), f"{h:02d}:00") for h in range(24)],
        default="8",
        coerce=int,
        invalid_choice_message=_l("请选择汇总时间。"),
        description=_l("从这个时间起，按上面的间隔发送。默认每天 08:00。"),
    )
