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


def test_upgrade_keeps_existing_data(tmp_path, seed_path):
    """Every migration after the first must keep what is stored (SQLite rebuilds tables in batch mode)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0001")
        # write rows as the first schema had them, with plain SQL (the models describe the newest schema)
        db.session.execute(text(
            "INSERT INTO consultations (id, title, is_draft_for_comment, notice_text, contact_phones, contact_emails,"
            " comment_visibility, created_at) VALUES (1, '旧的征求意见', 0, '', '[]', '[]', 'public', '2023-04-12 00:00:00')"))
        db.session.execute(text(
            "INSERT INTO drafts (id, consultation_id, version, source_text, preamble, warnings, created_at)"
            " VALUES (1, 1, 1, '一、总则', '', '[]', '2023-04-12 00:00:00')"))
        db.session.execute(text(
            "INSERT INTO sections (id, draft_id, position, level, anchor, label, heading, text, run_in, kind, unit_names)"
            " VALUES (1, 1, 0, 1, 's-1', '一、', '总则', '', 0, 'section', '[]')"))
        db.session.execute(text(
            "INSERT INTO comments (id, consultation_id, draft_id, section_id, receipt_number, body, stance, language,"
            " status, created_at) VALUES (1, 1, 1, 1, '20230412-AAAAAA', '意见', 'suggest', 'zh_CN', 'approved',"
            " '2023-04-13 00:00:00')"))
        db.session.commit()
        upgrade(revision="heads")
        for table in ("consultations", "drafts", "sections", "comments"):
            assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) == 1, table
        # a comment stored before there were other ways in came through the portal (migration 0017)
        assert db.session.scalar(text("SELECT channel FROM comments")) == "web"


def test_upgrade_queues_the_notes_published_before_they_were_searchable(tmp_path):
    """Migration 0025: the search worker indexes the explanatory notes that were published before notes were
    searchable (only the published consultations': an unpublished note stays out of the index)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'notes.db'}"})
    with app.app_context():
        upgrade(revision="0024")
        for cid, published in ((1, "'2026-01-05 00:00:00'"), (2, "NULL")):
            db.session.execute(text(
                "INSERT INTO consultations (id, title, is_draft_for_comment, notice_text, contact_phones,"
                " contact_emails, comment_visibility, created_at, published_at, explanatory_note, content_token)"
                f" VALUES ({cid}, '征求意见', 0, '', '[]', '[]', 'public', '2026-01-01 00:00:00', {published},"
                " '一、起草背景', 'x')"))
        db.session.commit()
        upgrade(revision="heads")
        rows = db.session.execute(text("SELECT kind, target_id, consultation_id FROM search_queue")).all()
        assert [tuple(row) for row in rows] == [("sections", 1, 1)]


def test_upgrade_seals_the_two_step_secrets_and_downgrade_opens_them(tmp_path):
    """Migration 0029: a secret stored plain is sealed under the portal's secret key, the plain column is gone; a
    downgrade puts it back plain."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.core.sealing import unseal

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'users.db'}",
                      "SECRET_KEY": "the deployment's own key"})
    with app.app_context():
        upgrade(revision="0028")
        db.session.execute(text(
            "INSERT INTO users (id, email, name, password_hash, role, active, created_at, session_epoch, totp_secret,"
            " totp_enabled_at) VALUES (1, 'a@mz.gov.cn', '甲', 'x', 'office', 1, '2026-01-01 00:00:00', 0,"
            " 'JBSWY3DPEHPK3PXP', '2026-01-02 00:00:00'), (2, 'b@mz.gov.cn', '乙', 'x', 'office', 1,"
            " '2026-01-01 00:00:00', 0, NULL, NULL)"))
        db.session.commit()
        upgrade(revision="heads")
        rows = db.session.execute(text("SELECT id, sealed_totp_secret FROM users ORDER BY id")).all()
        assert rows[1] == (2, None)
        assert "JBSWY3DPEHPK3PXP" not in rows[0][1] and unseal(rows[0][1]) == "JBSWY3DPEHPK3PXP"
        columns = [row[1] for row in db.session.execute(text("PRAGMA table_info(users)"))]
        assert "totp_secret" not in columns
        db.session.commit()

        downgrade(revision="0028")
        rows = db.session.execute(text("SELECT id, totp_secret FROM users ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, "JBSWY3DPEHPK3PXP"), (2, None)]


def test_upgrade_takes_the_country_code_out_of_the_meeting_sign_ups_keys(tmp_path):
    """Migration 0052: a sign-up stored as "+86 138…" gets the key of "138…" (the same number, one sign-up), except
    where the same meeting already has that number standing (both stay, as they were)."""
    from datetime import datetime, timezone

    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.meetings.models import Meeting, MeetingRegistration
    from portal.meetings.services import phone_key, registration_by_number

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'meetings.db'}"})
    with app.app_context():
        upgrade(revision="0051")  # the models' tables are as 0052 leaves them: only keys change
        # the consultation in plain SQL (its model has columns of later migrations)
        db.session.execute(text(
            "INSERT INTO consultations (id, title, is_draft_for_comment, notice_text, contact_phones, contact_emails,"
            " comment_visibility, created_at, content_token) VALUES (1, '征求意见', 0, '', '[]', '[]', 'public',"
            " '2026-12-01 00:00:00', 'x')"))
        first, second = (Meeting(consultation_id=1, title=title, place="会议室",
                                 starts_at=datetime(2026, 12, 20, 2, tzinfo=timezone.utc)) for title in ("一", "二"))
        keys = [(first, "+86 138 0013 8000", "8613800138000", "applied"),
                (first, "0086 0557 3255022", "008605573255022", "withdrawn"),
                (second, "+86 13900139000", "8613900139000", "accepted"),
                (second, "13900139000", "13900139000", "applied"),
                (second, "86123456", "86123456", "applied")]
        for number, (meeting, phone, key, status) in enumerate(keys):
            db.session.add(MeetingRegistration(meeting=meeting, name="王", phone=phone, phone_key=key, status=status,
                                               key_hash=f"{number:064d}"))
        db.session.commit()
        upgrade(revision="heads")
        stored = db.session.execute(text("SELECT phone, phone_key FROM meeting_registrations ORDER BY id")).all()
        assert [tuple(row) for row in stored] == [
            ("+86 138 0013 8000", "13800138000"), ("0086 0557 3255022", "05573255022"),
            ("+86 13900139000", "8613900139000"),  # its meeting has 13900139000 standing: left as it was
            ("13900139000", "13900139000"), ("86123456", "86123456")]
        assert phone_key("+86 138 0013 8000") == phone_key("13800138000") == "13800138000"
        wang = db.session.scalar(text("SELECT min(id) FROM meeting_registrations"))
        found = registration_by_number(f"{first.id}-{wang}", "138-0013-8000")  # looked up by the bare number
        assert found is not None and found.phone == "+86 138 0013 8000"


def test_upgrade_keeps_the_queued_comments_due_and_downgrade_keeps_them_queued(tmp_path):
    """Migration 0058: comments queued before it are due, with no attempt counted; downgraded, the
    queue keeps its rows."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'queued.db'}"})
    with app.app_context():
        upgrade(revision="0056")
        db.session.execute(text("INSERT INTO routing_queue (comment_id, base_url) VALUES (7, 'http://x')"))
        db.session.commit()
        upgrade(revision="0058")
        row = db.session.execute(text(
            "SELECT comment_id, base_url, attempts, next_attempt_at, last_error, failed_at FROM routing_queue")).one()
        assert tuple(row) == (7, "http://x", 0, None, None, None)
        db.session.commit()
        downgrade(revision="0056")
        assert db.session.execute(text("SELECT * FROM routing_queue")).all() == [(7, "http://x")]


