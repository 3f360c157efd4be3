"""``flask meetings …``: the meetings' work on the clock (the scheduler runs it; or run it from cron)."""
import click
from flask.cli import AppGroup

from portal.extensions import db

meetings_cli = AppGroup("meetings", help="座谈会、听证会：提醒已确定参加的人。")


@meetings_cli.command("remind")
def remind_command():
    """给一天内就要召开的会议中已确定参加、留了电子邮箱的人发提醒邮件（每人每次会议一封）。"""
    from portal.meetings.services import remind_attendees

    queued = remind_attendees()
    db.session.commit()
    click.echo(f"排队 {queued} 封会议提醒邮件。")
