"""``flask meetings …``: the meetings' work on the clock (the scheduler runs it; or run it from cron)."""
import click
from flask.cli import AppGroup

from portal.extensions import db

meetings_cli = AppGroup("meetings", help="Meetings (座谈会、听证会): remind those chosen to attend.")


@meetings_cli.command("remind")
def remind_command():
    """Mail a reminder to everyone chosen to attend a meeting held within a day who left an e-mail address (once
    each person and meeting)."""
    from portal.meetings.services import remind_attendees

    queued = remind_attendees()
    db.session.commit()
    click.echo(f"排队 {queued} 封会议提醒邮件。")
