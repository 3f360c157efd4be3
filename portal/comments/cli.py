"""``flask comments approve`` (without the moderation queue) and ``flask comments erase-contacts``."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.comments.models import Comment
from portal.comments.retention import erase_old_contacts_recorded
from portal.comments.services import find_by_receipt
from portal.extensions import db
from portal.operations.jobs import recorded

comments_cli = AppGroup("comments", help="Manage comments.")


@comments_cli.command("approve")
@click.argument("receipts", nargs=-1)
@click.option("--all-pending", is_flag=True, help="Approve every pending comment.")
def approve_command(receipts: tuple[str, ...], all_pending: bool):
    """Approve comments by receipt number (or all pending ones) so that they are shown publicly. A telephone, identity
    card number or e-mail address in a comment's text, name or proposed wording is masked first (138****8000), as
    the moderation queue's 遮盖个人信息并通过 does: nothing this command publishes shows one in full."""
    from portal.moderation.services import CommentSelection, holds_personal, moderate

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
    approved = masked = unchanged = 0
    for comment in comments:
        personal = holds_personal(comment)
        outcome = moderate("cli", "mask" if personal else "approve",
                           [CommentSelection(comment.id, comment.moderation_version)], view="queue")
        approved += outcome.done
        masked += outcome.done if personal else 0
        unchanged += outcome.not_applicable + outcome.stale
    db.session.commit()
    click.echo(f"已审核通过 {approved} 条意见" + (f"（其中 {masked} 条遮盖了个人信息）" if masked else "")
               + (f"；{unchanged} 条已隐藏、已标为垃圾或已撤回，没有改变" if unchanged else "") + "。")


@comments_cli.command("mask-published")
@click.option("--consultation", "consultation_id", type=int, default=None, help="Only this consultation's comments.")
@click.option("--dry-run", is_flag=True, help="Only list the receipt numbers of the comments it would mask.")
def mask_published_command(consultation_id: int | None, dry_run: bool):
    """Mask the telephone, identity card numbers and e-mail addresses (138****8000) in the comments already shown
    publicly, as 遮盖个人信息并通过 does: those a moderator approved unmasked, and those `comments approve` published
    in full before it masked them (installations older than 2026-12-05). Audited, and searched and shown masked at
    once; run it once after such an upgrade (--dry-run first lists them)."""
    from portal.moderation.services import CommentSelection, holds_personal, moderate

    query = select(Comment).where(Comment.status == "approved").order_by(Comment.consultation_id, Comment.id)
    if consultation_id is not None:
        query = query.where(Comment.consultation_id == consultation_id)
    found = [comment for comment in db.session.scalars(query) if holds_personal(comment)]
    if dry_run:
        for comment in found:
            click.echo(f"{comment.receipt_number}（第 {comment.consultation_id} 号征求意见）")
        click.echo(f"共 {len(found)} 条公开的意见含有个人信息；去掉 --dry-run 即遮盖。")
        return
    masked = 0
    for comment in found:
        masked += moderate("cli", "mask", [CommentSelection(comment.id, comment.moderation_version)],
                           view="approved").done
    db.session.commit()
    click.echo(f"已遮盖 {masked} 条公开意见中的个人信息。")


@comments_cli.command("erase-contacts")
@recorded("erase-contacts")
@click.option("--days", type=int, default=None,
              help="After this many days since a consultation ended (default: PORTAL_CONTACT_RETENTION_DAYS; 0 keeps all).")
def erase_contacts_command(days: int | None):
    """Erase commenters' contact details (and the hash of their network address) from the consultations
    finalised longer ago than the retention period; the opinions stay. Recorded in the audit log; run from cron,
    e.g. daily (running twice is safe)."""
    days = current_app.config["CONTACT_RETENTION_DAYS"] if days is None else days
    if days <= 0:
        click.echo("保留期限为 0：不清除任何联系方式。")
        return
    erased = erase_old_contacts_recorded(days, "cli")
    db.session.commit()
    click.echo(f"已清除 {len(erased)} 项征求意见中 {sum(erased.values())} 条意见的联系方式（结束超过 {days} 天）。")


