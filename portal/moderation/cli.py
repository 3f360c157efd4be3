"""``flask moderation mode ID pre|post``: a consultation's moderation mode; ``flask moderation group``: the
form-letter grouping worker."""

import click
from flask.cli import AppGroup

from portal.consultations.models import Consultation
from portal.core.workers import gives_way_to_web, worker_passes
from portal.extensions import db
from portal.moderation.grouping import group_new_comments
from portal.moderation.models import MODES
from portal.moderation.services import set_moderation_mode
from portal.operations.jobs import Heartbeat

moderation_cli = AppGroup("moderation", help="Moderation settings and the form-letter grouping worker.")


@moderation_cli.command("mode")
@click.argument("consultation_id", type=int)
@click.argument("mode", type=click.Choice(MODES))
def mode_command(consultation_id: int, mode: str):
    """pre: comments wait for a moderator (default); post: published at once, reviewed after."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"没有编号为 {consultation_id} 的征求意见。")
    changed = set_moderation_mode("cli", consultation, mode)
    db.session.commit()
    click.echo(f"审核方式{'已改为' if changed else '本来就是'}：{mode}")


@moderation_cli.command("group")
@click.option("--loop", is_flag=True, help="Keep running; wait --interval seconds when nothing is new.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds to wait between passes (--loop).")
@gives_way_to_web
def group_command(loop: bool, interval: float):
    """Group new comments into form letters (同文意见). Safe to run on several hosts at once."""
    for grouped in worker_passes("grouping", loop, interval, group_new_comments, heartbeat=Heartbeat("grouping")):
        if grouped or not loop:
            click.echo(f"已比对 {grouped} 条新意见。")
