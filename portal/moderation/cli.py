"""``flask moderation mode ID pre|post``: set a consultation's moderation mode from the command line."""
import click
from flask.cli import AppGroup

from portal.consultations.models import Consultation
from portal.extensions import db
from portal.moderation.models import MODES
from portal.moderation.services import set_moderation_mode

moderation_cli = AppGroup("moderation", help="Moderation settings.")


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
