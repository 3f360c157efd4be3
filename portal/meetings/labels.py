"""What the meetings' codes are called on the pages (portal/meetings/models.py keeps the codes)."""
from flask_babel import lazy_gettext as _l

KIND_LABELS = {"symposium": _l("座谈会"), "hearing": _l("听证会"), "panel": _l("论证会")}
REGISTRATION_LABELS = {
    "applied": _l("已报名，等待确定"),
    "accepted": _l("已确定参加"),
    "declined": _l("这次未能安排参加"),
    "withdrawn": _l("已取消报名"),
    "waiting": _l("候补中"),
}
SIGNUP_LABELS = {
    "open": _l("正在报名"),
    "closed": _l("报名已截止"),
    "waiting": _l("名额已满，可以报名候补"),
    "full": _l("名额已满"),
    "invitation": _l("由组织单位邀请参加，不接受报名"),
    "started": _l("会议已开始或已结束"),
    "cancelled": _l("会议已取消"),
}