def test_the_grouping_count_renews_no_token_and_its_migration_goes_down_and_up(tmp_path):
    """Migration 0063: consultations.grouping_version, whose change alone renews no content token (any other column's
    still does); downgraded, the column is gone, ix_comments_grouped is back and the trigger renews the token as
    before; upgraded again, as it was."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'grouping.db'}"})
    with app.app_context():
        upgrade(revision="heads")
        db.session.execute(text(
            "INSERT INTO consultations (id, title, is_draft_for_comment, notice_text, contact_phones, contact_emails,"
            " comment_visibility, created_at, content_token) VALUES (1, '征求意见', 0, '', '[]', '[]', 'public',"
            " '2026-12-01 00:00:00', 'x')"))
        db.session.commit()

        def token():
            return db.session.scalar(text("SELECT content_token FROM consultations WHERE id = 1"))

        db.session.execute(text("UPDATE consultations SET grouping_version = grouping_version + 1 WHERE id IN (1)"))
        assert token() == "x"
        assert db.session.scalar(text("SELECT grouping_version FROM consultations")) == 1
        db.session.execute(text("UPDATE consultations SET title = '新的标题' WHERE id = 1"))
        renewed = token()
        assert renewed != "x"
        db.session.commit()

        downgrade(revision="0062")
        assert "grouping_version" not in {c["name"] for c in inspect(db.engine).get_columns("consultations")}
        assert "ix_comments_grouped" in {i["name"] for i in inspect(db.engine).get_indexes("comments")}
        db.session.execute(text("UPDATE consultations SET title = '又一个标题' WHERE id = 1"))
        assert token() not in ("x", renewed)
        db.session.commit()

        upgrade(revision="heads")
        assert "ix_comments_grouped" not in {i["name"] for i in inspect(db.engine).get_indexes("comments")}
        before = token()
        db.session.execute(text("UPDATE consultations SET grouping_version = grouping_version + 1 WHERE id = 1"))
        assert token() == before and db.session.scalar(text("SELECT grouping_version FROM consultations")) == 1
