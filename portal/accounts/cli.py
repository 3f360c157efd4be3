"""``flask users create`` for the first administrator (and any other account)."""
import click
from flask.cli import AppGroup

from portal.accounts.services import AccountError, create_user
from portal.extensions import db
from portal.units.services import find_unit

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "office", "moderator"]), required=True)
@click.option("--unit", "unit_name", help="The office's unit, by name (office staff).")
@click.password_option(help="At least 10 characters; asked for when not given.")
def create_command(email: str, name: str, role: str, unit_name: str | None, password: str):
    """Create a staff account."""
    unit = None
    if unit_name:
        unit = find_unit(unit_name)
        if unit is None:
            raise click.ClickException(f"目录中没有单位「{unit_name}」。")
    try:
        user = create_user(email, name, password, role, unit)
    except AccountError as error:
        raise click.ClickException(error.message)
    db.session.commit()
    click.echo(f"已创建账号：{user.email}（{user.role}）")
