"""response mail: a commenter's messages now include the office's published response ("response"), so the partial
index of commenters' messages by address names that kind too

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

COMMENTER_MESSAGES = "kind IN ('confirm', 'receipt', 'response')"  # portal/mail/models.py
BEFORE = "kind IN ('confirm', 'receipt')"  # migration 0012


def _recipient_index(where):
    op.drop_index('ix_outbox_recipient', table_name='outbox')
    op.create_index('ix_outbox_recipient', 'outbox', ['recipient'], unique=False,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    _recipient_index(COMMENTER_MESSAGES)


def downgrade():
    _recipient_index(BEFORE)
