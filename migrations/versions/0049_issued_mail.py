"""a commenter is told when the policy they commented on is issued (正式印发); a commenter's messages now include
"issued", so the partial index of commenters' messages by address names that kind too

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-05 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0049'
down_revision = '0048'
branch_labels = None
depends_on = None


COMMENTER_MESSAGES = ("kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation', 'followed', "
                      "'quote_changed', 'issued')")  # portal/mail/models.py
BEFORE = ("kind IN ('confirm', 'receipt', 'response', 'reply', 'new_consultation', 'followed', "
          "'quote_changed')")  # migration 0033


def _recipient_index(where):
    op.drop_index('ix_outbox_recipient', table_name='outbox')
    op.create_index('ix_outbox_recipient', 'outbox', ['recipient'], unique=False,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade():
    _recipient_index(COMMENTER_MESSAGES)


def downgrade():
    _recipient_index(BEFORE)
