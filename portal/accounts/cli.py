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
        raise click.ClickException(str(error.message))
    db.session.commit()
    click.echo(f"已创建账号：{user.email}（{user.role}）")


@users_cli.command("reseal")
def reseal_command():
    """Seal every two-step login secret anew with the current secret key (after changing PORTAL_SECRET_KEY with the
    old key kept in PORTAL_SECRET_KEY_FALLBACKS); then the old key can be dropped. Accounts whose secret no key
    opens are named: they need an administrator's reset."""
    from sqlalchemy import select, update

    from portal.accounts.models import User
    from portal.core.sealing import reseal

    done, lost = 0, []
    for user_id, email, sealed in db.session.execute(
            select(User.id, User.email, User.sealed_totp_secret).where(User.sealed_totp_secret.is_not(None))).all():
        anew = reseal(sealed)
        if anew is None:
            lost.append(email)
            continue
        db.session.execute(update(User).where(User.id == user_id).values(sealed_totp_secret=anew)
                           .execution_options(synchronize_session=False))
        done += 1
    db.session.commit()
    click.echo(f"已用当前密钥重新加密 {done} 个账号的两步验证密钥。")
    for email in lost:
        click.echo(f"无法解密（需要管理员重置两步验证）：{email}", err=True)
    if lost:
        raise SystemExit(1)
