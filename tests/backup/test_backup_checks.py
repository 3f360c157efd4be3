"""flask backup restore checks the file before it touches anything: a file that is no backup of the portal, or one
at a migration revision the code does not know, is refused and the live data stay; a backup of an older revision is
restored and migrated to the code's head (PostgreSQL too, where tables added since must go); backups are 0600 in a
0700 folder. On both databases, through the CLI."""
import os
import shutil
import sqlite3
import stat
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from portal.backup.services import pg_dump_command, run_tool
from portal.comments.models import Comment
from portal.extensions import db
from tests.backup.test_backup_restore import wipe
from tests.helpers import post_comment, receipt_from, shanghai

OLD_REVISION = "0028"


@pytest.fixture
def runner(app):
    if db.engine.dialect.name == "postgresql" and not all(map(shutil.which, ["pg_dump", "pg_restore"])):
        pytest.skip("pg_dump/pg_restore not installed")
    return app.test_cli_runner()


@pytest.fixture
def commented(app, client, clock, import_seed):
    """Seed 003 open, with two comments: (consultation, section page URL, {receipt: body})."""
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    section = consultation.current_draft.sections[3]
    url = f"/consultations/{consultation.id}/sections/{section.anchor}"
    consultation, section_id = SimpleNamespace(id=consultation.id), section.id
    receipts = {}
    for body in ["建议增加社区食堂。", "希望提高护理补贴。"]:
        receipts[receipt_from(post_comment(client, consultation, url, section_id=section_id, body=body))] = body
    return consultation, url, section_id, receipts


def suffix() -> str:
    return ".db" if db.engine.dialect.name == "sqlite" else ".dump"


def comment_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Comment))


def live_revision() -> str:
    db.session.remove()
    return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))


def head() -> str:
    from alembic.script import ScriptDirectory
    from flask import current_app

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()


def assert_untouched(client, receipts) -> None:
    assert comment_count() == len(receipts)
    assert live_revision() == head()
    for number, body in receipts.items():
        page = client.get(f"/receipts/{number}")
        assert page.status_code == 200 and body in page.get_data(as_text=True)


def test_a_foreign_file_is_refused_and_the_live_data_stay(app, client, runner, commented, tmp_path):
    _, _, _, receipts = commented
    foreign = tmp_path / f"foreign{suffix()}"
    if db.engine.dialect.name == "sqlite":
        with sqlite3.connect(foreign) as other:
            other.execute("CREATE TABLE foo (id INTEGER PRIMARY KEY, name TEXT)")
            other.execute("INSERT INTO foo (name) VALUES ('bar')")
        other.close()
    else:  # a dump holding only a table foo (pg_dump of that table alone)
        schema = db.session.scalar(sa.text("SELECT current_schema()"))
        db.session.execute(sa.text("CREATE TABLE foo (id integer PRIMARY KEY, name text)"))
        db.session.execute(sa.text("INSERT INTO foo VALUES (1, 'bar')"))
        db.session.commit()
        command = pg_dump_command(db.engine.url, foreign)
        run_tool(command[:-1] + [f"--table={schema}.foo", command[-1]])
        db.session.execute(sa.text("DROP TABLE foo"))
        db.session.commit()
    try:
        result = runner.invoke(args=["backup", "restore", str(foreign), "--yes"])
        assert result.exit_code != 0, result.output
        assert "不是本平台的数据库备份" in result.output and "未作任何改动" in result.output
    finally:
        db.session.remove()
        db.session.execute(sa.text("DROP TABLE IF EXISTS foo"))  # what a restore of the foreign file made
        db.session.commit()
    assert_untouched(client, receipts)


