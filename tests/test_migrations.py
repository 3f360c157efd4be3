"""The migrations build the schema the models describe, on every database the suite runs on."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, db.metadata) == []


def test_db_upgrade_command_on_a_fresh_sqlite_file(tmp_path):
    from portal import create_app

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = set(db.inspect(db.engine).get_table_names())
    assert {"consultations", "drafts", "sections", "comments", "draft_tables", "alembic_version"} <= names
