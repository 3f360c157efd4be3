"""What a reader should know before commenting: how personal information is handled (个人信息保护说明), the
rules for comments (发表意见须知), and what the portal does for elderly and disabled readers (无障碍和适老化说明). The retention periods shown are the deployment's own settings."""
from flask import Blueprint, current_app, render_template

from portal.moderation.labels import HIDE_REASON_LABELS

bp = Blueprint("about", __name__)


@bp.get("/privacy")
def privacy():
    config = current_app.config
    return render_template("about/privacy.html", contact_days=config["CONTACT_RETENTION_DAYS"],
                           mail_days=config["MAIL_RETENTION_DAYS"])


@bp.get("/rules")
def rules():
    reasons = [label for code, label in HIDE_REASON_LABELS.items() if code != "other"]
    return render_template("about/rules.html", reasons=reasons)


@bp.get("/accessibility")
def accessibility():
    return render_template("about/accessibility.html")
