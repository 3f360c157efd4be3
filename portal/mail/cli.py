"""``flask mail deliver`` (the outbox worker) and ``flask mail digests`` (queue due digests)."""
from __future__ import annotations


import click
from flask import current_app
from flask.cli import AppGroup

from portal.core.workers import gives_way_to_web, runner_id, worker_passes
from portal.extensions import db
from portal.mail.retention import erase_old_mail
from portal.mail.worker import deliver_due
from portal.operations.jobs import Heartbeat, recorded
from portal.routing.digests import queue_due_digests
from portal.routing.services import retry_failed_routing

mail_cli = AppGroup("mail", help="Send the outbox; queue digests; erase old mail.")


@mail_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running; wait --interval seconds when nothing is due.")
@click.option("--batch", default=100, show_default=True, help="At most this many messages per pass.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds to wait between passes (--loop).")
@gives_way_to_web
def deliver_command(loop: bool, batch: int, interval: float):
    """Plan the mails of new comments, then send due messages from the outbox, with retries and back-off. Safe
    to run on several hosts at once."""
    worker_id = runner_id()
    # SIGTERM: the pass under way ends, its messages sent or released; a full batch: the next pass at once
    for report in worker_passes("mail", loop, interval, lambda: deliver_due(batch=batch, worker_id=worker_id),
                                heartbeat=Heartbeat("mail"),
                                busy=lambda r: r.handled >= batch or r.routed + len(r.routing_failures) >= batch):
        unroutable = report.routing_failures
        if report.handled or report.released or report.routed or unroutable or report.server_down or not loop:
            click.echo(
                f"新意见 {report.routed} 条已安排邮件；"
                f"已发送 {len(report.sent)} 封，稍后重试 {len(report.retrying)} 封，"
                f"放弃 {len(report.failed)} 封，重新排队 {report.released} 封。"
            )
        for failure in unroutable:
            click.echo(f"意见 {failure.comment_id} 生成邮件失败（第 {failure.attempts} 次：{failure.error}）："
                       + ("已停止重试，请排除问题后在运行状态页面或用 flask mail retry-routing 重试。"
                          if failure.given_up else "稍后自动重试。"), err=True)
        if report.server_down:
            click.echo(f"邮件服务器没有接收邮件（{report.server_down}）：本轮停止，邮件留在发件箱中，稍后再试。",
                       err=True)


@mail_cli.command("digests")
@recorded("digests")
def digests_command():
    """Queue the digests whose period has ended (the scheduler runs it every 5 minutes, or run it from cron; running twice is safe)."""
    queued, skipped = queue_due_digests()
    click.echo(f"已排队 {queued} 份意见汇总邮件。" + (f"（{skipped} 份已由另一进程排队）" if skipped else ""))


@mail_cli.command("erase-old")
@recorded("erase-old-mail")
@click.option("--days", type=int, default=None,
              help="Erase what is older than this many days (default: PORTAL_MAIL_RETENTION_DAYS; 0 keeps all).")
def erase_old_command(days: int | None):
    """Erase the recipient and content of the messages sent or given up longer ago than the retention period;
    their rows stay as the record that they were sent (run from cron, e.g. daily; running twice is safe)."""
    days = current_app.config["MAIL_RETENTION_DAYS"] if days is None else days
    if days <= 0:
        click.echo("保留期限为 0：不清除任何邮件。")
        return
    erased = erase_old_mail(days)
    db.session.commit()
    click.echo(f"已清除 {erased} 封超过 {days} 天的邮件的收件人和内容。")


@mail_cli.command("retry-routing")
@click.option("--comment", "comment_id", type=int, default=None,
              help="Only this comment (its id, as on the status page); default: every one given up.")
def retry_routing_command(comment_id: int | None):
    """Put the comments whose mails could not be planned (routing given up after PORTAL_ROUTING_MAX_ATTEMPTS) back
    in the routing queue, their attempts from 0: the mail worker routes them in its next pass. Recorded in the
    audit log as "cli". Mend the fault first (a unit's addresses, say): /admin/status shows each one's error."""
    retried = retry_failed_routing("cli", comment_id)
    db.session.commit()
    if comment_id is not None and not retried:
        raise click.ClickException(f"意见 {comment_id} 没有生成邮件失败的记录（已生成邮件、仍在自动重试，或没有这条意见）。")
    click.echo(f"已重新排队 {len(retried)} 条生成邮件失败的意见：发信程序（flask mail deliver）下一轮会为它们生成邮件。")
