"""``flask digests build CONSULTATION_ID --format xlsx|docx|csv [--output FILE] [--with-contacts]``."""
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.consultations.models import Consultation
from portal.digests.services import FORMATS, build_digest, digest_filename, digest_meta
from portal.extensions import db

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
