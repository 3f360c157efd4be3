"""``flask digests build CONSULTATION_ID --format xlsx|docx|csv [--output FILE] [--with-contacts]``."""
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.consultations.models import Consultation
from portal.core.workers import gives_way_to_web, worker_passes
from portal.digests.services import FORMATS, build_digest, digest_filename, digest_meta
from portal.extensions import db
from portal.operations.jobs import recorded

digests_cli = AppGroup("digests", help="Write the digest (意见汇总) of a consultation.")
PROGRESS_FROM = 5000  # show a progress bar from this many comments on


@digests_cli.command("build")
@click.argument("consultation_id", type=int)
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: a name in the current directory).")
@click.option("--with-contacts", is_flag=True, help="Include commenters' contact details (recorded in the audit log).")
def build_command(consultation_id: int, fmt: str, output: Path | None, with_contacts: bool):
    """Write the digest of a consultation as an XLSX, DOCX or CSV file."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"没有第 {consultation_id} 号征求意见。")
    output = output or Path(digest_filename(consultation, fmt, with_contacts))
    total = digest_meta(consultation).total
    with output.open("wb") as out:
        if total >= PROGRESS_FROM:
            with click.progressbar(length=total, label="正在写入意见汇总", file=click.get_text_stream("stderr")) as bar:
                count = build_digest(consultation, fmt, out, "cli", with_contacts, progress=bar.update)
        else:
            count = build_digest(consultation, fmt, out, "cli", with_contacts)
    db.session.commit()
    kind = "中期汇总" if not consultation.is_closed else "意见汇总"
    click.echo(f"已写入{kind}：{output}（{count} 条意见）")


@digests_cli.command("archive")
@click.argument("consultation_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: a name in the current directory).")
def archive_command(consultation_id: int, output: Path | None):
    """Write the archive of a consultation (归档材料): drafts, digests, files, result and records in one ZIP."""
    from portal.digests.archive import archive_filename, write_archive

    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"没有第 {consultation_id} 号征求意见。")
    output = output or Path(archive_filename(consultation))
    with output.open("wb") as out:
        done = write_archive(consultation, out, "cli")
    db.session.commit()
    click.echo(f"已写入归档材料：{output}（{len(done.files)} 个文件）")
    for item in done.left_out:
        click.echo(f"未包含：{item}", err=True)


@digests_cli.command("export")
@click.option("--loop", is_flag=True, help="Keep running: look for export jobs every --interval seconds.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between looks (--loop).")
@gives_way_to_web
def export_command(loop: bool, interval: float):
    """Build the files the office asked for (export jobs: a large consultation's digest or archive); safe to run on
    several hosts at once (each job is built by one). The scheduler (`jobs run`) also builds them every minute."""
    from portal.digests.exports import build_exports
    from portal.core.workers import runner_id

    # SIGTERM: ends after the file under way; one pass, from cron or by hand: recorded as the scheduler's exports job
    # is, for the status page
    for counts in worker_passes("exports", loop, interval, lambda: build_exports(runner_id()),
                                single=recorded("exports")(lambda: build_exports(runner_id()))):
        if not loop or counts["built"] or counts["failed"]:
            click.echo(f"生成 {counts['built']} 个文件，{counts['failed']} 个没有生成成功。")


@digests_cli.command("expire-exports")
@recorded("expire-exports")
def expire_exports_command():
    """Delete the export files older than PORTAL_EXPORT_RETENTION_HOURS, or out of date (a comment they hold was
    withdrawn or masked), the pieces left by workers killed mid-build, and the export jobs that ended
    30 days ago (the scheduler runs it hourly)."""
    from portal.digests.exports import JOBS_KEPT_FOR, expire_exports

    counts = expire_exports()
    click.echo(f"删除 {counts['expired']} 个超过保存期限的导出文件，{counts['left']} 个中断生成留下的文件，"
               f"{counts['deleted']} 条 {JOBS_KEPT_FOR.days} 天前结束的导出任务记录。")