@comments_cli.command("read-attachments")
@recorded("read-attachments")
@click.option("--limit", type=int, default=None, help="Read at most this many files (default: all not read yet).")
def read_attachments_command(limit: int | None):
    """Read the text of the comments' files not read yet (PDF, Word, Excel, OFD, text), for staff to read, filter
    and find in the digest; the scheduler does it every minute (running twice at once is safe)."""
    from portal.comments.attachment_text import read_new_attachments

    counts = read_new_attachments(limit)
    click.echo(f"读出 {counts['read']} 个附件的文字；{counts['unreadable']} 个附件没有可读的文字。")


FILES_A_COMMIT = 200  # the messages of a Maildir are recorded (and committed) this many at a time


@comments_cli.command("import-mail")
@click.argument("consultation_id", type=int)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def import_mail_command(consultation_id: int, paths: tuple[str, ...]):
    """Record the opinions e-mailed to a consultation: .eml, .mbox or .zip files, or a Maildir folder (as a mail server
    delivers the consultation's mailbox: run it from cron). Each message is recorded once, however often it is read;
    auto-replies and messages that came after the deadline are not recorded (each one named)."""
    import os

    from portal.consultations.models import Consultation
    from portal.office.emailed import maildir_messages
    from portal.office.inbox import import_emailed_comments
    from portal.office.services import ImportRefused

    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"没有编号为 {consultation_id} 的征求意见。")
    uploads: list[tuple[str, bytes]] = []
    for path in paths:
        if os.path.isdir(path):
            uploads += [(f"{os.path.basename(path.rstrip('/'))}-{number}.eml", raw)
                        for number, raw in enumerate(maildir_messages(path), 1)]
        else:
            with open(path, "rb") as file:
                uploads.append((os.path.basename(path), file.read()))
    totals: dict[str, int] = {}
    for start in range(0, max(len(uploads), 1), FILES_A_COMMIT):
        try:
            result = import_emailed_comments(consultation, "cli", uploads[start:start + FILES_A_COMMIT],
                                             messages_max=None)
        except ImportRefused as error:
            db.session.rollback()
            raise click.ClickException("\n".join(map(str, error.messages))) from error
        db.session.commit()
        for outcome in result.outcomes:
            totals[outcome.kind] = totals.get(outcome.kind, 0) + 1
            if outcome.kind in ("refused", "unreadable"):
                click.echo(f"没有录入：{outcome.subject}（{outcome.sender or '发件人不详'}）：{outcome.problem}", err=True)
            for left in outcome.files_left:
                click.echo(f"{outcome.receipt_number}：没有保存附件 {left}", err=True)
    click.echo(f"录入 {totals.get('recorded', 0)} 封，以前已录入 {totals.get('duplicate', 0)} 封，"
               f"自动回复或退信 {totals.get('automatic', 0)} 封，没有录入 "
               f"{totals.get('refused', 0) + totals.get('unreadable', 0)} 封。")


@comments_cli.command("fetch-mail")
@click.option("--consultation", "consultation_id", type=int, help="Read only this consultation's mailbox.")
def fetch_mail_command(consultation_id: int | None):
    """Read the mailboxes the offices set (收取邮箱) and record their new messages as opinions received by e-mail: every
    consultation open, or closed less than a week ago, or the one named. The scheduler does it every 5 minutes."""
    from portal.office.mailbox import fetch_due_mailboxes, fetch_mailbox
    from portal.office.models import ConsultationMailbox

    if consultation_id is None:
        counts = fetch_due_mailboxes()
        click.echo(f"收取 {counts['mailboxes']} 个邮箱，录入 {counts['recorded']} 封，{counts['failed']} 个没有收取成功。")
        return
    mailbox = db.session.scalar(select(ConsultationMailbox).where(
        ConsultationMailbox.consultation_id == consultation_id))
    if mailbox is None:
        raise click.ClickException(f"编号为 {consultation_id} 的征求意见没有设置收取邮箱。")
    result = fetch_mailbox(mailbox, "cli")
    if result.error:
        raise click.ClickException(result.error)
    click.echo(f"录入 {result.recorded} 封，以前已录入 {result.duplicate} 封，没有录入 {result.other} 封。")
    for problem in result.problems:
        click.echo(f"没有录入：{problem}", err=True)
