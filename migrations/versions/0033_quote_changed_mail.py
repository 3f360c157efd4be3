"""a commenter is told when a revised draft no longer holds the words their comment quoted; a commenter's
messages now include "quote_changed", so the partial index of commenters' messages by address names that kind too

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


COMMENTER_MESSAGES = ("kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation', 'followed', "
                      "'quote_changed')")  # portal/mail/models.py
BEFORE = "kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation', 'followed')"  # migration 0018


def _recipient_index(where):
    op.drop_index('ix_outbox_recipient', table_name='outbox')
    op.create_index('ix_outbox_recipient', 'outbox', ['recipient'], unique=False,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    _recipient_index(COMMENTER_MESSAGES)


def downgrade():
    _recipient_index(BEFORE)
