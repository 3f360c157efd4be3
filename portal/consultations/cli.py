"""``flask consultations publish|close-due|load-samples``."""
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup

from portal import ROOT
from portal.consultations.models import Consultation
from portal.consultations.services import (
    ConsultationError, close_due_consultations, publish_consultation, remind_followers,
)
from portal.core.time import end_of_day, local_midnight, now, parse_deadline, parse_iso, SHANGHAI
from portal.drafts.services import DraftImportError, import_draft, parse_file
from portal.extensions import db
from portal.operations.jobs import recorded

consultations_cli = AppGroup("consultations", help="Publish and close consultations.")


@consultations_cli.command("publish")
@click.argument("consultation_id", type=int)
@click.option("--opens", help="Opening time, ISO 8601 (default: now). Without offset: Asia/Shanghai.")
@click.option("--deadline", help="Deadline, ISO 8601 (default: the one read from the notice); a date alone is the end "
              "of that day. Once published, the office extends it (recorded), not this command.")
@click.option("--comments", "visibility", type=click.Choice(["public", "private"]), default="public", show_default=True,
              help="public: approved comments are shown; private: only the office sees them.")
def publish_command(consultation_id: int, opens: str | None, deadline: str | None, visibility: str):
    """Publish an imported consultation (once: a published one is refused)."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"没有第 {consultation_id} 号征求意见。")
    consultation.comment_visibility = visibility
    try:
        publish_consultation(
            consultation, parse_iso(opens) if opens else None, parse_deadline(deadline) if deadline else None
        )
    except (ConsultationError, ValueError) as error:
        raise click.ClickException(str(getattr(error, "message", error)))
    db.session.commit()
    click.echo(f"已发布：「{consultation.title}」，截止时间 {consultation.deadline.astimezone(SHANGHAI):%Y-%m-%d %H:%M}。")


@consultations_cli.command("close-due")
@recorded("close-due")
def close_due_command():
    """Finalise every consultation whose deadline has passed: write its closing summary (and mail the office);
    and remind the followers of those closing within three days."""
    closed = close_due_consultations()
    db.session.commit()
    for consultation in closed:
        click.echo(f"已结束：第 {consultation.id} 号「{consultation.title}」：{consultation.closing_summary}")
    click.echo(f"共结束 {len(closed)} 项征求意见。")
    reminded = remind_followers()
    db.session.commit()
    for consultation in reminded:
        click.echo(f"已提醒关注者：第 {consultation.id} 号「{consultation.title}」即将截止。")


@consultations_cli.command("remind-feedback")
@recorded("feedback-reminders")
def remind_feedback_command():
    """Mail the drafting office of each consultation that received opinions and published no answer 30, 60 or 90
    days after its deadline (once each time)."""
    from portal.responses.reminders import remind_feedback_due

    reminded = remind_feedback_due()
    db.session.commit()
    for consultation, number in reminded:
        click.echo(f"已提醒起草单位公布意见采纳情况（第 {number} 次）：第 {consultation.id} 号「{consultation.title}」。")
    click.echo(f"共提醒 {len(reminded)} 项征求意见。")


@consultations_cli.command("load-samples")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "samples")
@click.option("--days", default=30, show_default=True, help="Comment period of the samples without real dates.")
def load_samples_command(directory: Path, days: int):
    """Import and publish the sample drafts (skipping those already loaded).

    A sample whose notice gives a deadline keeps its real dates; the others open today for DAYS days.
    """
    from portal.consultations.samples import loaded_samples, record_sample

    paths = sorted(directory.glob("*.txt"))
    loaded = loaded_samples([path.name for path in paths])  # by the record of their loading, not by file name
    for path in paths:
        if path.name in loaded:
            click.echo(f"已存在，跳过：{path.name}")
            continue
        try:
            text, parsed = parse_file(path.read_bytes(), path.name)
        except DraftImportError as error:
            raise click.ClickException(f"{path.name}：{error.message}")
        consultation = import_draft(parsed.to_dict(), text, path.name)
        record_sample(consultation, path.name)
        if consultation.deadline is not None and consultation.notice_date is not None:
            opens = local_midnight(consultation.notice_date)
            publish_consultation(consultation, opens, consultation.deadline)
        else:
            today = now().astimezone(SHANGHAI).date()
            publish_consultation(consultation, now(), end_of_day(today + timedelta(days=days - 1)))
        db.session.commit()
        click.echo(f"已加载：{path.name} →「{consultation.title}」（{consultation.state()}）")
    close_due_consultations(notify=False)  # sample notices carry real offices' addresses: mail none of them
    db.session.commit()
