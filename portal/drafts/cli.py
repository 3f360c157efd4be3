"""``flask drafts parse FILE`` and ``flask drafts import FILE``."""
import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.drafts.services import DraftImportError, import_draft, parse_file
from portal.extensions import db

drafts_cli = AppGroup("drafts", help="Parse and import drafts.")


def _parse(path: Path):
    try:
        return parse_file(path.read_bytes(), path.name)
    except DraftImportError as error:
        click.echo(f"错误（{path.name}）：{error.message}", err=True)
        sys.exit(1)


@drafts_cli.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def parse_command(file: Path):
    """Print the parsed draft as JSON (UTF-8, unescaped)."""
    _text, parsed = _parse(file)
    click.echo(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))


@drafts_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Store the draft as a new, unpublished consultation."""
    text, parsed = _parse(file)
    consultation = import_draft(parsed.to_dict(), text, file.name)
    db.session.commit()
    sections = len(consultation.current_draft.sections)
    click.echo(f"已导入：第 {consultation.id} 号征求意见（未发布）「{consultation.title}」，共 {sections} 个章节。")
    for warning in parsed.to_dict()["warnings"]:
        click.echo(f"  提示：{warning['message']}")
