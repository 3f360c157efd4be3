"""meeting sign-ups: a telephone number's key without China's country code (+86 138 0013 8000 and 13800138000 are
one number, so one sign-up), for the sign-ups stored before

Revision ID: 0052
Revises: 0051
Create Date: 2026-12-05 22:30:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0052'
down_revision = '0051'
branch_labels = None
depends_on = None

COUNTRY_CODE = re.compile(r"(?:00)?86(1[3-9]\d{9}|0\d{9,11})")  # as portal/meetings/services.py phone_key


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, meeting_id, phone_key, status FROM meeting_registrations "
        "WHERE phone_key LIKE '86%' OR phone_key LIKE '0086%'")).all()
    for id_, meeting_id, key, status in rows:
        bare = COUNTRY_CODE.fullmatch(key or "")
        if not bare:
            continue
        if status != 'withdrawn' and connection.execute(sa.text(
                "SELECT 1 FROM meeting_registrations WHERE meeting_id = :meeting AND phone_key = :key "
                "AND status != 'withdrawn'"), {"meeting": meeting_id, "key": bare[1]}).first() is not None:
            continue  # the same person signed up twice before: both stay, the office sees both
        connection.execute(sa.text("UPDATE meeting_registrations SET phone_key = :key WHERE id = :id"),
                           {"key": bare[1], "id": id_})


def downgrade():
    pass  # the keys are left without the country code: the code before finds such a sign-up by the bare number
