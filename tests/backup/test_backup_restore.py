"""flask backup create / restore: comments (and their files) taken before a backup are all there again after a wipe and a
restore."""
import io
import shutil
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from portal.comments.models import Comment, CommentAttachment
from portal.extensions import db
from tests.helpers import csrf_token, post_comment, receipt_from, shanghai


def wipe() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def test_backup_wipe_restore_finds_every_comment(app, client, clock, import_seed, tmp_path):
    if db.engine.dialect.name == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    section = consultation.current_draft.sections[3]
    url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    consultation, section = SimpleNamespace(id=consultation.id), SimpleNamespace(id=section.id)  # outlive the session
    bodies = ["建议增加社区食堂。", "希望提高护理补贴。", "赞成这一条，请尽快实施。"]
    receipts = [
        receipt_from(post_comment(client, consultation, url, section_id=section.id, body=body, author_contact=contact))
        for body, contact in zip(bodies, ["", "13800138000", "a@example.com"])
    ]
    letter = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"  # every byte value: stored and restored as is
    receipts.append(receipt_from(client.post(f"/consultations/{consultation.id}/comments", data={
        "csrf_token": csrf_token(client, url), "stance": "suggest", "body": "意见见附件。", "section_id": section.id,
        "parent_id": "", "attachments": (io.BytesIO(letter), "书面意见.pdf")}, content_type="multipart/form-data")))
    bodies.append("意见见附件。")
    runner = app.test_cli_runner()
    backup = tmp_path / ("portal.db" if db.engine.dialect.name == "sqlite" else "portal.dump")
    created = runner.invoke(args=["backup", "create", str(backup)])
    assert created.exit_code == 0, created.output
    assert backup.stat().st_size > 0

    wipe()
    assert client.get(f"/receipts/{receipts[0]}").status_code == 404

    refused = runner.invoke(args=["backup", "restore", str(backup)], input="n\n")
    assert refused.exit_code != 0  # asks first; "n" changes nothing
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0

    restored = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    db.session.remove()
    for number, body in zip(receipts, bodies):
        page = client.get(f"/receipts/{number}")
        assert page.status_code == 200 and body in page.get_data(as_text=True)
    stored = db.session.execute(select(Comment.body, Comment.author_contact).order_by(Comment.id)).all()
    assert [tuple(row) for row in stored] == list(zip(bodies, [None, "13800138000", "a@example.com", None]))
    assert db.session.execute(select(CommentAttachment.filename, CommentAttachment.data)).all() == [
        ("书面意见.pdf", letter)]
    # the portal still works on the restored database: a new comment is stored
    receipt_from(post_comment(client, consultation, url, section_id=section.id, body="恢复后又提交的意见。"))
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 5


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite: the file is checked before anything is replaced")
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"not a database at all" * 100)
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(bogus), "--yes"])
    assert result.exit_code != 0 and "SQLite" in result.output


def test_postgres_commands_can_be_printed(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "x.dump"), "--print-only"])
    assert result.exit_code == 0 and result.output.startswith("pg_dump --format=custom")
    assert "--schema=" in result.output and "+psycopg" not in result.output


def test_print_only_on_sqlite_writes_nothing_and_says_why(app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    target = tmp_path / "x.db"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(target), "--print-only"])
    assert result.exit_code != 0 and "只用于 PostgreSQL" in result.output and not target.exists()
