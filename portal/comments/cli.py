"""``flask comments approve`` until the moderation queue exists."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.audit.services import record_action
from portal.comments.models import Comment
from portal.comments.services import approve_comment, find_by_receipt
from portal.extensions import db

comments_cli = AppGroup("comments", help="Manage comments.")


@comments_cli.command("approve")
@click.argument("receipts", nargs=-1)
@click.option("--all-pending", is_flag=True, help="Approve every pending comment.")
def approve_command(receipts: tuple[str, ...], all_pending: bool):
    """Approve comments by receipt number (or all pending ones) so that they are shown publicly."""
    if not receipts and not all_pending:
        raise click.UsageError("请给出回执号，或使用 --all-pending。")
    comments = []
    for number in receipts:
        comment = find_by_receipt(number)
        if comment is None:
            raise click.ClickException(f"没有回执号为 {number} 的意见。")
        comments.append(comment)
    if all_pending:
        comments += db.session.scalars(select(Comment).where(Comment.status == "pending")).all()
    for comment in comments:
        before = {"status": comment.status, "version": comment.moderation_version}
        approve_comment(comment)
        record_action("cli", "approve", comment, consultation_id=comment.consultation_id, before=before,
                      after={"status": comment.status, "version": comment.moderation_version})
    db.session.commit()
    click.echo(f"已审核通过 {len(comments)} 条意见。")
