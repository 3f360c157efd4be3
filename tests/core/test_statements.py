"""portal.core.statements.run: statements run straight on the driver's cursor must behave as SQLAlchemy's
own execution does for what the portal uses: type conversions both ways, Python-side column defaults,
literal and bound parameters, executemany, errors, and the statements it leaves to SQLAlchemy."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import bindparam, insert, select

from portal.core.statements import own_transaction, run
from portal.extensions import db
from portal.moderation.models import SensitiveWord

WORDS = SensitiveWord.__table__
INSERT = insert(WORDS)
BY_WORD = select(WORDS.c.id, WORDS.c.word, WORDS.c.created_at).where(WORDS.c.word == bindparam("word"))
LITERAL_OR_BOUND = select(WORDS.c.word).where(sa.or_(WORDS.c.word == "甲", WORDS.c.word == bindparam("other"))) \
    .order_by(WORDS.c.word)
IN_LIST = select(WORDS.c.word).where(WORDS.c.word.in_(bindparam("words", expanding=True))).order_by(WORDS.c.word)


def test_rows_defaults_and_conversions(app, clock):
    clock.set(datetime(2026, 5, 12, 8, 30, 15, 123456, tzinfo=UTC))
    with app.app_context():
        run(INSERT, [{"word": "甲"}, {"word": "乙"}])  # executemany; created_at from the column's default (now)
        run(INSERT, {"word": "丙", "created_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)})
        db.session.commit()

        row = run(BY_WORD, {"word": "乙"}).first()
        assert row.word == "乙" and row._mapping["word"] == "乙"
        assert row.created_at == datetime(2026, 5, 12, 8, 30, 15, 123456, tzinfo=UTC)
        assert row.created_at.tzinfo is not None  # aware, as the ORM gives it
        assert run(BY_WORD, {"word": "丙"}).first().created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert run(BY_WORD, {"word": "丁"}).first() is None
        assert run(BY_WORD, {"word": "丁"}).scalar() is None
        assert run(select(sa.func.count()).select_from(WORDS)).scalar() == 3
        assert run(LITERAL_OR_BOUND, {"other": "丙"}).scalars().all() == sorted(["甲", "丙"])
        assert run(IN_LIST, {"words": ["甲", "乙", "戊"]}).scalars().all() == sorted(["甲", "乙"])  # left to SQLAlchemy
        assert [r.word for r in run(BY_WORD, {"word": "甲"})] == ["甲"]  # rows iterate


def test_errors_are_sqlalchemys_and_leave_the_session_usable(app):
    with app.app_context():
        run(INSERT, {"word": "甲"})
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            run(INSERT, {"word": "甲"})
        db.session.rollback()
        run(INSERT, {"word": "乙"})
        db.session.commit()
        assert db.session.scalars(select(SensitiveWord.word).order_by(SensitiveWord.word)).all() == sorted(["甲", "乙"])


def test_own_transaction_commits_at_the_end_and_sqlite_rolls_back_on_an_exception(app):
    with app.app_context():
        with own_transaction():
            run(INSERT, {"word": "甲"})
            assert run(BY_WORD, {"word": "甲"}).first() is not None  # its own writes are seen inside
        assert db.session.scalars(select(SensitiveWord.word)).all() == ["甲"]  # committed: seen by the session
        with pytest.raises(ZeroDivisionError), own_transaction():
            run(INSERT, {"word": "乙"})
            1 / 0
        stored = db.session.scalars(select(SensitiveWord.word).order_by(SensitiveWord.word)).all()
        if db.engine.dialect.name == "sqlite":
            assert stored == ["甲"]  # rolled back
        else:
            assert stored == sorted(["甲", "乙"])  # autocommit: each statement committed itself (documented)
        # every connection back in the pool is in its usual mode (PostgreSQL: autocommit off again)
        db.session.remove()
        idle = [db.engine.raw_connection() for _ in range(db.engine.pool.checkedin())]
        assert idle
        if db.engine.dialect.name == "postgresql":
            assert [c.driver_connection.autocommit for c in idle] == [False] * len(idle)
        for connection in idle:
            connection.close()


def test_executemany_converts_shared_and_distinct_values_alike(app):
    """Rows of one executemany that share a value (the same object) get it converted once; every row must still
    store exactly its own values, whether shared, equal or distinct (outbox rows of a comment: issue 9)."""
    from portal.mail.models import OutboxMessage
    from portal.mail.services import outbox_row

    moment = datetime(2026, 5, 12, 8, 30, 15, 123456, tzinfo=UTC)
    shared_headers = {"Auto-Submitted": "auto-generated"}
    rows = []
    for n in range(4):
        row = outbox_row("comment", f"unit{n}@example.gov.cn", "zh_CN", {"recipient_names": [f"单位{n}"]},
                         base_url="https://consult.example.gov.cn/", at=moment if n < 3 else datetime(2027, 1, 1, tzinfo=UTC))
        row["headers"] = shared_headers if n % 2 == 0 else {"Auto-Submitted": "auto-generated", "X-N": str(n)}
        rows.append(row)
    with app.app_context():
        run(insert(OutboxMessage.__table__), rows)
        db.session.commit()
        stored = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [m.recipient for m in stored] == [f"unit{n}@example.gov.cn" for n in range(4)]
        assert [m.context["recipient_names"] for m in stored] == [[f"单位{n}"] for n in range(4)]
        assert [m.headers.get("X-N") for m in stored] == [None, "1", None, "3"]
        assert [m.created_at for m in stored] == [moment] * 3 + [datetime(2027, 1, 1, tzinfo=UTC)]
        assert [m.next_attempt_at for m in stored] == [m.created_at for m in stored]
        assert len({m.message_id for m in stored}) == 4