def test_a_backup_at_an_unknown_or_newer_revision_is_refused(app, client, runner, commented, tmp_path):
    _, _, _, receipts = commented
    backup = tmp_path / f"newer{suffix()}"
    if db.engine.dialect.name == "sqlite":
        assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
        with sqlite3.connect(backup) as copy:
            copy.execute("UPDATE alembic_version SET version_num = 'zzz'")
            copy.execute("DELETE FROM comments")  # restored, it would have emptied the live database
        copy.close()
    else:  # a dump made by a newer version of the portal: its revision is one this code has not
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'zzz'"))
        db.session.commit()
        try:
            assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
        finally:
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head()})
            db.session.commit()
        wipe()  # the live data change after the backup: the refused restore must leave them as they are now
        receipts = {}
    result = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert result.exit_code != 0, result.output
    assert "zzz" in result.output and head() in result.output and "未作任何改动" in result.output
    assert_untouched(client, receipts)


def test_a_backup_of_an_older_revision_is_restored_and_upgraded(app, client, runner, commented, tmp_path):
    """Back up, upgrade, restore: the backup made before the upgrade comes back at the code's head, every comment
    in it, the portal working (on PostgreSQL the tables added by later migrations are gone first)."""
    consultation, url, section_id, receipts = commented
    backup = tmp_path / f"old{suffix()}"
    db.session.remove()
    try:
        downgraded = runner.invoke(args=["db", "downgrade", OLD_REVISION])
        assert downgraded.exit_code == 0, downgraded.output
        assert live_revision() == OLD_REVISION
        created = runner.invoke(args=["backup", "create", str(backup)])
        assert created.exit_code == 0, created.output
    finally:
        db.session.remove()
        upgraded = runner.invoke(args=["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
    wipe()
    assert comment_count() == 0

    restored = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert_untouched(client, receipts)  # at the code's head, every comment there, their pages answer
    assert client.get(url).status_code == 200
    assert f"从版本 {OLD_REVISION} 升级到 {head()}" in restored.output
    asked = runner.invoke(args=["backup", "restore", str(backup)], input="n\n")  # the question says it too
    assert asked.exit_code != 0 and f"备份的数据库版本为 {OLD_REVISION}，恢复时将升级到本安装的版本 {head()}" in asked.output
    receipt_from(post_comment(client, consultation, url, section_id=section_id, body="恢复后又提交的意见。"))
    assert comment_count() == len(receipts) + 1
    if db.engine.dialect.name == "sqlite":  # the scratch copy that was migrated is gone
        folder = os.path.dirname(db.engine.url.database)
        assert not [name for name in os.listdir(folder) if name.startswith(".restore-")]


def test_backups_are_readable_by_their_owner_only(app, runner, commented, tmp_path):
    before = os.umask(0o022)  # the usual umask, under which files are made world-readable
    try:
        default = runner.invoke(args=["backup", "create"])
        named = runner.invoke(args=["backup", "create", str(tmp_path / "named" / f"portal{suffix()}")])
    finally:
        os.umask(before)
    assert default.exit_code == 0 and named.exit_code == 0, default.output + named.output
    folder = tmp_path / "backups"  # the app's instance_path is tmp_path
    (made,) = folder.iterdir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "named").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "named" / f"portal{suffix()}").stat().st_mode) == 0o600


def test_a_migration_failing_during_the_restore_leaves_the_live_database_as_it_was(app, client, runner, commented,
                                                                                     tmp_path, monkeypatch):
    """The older backup's migrations run before the live data are replaced (SQLite: on a scratch copy; PostgreSQL: in
    the restore's one transaction): one that fails leaves the live database at head with its data."""
    _, _, _, receipts = commented
    backup = tmp_path / f"old{suffix()}"
    db.session.remove()
    try:
        assert runner.invoke(args=["db", "downgrade", OLD_REVISION]).exit_code == 0
        assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    finally:
        db.session.remove()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

    def fail_at_0040(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE ALEMBIC_VERSION") and "0040" in f"{statement}{parameters}":
            raise RuntimeError("migration 0040 failed")

    sa.event.listen(sa.Engine, "before_cursor_execute", fail_at_0040)
    try:
        result = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", fail_at_0040)
    assert result.exit_code != 0 and "migration 0040 failed" in result.output and "未作任何改动" in result.output
    assert_untouched(client, receipts)
