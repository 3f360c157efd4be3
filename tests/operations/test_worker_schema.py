"""A worker started on a database that is not at the code's migration says so and does nothing: an upgrade of the
code without `flask db upgrade`, or a command run without the installation's database settings (it had made an
empty database and failed on its first query with "no such table")."""
import pytest
from sqlalchemy import text

from portal.core.workers import code_heads
from portal.extensions import db


def test_the_code_heads_are_alembics(app):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert code_heads() == set(script.get_heads())


@pytest.mark.parametrize("command", [["mail", "deliver"], ["search", "work"], ["moderation", "group"], ["jobs", "run"]])
def test_a_worker_refuses_a_database_at_another_migration(app, command):
    (head,) = code_heads()
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0055'"))
    try:
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 1
        assert f"的迁移版本是 0055，本版本的代码需要 {head}：请先运行 flask --app wsgi db upgrade。" in result.output
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    assert app.test_cli_runner().invoke(args=command).exit_code == 0


def test_a_worker_refuses_a_database_never_built(tmp_path):  # no app of the suite: its context would be the one used
    from portal import create_app

    empty = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
                        "SECRET_KEY": "test"})
    result = empty.test_cli_runner().invoke(args=["mail", "deliver"])
    assert result.exit_code == 1 and "还没有建立（没有迁移版本）" in result.output
